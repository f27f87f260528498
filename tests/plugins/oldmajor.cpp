// Built against another major version of the SDK (its interface id ends in /2): refused.
#include <QObject>

class OtherMajorPlugin : public QObject
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.spool.JobPlugin/2" FILE "oldmajor.json")
};

#include "oldmajor.moc"
