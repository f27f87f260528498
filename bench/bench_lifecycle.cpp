// Persisted lifecycle throughput: enqueue -> claim -> finish per second through the SQLite store
// (WAL), with the real scheduler and no-op jobs. Enqueues are batched (one transaction per
// batch); claims and finishes are per job, grouped into shared transactions when they coincide.
// Runs synchronous=NORMAL (crash-safe) and synchronous=FULL (power-loss safe) side by side.
// With --queue URL it measures the shared queue on that PostgreSQL instead, in a schema of its
// own that it drops afterwards (bench/bench_queue_pg.sh runs Graphile Worker beside it).
//
// With --finished M the store first holds M jobs that finished long ago (imported in batches),
// to show whether old rows slow the queue down.
//
//   bench_lifecycle [N] [workers] [--queue URL] [--finished M]
#include <cstdio>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>

#include "benchcommon.h"
#include "queue/jobqueueimpl.h"
#include "store/sqlitejobstore.h"

using namespace spool;

namespace {

struct Figures
{
    double enqueuePerSecond = 0;
    double runPerSecond = 0;
    double lifecyclePerSecond = 0;
};

std::shared_ptr<JobStore> openSqlite(const QString &dir, Durability durability)
{
    SqliteJobStore::Options options;
    options.dataDir = dir;
    options.durability = durability;
    return bench::storeOrQuit(SqliteJobStore::open(options));
}

// M succeeded jobs with a short timeline each, finished a year ago.
void addFinished(JobStore &store, qint64 count)
{
    const qint64 longAgo = QDateTime::currentMSecsSinceEpoch() - 365LL * 24 * 3600 * 1000;
    constexpr qint64 kBatch = 10000;
    for (qint64 done = 0; done < count; done += kBatch) {
        QList<ExportedJob> jobs;
        for (qint64 i = done; i < qMin(count, done + kBatch); ++i) {
            ExportedJob job;
            JobRecord &r = job.record;
            r.id = QUuid::createUuid();
            r.kind = QStringLiteral("noop");
            r.state = JobState::Succeeded;
            r.attempts = 1;
            r.maxAttempts = 5;
            r.enqueuedAtMs = longAgo + i;
            r.startedAtMs = r.enqueuedAtMs + 1;
            r.finishedAtMs = r.enqueuedAtMs + 2;
            job.events = { JobEvent { r.startedAtMs, 1, QStringLiteral("started"), {} },
                JobEvent { r.finishedAtMs, 1, QStringLiteral("succeeded"), {} } };
            jobs.append(job);
        }
        if (!store.importJobs(jobs, longAgo).ok())
            qFatal("cannot add finished jobs");
    }
}

Figures measure(int n, int workers, const std::shared_ptr<JobStore> &store,
    const std::shared_ptr<JobKindRegistry> &registry)
{
    QTemporaryDir dir;

    QueueConfig config;
    config.workers = workers;
    config.workRoot = dir.filePath(QStringLiteral("work"));
    JobQueueImpl queue(store, registry, config);
    QEventLoop loop;
    int finished = 0;
    QObject::connect(&queue, &JobQueue::jobFinished, &loop, [&] {
        if (++finished == n)
            loop.quit();
    });
    int committed = 0;
    bool enqueuing = true;
    QObject::connect(&queue, &JobQueue::jobsChanged, &loop, [&](const QList<JobRecord> &records) {
        for (const JobRecord &r : records)
            committed += r.state == JobState::Queued && r.attempts == 0 ? 1 : 0;
        if (enqueuing && committed >= n) {
            enqueuing = false;
            loop.quit();
        }
    });

    QElapsedTimer total;
    total.start();
    constexpr int kBatch = 1000;
    for (int i = 0; i < n; i += kBatch) {
        if (!queue.enqueueMany(QStringLiteral("noop"), QList<QJsonObject>(qMin(kBatch, n - i)))
                 .ok())
            qFatal("enqueue failed");
    }
    loop.exec(); // every enqueue committed
    const double enqueueSeconds = total.nsecsElapsed() / 1e9;
    QElapsedTimer running;
    running.start();
    queue.start();
    loop.exec(); // every job finished
    const double runSeconds = running.nsecsElapsed() / 1e9;
    const double totalSeconds = total.nsecsElapsed() / 1e9;
    return Figures { n / enqueueSeconds, n / runSeconds, n / totalSeconds };
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int n = bench::intArgument(args, 1, 20000);
    const int workers = bench::intArgument(args, 2, 2);

    const auto registry = bench::noopRegistry();
    const qsizetype finishedAt = args.indexOf(QStringLiteral("--finished"));
    const qint64 finishedJobs =
        finishedAt > 0 && finishedAt + 1 < args.size() ? args.at(finishedAt + 1).toLongLong() : 0;
    const qsizetype queueAt = args.indexOf(QStringLiteral("--queue"));
    if (queueAt > 0 && queueAt + 1 < args.size()) {
        const QString url = args.at(queueAt + 1);
        const QString schema =
            QStringLiteral("spool_bench_%1").arg(QCoreApplication::applicationPid());
        Figures f;
        {
            const auto store = bench::openPostgres(url, schema);
            addFinished(*store, finishedJobs);
            f = measure(n, workers, store, registry);
        }
        QProcess::execute(QStringLiteral("psql"),
            { QStringLiteral("-q"), QStringLiteral("-d"), url, QStringLiteral("-c"),
                QStringLiteral("SET client_min_messages = warning; DROP SCHEMA %1 CASCADE")
                    .arg(schema) });
        std::printf("enqueue %.0f jobs/s  run %.0f jobs/s  whole %.0f jobs/s\n", f.enqueuePerSecond,
            f.runPerSecond, f.lifecyclePerSecond);
        return 0;
    }

    std::printf("persisted lifecycle, %d no-op jobs, %d workers, SQLite WAL, %lld old finished "
                "jobs:\n",
        n, workers, static_cast<long long>(finishedJobs));
    for (Durability d : { Durability::Normal, Durability::Full }) {
        QTemporaryDir dir;
        const auto store = openSqlite(dir.path(), d);
        addFinished(*store, finishedJobs);
        const Figures f = measure(n, workers, store, registry);
        std::printf("  synchronous=%-6s enqueue %8.0f jobs/s   claim+run+finish %7.0f jobs/s   "
                    "whole lifecycle %7.0f jobs/s%s\n",
            qPrintable(durabilityName(d).toUpper()), f.enqueuePerSecond, f.runPerSecond,
            f.lifecyclePerSecond, d == Durability::Normal ? "   (goal >= 50000)" : "");
    }
    return 0;
}
