// A thread-safe example plugin: no shared state, so its jobs run in parallel like built-in ones.
// Start a plugin of your own from a copy of this folder (see docs/plugins.md).
#include <spool/plugin.h>

#include <QFile>
#include <QObject>

namespace {

class WordCountJob final : public spool::sdk::PluginJob
{
public:
    bool run(spool::sdk::JobContext &context, QString *output, QString *error) override
    {
        const QString path = context.params().value(QStringLiteral("file")).toString();
        const qint64 chunk = context.params().value(QStringLiteral("chunk")).toInteger(65536);
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        const qint64 total = file.size();
        qint64 done = 0, lines = 0, words = 0;
        bool inWord = false;
        while (!file.atEnd()) {
            if (context.shouldStop())
                return false; // the host records the stop, not a failure
            QByteArray bytes;
            {
                spool::sdk::BlockingScope reading(context); // no effect unless under the GIL
                bytes = file.read(chunk);
            }
            for (const char c : std::as_const(bytes)) {
                const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
                lines += c == '\n' ? 1 : 0;
                words += !space && !inWord ? 1 : 0;
                inWord = !space;
            }
            done += bytes.size();
            context.setProgress(done, total);
        }
        context.log(QStringLiteral("%1 lines, %2 words, %3 bytes").arg(lines).arg(words).arg(done));
        *output = QStringLiteral("%1 words in %2").arg(words).arg(path);
        return true;
    }
};

} // namespace

class WordCountPlugin : public QObject, public spool::sdk::JobPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "wordcount.json")
    Q_INTERFACES(spool::sdk::JobPlugin)

public:
    std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &kind) override
    {
        if (kind == QLatin1String("wordcount"))
            return std::make_unique<WordCountJob>();
        return nullptr;
    }
};

#include "wordcount.moc"
