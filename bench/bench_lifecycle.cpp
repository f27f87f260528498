// Persisted lifecycle throughput: enqueue -> claim -> finish per second through the SQLite store
// (WAL), with the real scheduler and no-op jobs. Enqueues are batched (one transaction per
// batch); claims and finishes are per job, grouped into shared transactions when they coincide.
// Runs synchronous=NORMAL (crash-safe) and synchronous=FULL (power-loss safe) side by side.
//
//   bench_lifecycle [N] [workers]
#include <cstdio>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
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

Figures measure(
    int n, int workers, Durability durability, const std::shared_ptr<JobKindRegistry> &registry)
{
    QTemporaryDir dir;
    SqliteJobStore::Options options;
    options.dataDir = dir.path();
    options.durability = durability;
    auto opened = SqliteJobStore::open(options);
    if (!opened)
        qFatal("%s", qPrintable(opened.error().message));
    std::shared_ptr<JobStore> store(std::move(opened.value()));

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

    std::printf("persisted lifecycle, %d no-op jobs, %d workers, SQLite WAL:\n", n, workers);
    for (Durability d : { Durability::Normal, Durability::Full }) {
        const Figures f = measure(n, workers, d, registry);
        std::printf("  synchronous=%-6s enqueue %8.0f jobs/s   claim+run+finish %7.0f jobs/s   "
                    "whole lifecycle %7.0f jobs/s%s\n",
            qPrintable(durabilityName(d).toUpper()), f.enqueuePerSecond, f.runPerSecond,
            f.lifecyclePerSecond, d == Durability::Normal ? "   (goal >= 5000)" : "");
    }
    return 0;
}
