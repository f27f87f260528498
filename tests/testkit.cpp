#include "testkit.h"

#include <chrono>
#include <thread>
#include <vector>

#include <QDir>
#include <QFile>

#include "util/outputfiles.h"

namespace spool::test {

void TestKit::registerKinds(JobKindRegistry &registry)
{
    const auto add = [&](const QString &name, std::function<JobResult(JobContext &)> body,
                         QList<ParamSpec> params = {},
                         std::function<QString(const QJsonObject &)> host = {}) {
        JobKind kind;
        kind.name = name;
        kind.params = std::move(params);
        kind.host = std::move(host);
        kind.create = [body]() -> std::unique_ptr<Job> {
            struct Lambda final : Job
            {
                std::function<JobResult(JobContext &)> fn;
                JobResult run(JobContext &c) override { return fn(c); }
            };
            auto job = std::make_unique<Lambda>();
            job->fn = body;
            return job;
        };
        if (!registry.add(std::move(kind)).ok())
            qFatal("test kind registered twice");
    };
    ParamSpec ms;
    ms.name = QStringLiteral("ms");
    ms.type = ParamType::Integer;
    ms.defaultValue = 100;
    ParamSpec untilGateSpec;
    untilGateSpec.name = QStringLiteral("untilGate");
    untilGateSpec.type = ParamType::Boolean;
    untilGateSpec.defaultValue = false;
    ParamSpec atLeastSpec;
    atLeastSpec.name = QStringLiteral("atLeast");
    atLeastSpec.type = ParamType::Integer;
    atLeastSpec.defaultValue = 0;

    add(QStringLiteral("gate"), [this](JobContext &c) { return gate(c, QStringLiteral("gate")); });
    add(QStringLiteral("gate2"),
        [this](JobContext &c) { return gate(c, QStringLiteral("gate2")); });
    add(QStringLiteral("flaky"), [this](JobContext &c) {
        ++runs;
        if (!healthy)
            return JobResult::failure(QStringLiteral("flaky failure #%1").arg(c.attempt()));
        return JobResult::success(QStringLiteral("healthy at attempt %1").arg(c.attempt()));
    });
    add(QStringLiteral("quick"), [this](JobContext &) {
        ++runs;
        return JobResult::success();
    });
    ParamSpec hostSpec;
    hostSpec.name = QStringLiteral("host");
    hostSpec.type = ParamType::String;
    ParamSpec busyForSpec;
    busyForSpec.name = QStringLiteral("busyForMs");
    busyForSpec.type = ParamType::Integer;
    busyForSpec.defaultValue = 0;
    ParamSpec failAttemptsSpec; // its first attempts fail, with no Retry-After
    failAttemptsSpec.name = QStringLiteral("failAttempts");
    failAttemptsSpec.type = ParamType::Integer;
    failAttemptsSpec.defaultValue = 0;
    add(
        QStringLiteral("onHost"),
        [this](JobContext &c) {
            ++runs;
            if (c.attempt() <= c.params().value(QStringLiteral("failAttempts")).toInteger())
                return JobResult::failure(QStringLiteral("failed attempt %1").arg(c.attempt()));
            const qint64 busyFor = c.params().value(QStringLiteral("busyForMs")).toInteger();
            if (busyFor <= 0)
                return JobResult::success();
            JobResult busy = JobResult::failure(QStringLiteral("the host is busy"));
            busy.retryAfterMs = busyFor;
            busy.holdHost = true;
            return busy;
        },
        { hostSpec, busyForSpec, failAttemptsSpec },
        [](const QJsonObject &params) { return params.value(QStringLiteral("host")).toString(); });
    add(QStringLiteral("untilStopping"), [this](JobContext &c) {
        {
            std::lock_guard lock(mutex);
            ++concurrent[QStringLiteral("untilStopping")];
        }
        // A runner that stops lends no idle slot; one that runs does while it has one free.
        for (;;) {
            bool open = false;
            {
                std::lock_guard lock(mutex);
                open = gateOpen;
            }
            const int lent = c.borrowWorkers(1);
            if (lent > 0)
                c.returnWorkers(lent);
            else if (open)
                break;
            if (!c.sleepFor(2)) {
                std::lock_guard lock(mutex);
                --concurrent[QStringLiteral("untilStopping")];
                return JobResult::stopped();
            }
        }
        std::lock_guard lock(mutex);
        --concurrent[QStringLiteral("untilStopping")];
        return JobResult::success();
    });
    add(QStringLiteral("litter"), [this](JobContext &c) {
        {
            std::lock_guard lock(mutex);
            if (gateOpen)
                return JobResult::success(QStringLiteral("tidy"));
        }
        if (const QString error = leaveWorkFiles(c.workDir()); !error.isEmpty())
            return JobResult::failure(error);
        return gate(c, QStringLiteral("litter"));
    });
    add(QStringLiteral("thrower"),
        [](JobContext &) -> JobResult { throw std::runtime_error("out of cheese"); });
    add(QStringLiteral("spin"),
        [this](JobContext &c) {
            const qint64 durationMs = c.params().value(QStringLiteral("ms")).toInteger();
            const qint64 atLeast = c.params().value(QStringLiteral("atLeast")).toInteger();
            const bool untilGate = c.params().value(QStringLiteral("untilGate")).toBool();
            QElapsedTimer timer;
            timer.start();
            qint64 updates = 0;
            const auto more = [&] {
                if (!untilGate)
                    return timer.elapsed() < durationMs;
                if (updates < atLeast || updates % 1024 != 0)
                    return true;
                std::lock_guard lock(mutex);
                return !gateOpen;
            };
            while (more()) {
                c.setProgress(++updates, -1);
                if (c.shouldStop())
                    return JobResult::stopped();
            }
            return JobResult::success(QString::number(updates));
        },
        { ms, untilGateSpec, atLeastSpec });
    add(QStringLiteral("lender"), [this](JobContext &c) {
        std::atomic<bool> done { false };
        std::atomic<int> held { 0 };
        std::vector<std::thread> helpers;
        const auto helper = [&] {
            c.enterHelperThread();
            {
                const auto info = threadpriority::readProcStat(threadpriority::currentThreadId());
                std::lock_guard lock(mutex);
                helperProbes.append(info);
            }
            while (!done.load()) {
                if (c.workersNeeded()) {
                    --held;
                    c.returnWorkers(1);
                    ++helpersGaveBack;
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            --held;
            c.returnWorkers(1);
        };
        {
            std::lock_guard lock(mutex);
            ++concurrent[QStringLiteral("lender")];
            peak[QStringLiteral("lender")] = qMax(peak.value(QStringLiteral("lender")), 1);
        }
        JobResult result;
        for (;;) {
            // Slots free up over time (a slot looking for work, a job ending): ask again.
            const int more = c.borrowWorkers(8 - held.load());
            held += more;
            lent = qMax(lent.load(), held.load());
            for (int i = 0; i < more; ++i)
                helpers.emplace_back(helper);
            {
                std::lock_guard lock(mutex);
                if (gateOpen) {
                    result = JobResult::success();
                    break;
                }
            }
            if (!c.sleepFor(5)) {
                result = JobResult::stopped();
                break;
            }
        }
        {
            std::lock_guard lock(mutex);
            --concurrent[QStringLiteral("lender")];
        }
        done = true;
        for (auto &thread : helpers)
            thread.join();
        return result;
    });
    add(QStringLiteral("probe"), [this](JobContext &) {
        const auto info = threadpriority::readProcStat(threadpriority::currentThreadId());
        std::lock_guard lock(mutex);
        probes.append(info);
        return JobResult::success();
    });
}

QString leaveWorkFiles(const QString &workDir)
{
    QFile partial(QDir(workDir).filePath(QStringLiteral("partial")));
    if (!QDir().mkpath(workDir) || !partial.open(QIODevice::WriteOnly) || partial.write("x") != 1)
        return QStringLiteral("cannot write in %1").arg(workDir);
    partial.close();
    auto noted = outputfiles::noteDelivery(
        partial.fileName(), QDir(workDir).filePath(QStringLiteral("out")), workDir);
    return noted ? QString() : noted.error().message;
}

JobResult TestKit::gate(JobContext &context, const QString &kind)
{
    ++runs;
    {
        std::lock_guard lock(mutex);
        resumedFrom.append(context.resumeProgress());
        const int now = ++concurrent[kind];
        peak[kind] = qMax(peak.value(kind), now);
    }
    const auto leave = qScopeGuard([&] {
        std::lock_guard lock(mutex);
        --concurrent[kind];
    });
    qint64 done = context.resumeProgress().done;
    context.setProgressUnit(QStringLiteral("items"));
    for (;;) {
        {
            std::lock_guard lock(mutex);
            if (gateOpen)
                return JobResult::success(QStringLiteral("through the gate"));
        }
        context.setProgress(++done, 100000);
        if (!context.sleepFor(5))
            return JobResult::stopped();
    }
}

Recorder::Recorder(JobQueue *queue)
{
    connect(queue, &JobQueue::jobsChanged, this, [this](const QList<JobRecord> &records) {
        for (const JobRecord &r : records) {
            const JobRecord before = latest.value(r.id);
            if (r.state == JobState::Running
                && (before.state != JobState::Running || before.leaseToken != r.leaseToken))
                startOrder.append(r.id);
            latest.insert(r.id, r);
        }
    });
    connect(queue, &JobQueue::jobsRemoved, this, [this](const QList<QUuid> &ids) {
        for (const QUuid &id : ids) {
            latest.remove(id);
            removed.append(id);
        }
    });
    connect(
        queue, &JobQueue::jobFinished, this, [this](const JobRecord &r) { finished.append(r.id); });
    connect(queue, &JobQueue::progressChanged, this, [this](const QList<JobProgress> &list) {
        for (const JobProgress &p : list) {
            ++progressCount[p.id];
            lastProgress.insert(p.id, p);
        }
    });
    connect(queue, &JobQueue::commandFailed, this,
        [this](const QUuid &, const QString &reason) { failures.append(reason); });
    connect(queue, &JobQueue::storageError, this,
        [this](const QString &message) { failures.append(message); });
    connect(queue, &JobQueue::countsChanged, this, [this](const QueueCounts &c) {
        counts = c;
        countsSeen = true;
    });
    connect(
        queue, &JobQueue::queuePausedChanged, this, [this](bool paused) { queuePaused = paused; });
}

} // namespace spool::test
