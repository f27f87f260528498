// A legacy example plugin. Like much old code it works in global state, so two of its jobs
// inside it at once would corrupt each other. Its metadata does not declare "threadSafe", so
// Spool runs its jobs under the GIL: they take turns at host calls (checkpoints), never inside a
// step. Each step checks the globals and fails loudly if another job was in there too: the proof
// that the lock really serializes.
#include <spool/plugin.h>

#include <QObject>

namespace {

// The "old code": a scratch table and a re-entrancy count shared by every call.
quint64 g_scratch[64];
int g_inside = 0;

class TallyJob final : public spool::sdk::PluginJob
{
public:
    bool run(spool::sdk::JobContext &context, QString *output, QString *error) override
    {
        const qint64 steps = context.params().value(QStringLiteral("steps")).toInteger(20000);
        const qint64 napEvery = context.params().value(QStringLiteral("nap-every")).toInteger(0);
        const auto seed = quint64(reinterpret_cast<quintptr>(this));
        quint64 total = 0;
        for (qint64 i = 1; i <= steps; ++i) {
            // One step of the old code: it fills the shared table and reads it back. Two jobs
            // inside at once would clobber each other's values.
            if (g_inside++ != 0) {
                *error = QStringLiteral("two jobs were inside the old code at once");
                return false;
            }
            for (int k = 0; k < 64; ++k)
                g_scratch[k] = seed + quint64(i) * quint64(k + 1);
            quint64 term = quint64(i);
            for (int k = 0; k < 200; ++k) // some work per step
                term = term * 6364136223846793005ULL + 1442695040888963407ULL;
            for (int k = 0; k < 64; ++k) {
                if (g_scratch[k] != seed + quint64(i) * quint64(k + 1)) {
                    *error = QStringLiteral("the shared table was overwritten by another job");
                    return false;
                }
            }
            total += quint64(i) + (term == 0 ? 1 : 0); // uses the work (never 0: odd increment)
            --g_inside;
            context.setProgress(i, steps); // a checkpoint: the lock may change hands here
            if (napEvery > 0 && i % napEvery == 0 && !context.sleepFor(1))
                return false;
            if (context.shouldStop())
                return false;
        }
        *output = QStringLiteral("sum of 1..%1 = %2").arg(steps).arg(total);
        return true;
    }
};

} // namespace

class LegacyTallyPlugin : public QObject, public spool::sdk::JobPlugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "legacytally.json")
    Q_INTERFACES(spool::sdk::JobPlugin)

public:
    std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &kind) override
    {
        if (kind == QLatin1String("tally"))
            return std::make_unique<TallyJob>();
        return nullptr;
    }
};

#include "legacytally.moc"
