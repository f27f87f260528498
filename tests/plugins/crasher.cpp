// A legacy plugin that misbehaves on purpose: in process mode it must fail only its own job.
#include <csignal>
#include <cstdlib>
#include <spool/plugin.h>
#include <thread>

#include <QObject>

namespace {

class MisbehaveJob final : public spool::sdk::PluginJob
{
public:
    bool run(spool::sdk::JobContext &context, QString *output, QString *error) override
    {
        const QString how = context.params().value(QStringLiteral("how")).toString();
        context.setProgress(1, 2);
        if (how == QLatin1String("abort"))
            std::abort();
        if (how == QLatin1String("segv"))
            std::raise(SIGSEGV);
        if (how == QLatin1String("exit"))
            std::exit(3);
        if (how == QLatin1String("hang")) {
            for (;;) // no progress, no checkpoint: only a kill ends this
                std::this_thread::sleep_for(std::chrono::seconds(1));
        }
        if (how != QLatin1String("ok")) {
            *error = QStringLiteral("unknown misbehaviour '%1'").arg(how);
            return false;
        }
        context.setProgress(2, 2);
        *output = QStringLiteral("behaved");
        return true;
    }
};

} // namespace

class CrasherPlugin : public QObject, public spool::sdk::JobPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "crasher.json")
    Q_INTERFACES(spool::sdk::JobPlugin)

public:
    std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &) override
    {
        return std::make_unique<MisbehaveJob>();
    }
};

#include "crasher.moc"
