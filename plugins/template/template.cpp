// The plugin template: copy this folder, rename the files, the class and the kind, and replace
// run() with your work (docs/plugins.md walks through it). It compiles against the SDK only.
#include <spool/plugin.h>

#include <QObject>

namespace {

class HelloJob final : public spool::sdk::PluginJob
{
public:
    bool run(spool::sdk::JobContext &context, QString *output, QString *error) override
    {
        // Parameters arrive checked against template.json, defaults filled in.
        const QString who = context.params().value(QStringLiteral("who")).toString();
        const qint64 times = context.params().value(QStringLiteral("times")).toInteger();
        if (who.trimmed().isEmpty()) {
            *error = QStringLiteral("'who' is empty: nobody to greet"); // one line: why
            return false;
        }
        for (qint64 i = 1; i <= times; ++i) {
            context.log(QStringLiteral("Hello, %1! (%2 of %3)").arg(who).arg(i).arg(times));
            context.setProgress(i, times); // in the kind's unit ("greetings")
            // Waits without CPU (and without the GIL, were this plugin legacy); false: stop now.
            if (i < times && !context.sleepFor(100))
                return false; // canceled or paused: the host records a stop, not a failure
        }
        *output = QStringLiteral("greeted %1 %2 time(s)").arg(who).arg(times);
        return true;
    }
};

} // namespace

class TemplatePlugin : public QObject, public spool::sdk::JobPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "template.json")
    Q_INTERFACES(spool::sdk::JobPlugin)

public:
    std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &kind) override
    {
        if (kind == QLatin1String("hello"))
            return std::make_unique<HelloJob>();
        return nullptr;
    }
};

#include "template.moc"
