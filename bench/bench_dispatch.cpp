// Dispatch overhead: N no-op jobs through Spool's in-memory path (queue, scheduler, admission,
// memory store, events to the owner thread) against raw QThreadPool::start of N no-op runnables
// with the same number of threads, in the same run. Prints both throughputs and the ratio.
//
//   bench_dispatch [N] [workers] [rounds]
#include <algorithm>
#include <atomic>
#include <cstdio>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QThreadPool>

#include "benchcommon.h"
#include "queue/jobqueueimpl.h"
#include "store/memoryjobstore.h"

using namespace spool;

namespace {

double rawThreadPool(int n, int workers)
{
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    std::atomic<int> done { 0 };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < n; ++i)
        pool.start([&done] { done.fetch_add(1, std::memory_order_relaxed); });
    pool.waitForDone();
    return n / (timer.nsecsElapsed() / 1e9);
}

double spoolQueue(int n, int workers, const std::shared_ptr<JobKindRegistry> &registry)
{
    QueueConfig config;
    config.workers = workers;
    config.priority = WorkerPriority::Normal; // the same priority as the raw pool's threads
    JobQueueImpl queue(std::make_shared<MemoryJobStore>(), registry, config);
    queue.start();
    QEventLoop loop;
    int finished = 0;
    QObject::connect(&queue, &JobQueue::jobFinished, &loop, [&] {
        if (++finished == n)
            loop.quit();
    });
    QElapsedTimer timer;
    timer.start();
    auto ids = queue.enqueueMany(QStringLiteral("noop"), QList<QJsonObject>(n));
    if (!ids.ok())
        qFatal("%s", qPrintable(ids.error().message));
    loop.exec();
    return n / (timer.nsecsElapsed() / 1e9);
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.at(values.size() / 2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int n = bench::intArgument(args, 1, 100000);
    const int workers = bench::intArgument(args, 2, 2);
    const int rounds = bench::intArgument(args, 3, 5);

    const auto registry = bench::noopRegistry();

    QList<double> raw;
    QList<double> spool;
    for (int round = 0; round < rounds; ++round) {
        // Alternate so that neither side always runs on a warmer machine.
        raw.append(rawThreadPool(n, workers));
        spool.append(spoolQueue(n, workers, registry));
        std::printf("round %d: raw QThreadPool %.0f jobs/s, spool in-memory %.0f jobs/s\n",
            round + 1, raw.last(), spool.last());
    }
    const double rawMedian = median(raw);
    const double spoolMedian = median(spool);
    std::printf("dispatch, %d no-op jobs, %d workers, median of %d rounds:\n", n, workers, rounds);
    std::printf("  raw QThreadPool::start   %10.0f jobs/s\n", rawMedian);
    std::printf("  spool in-memory queue    %10.0f jobs/s\n", spoolMedian);
    std::printf("  ratio spool/raw          %10.2f   (goal >= 0.5)\n", spoolMedian / rawMedian);
    return 0;
}
