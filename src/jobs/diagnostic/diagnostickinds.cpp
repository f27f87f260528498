#include "diagnostickinds.h"

#include <ctime>

#include <QElapsedTimer>

#include "job/jobkindregistry.h"

namespace spool {

namespace {

constexpr qint64 kMaxMs = 24LL * 60 * 60 * 1000;

ParamSpec durationParam(const QString &what)
{
    ParamSpec spec;
    spec.name = QStringLiteral("ms");
    spec.type = ParamType::Integer;
    spec.description = what;
    spec.valueName = QStringLiteral("N");
    spec.required = true;
    spec.minimum = 1;
    spec.maximum = kMaxMs;
    return spec;
}

qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<qint64>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Work resumes from the progress a paused or interrupted attempt left behind.
qint64 resumePoint(const JobContext &context)
{
    const Progress resume = context.resumeProgress();
    return resume.unit == units::Milliseconds ? qMax<qint64>(0, resume.done) : 0;
}

class BusyJob final : public Job
{
public:
    JobResult run(JobContext &context) override
    {
        const qint64 totalMs = context.params().value(QStringLiteral("ms")).toInteger();
        context.setProgressUnit(units::Milliseconds);
        const qint64 startNs = threadCpuNs() - resumePoint(context) * 1'000'000;
        quint64 state = 0x9E3779B97F4A7C15ULL ^ static_cast<quint64>(startNs);
        for (;;) {
            // About a tenth of a millisecond of arithmetic between checkpoints.
            for (int i = 0; i < 20000; ++i) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
            }
            m_sink = state;
            const qint64 doneMs = qMin(totalMs, (threadCpuNs() - startNs) / 1'000'000);
            context.setProgress(doneMs, totalMs);
            if (doneMs >= totalMs)
                return JobResult::success();
            if (context.shouldStop())
                return JobResult::stopped();
        }
    }

private:
    volatile quint64 m_sink = 0;
};

class SleepJob final : public Job
{
public:
    JobResult run(JobContext &context) override
    {
        const qint64 totalMs = context.params().value(QStringLiteral("ms")).toInteger();
        context.setProgressUnit(units::Milliseconds);
        const qint64 resumedMs = resumePoint(context);
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const qint64 doneMs = qMin(totalMs, resumedMs + timer.elapsed());
            context.setProgress(doneMs, totalMs);
            if (doneMs >= totalMs)
                return JobResult::success();
            // Wake a few times a second to report progress; a stop request wakes at once.
            if (!context.sleepFor(qMin<qint64>(100, totalMs - doneMs)))
                return JobResult::stopped();
        }
    }
};

} // namespace

void registerDiagnosticKinds(JobKindRegistry &registry)
{
    const auto add = [&registry](JobKind kind) {
        if (auto added = registry.add(std::move(kind)); !added)
            qWarning("spool: %s", qUtf8Printable(added.error().message));
    };
    JobKind busy;
    busy.name = QStringLiteral("busy");
    busy.description =
        QStringLiteral("Keeps one CPU busy for N ms of its own CPU time (diagnostic).");
    busy.params = { durationParam(QStringLiteral("CPU time to burn, in milliseconds")) };
    busy.create = [] { return std::make_unique<BusyJob>(); };
    busy.title = [](const QJsonObject &p) {
        return QStringLiteral("busy %1 ms").arg(p.value(QStringLiteral("ms")).toInteger());
    };
    add(std::move(busy));

    JobKind sleep;
    sleep.name = QStringLiteral("sleep");
    sleep.description = QStringLiteral("Waits N ms without using CPU (diagnostic).");
    sleep.params = { durationParam(QStringLiteral("time to wait, in milliseconds")) };
    sleep.create = [] { return std::make_unique<SleepJob>(); };
    sleep.title = [](const QJsonObject &p) {
        return QStringLiteral("sleep %1 ms").arg(p.value(QStringLiteral("ms")).toInteger());
    };
    add(std::move(sleep));
}

} // namespace spool
