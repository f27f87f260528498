// Built for a newer minor SDK than this Spool's: the host must refuse it before loading it.
#include <spool/plugin.h>

#include <QObject>

class NewSdkPlugin : public QObject, public spool::sdk::JobPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "newsdk.json")
    Q_INTERFACES(spool::sdk::JobPlugin)

public:
    std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &) override { return nullptr; }
};

#include "newsdk.moc"
