// Dispatch overhead: N no-op jobs through Spool's in-memory path (queue, scheduler, admission,
// memory store, events to the owner thread) against raw QThreadPool::start of N no-op runnables
// with the same number of threads, in the same run; then N/10 jobs that each keep a core busy
// for 100 us, where the queue's own work competes with the jobs for the cores. Prints both
// throughputs and the ratio of each case.
//
//   bench_dispatch [N] [workers] [rounds] [noop|100us]   (both cases when none is named)
#include <algorithm>
#include <atomic>
#include <chrono>
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

// Keeps the core busy for `us` microseconds, as a small real job would; 0 does nothing.
void work(int us)
{
    if (us <= 0)
        return;
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
    while (std::chrono::steady_clock::now() < until) { }
}

constexpr int kShortJobUs = 100;

std::shared_ptr<JobKindRegistry> registryWithShortJobs()
{
    class ShortJob final : public Job
    {
    public:
        JobResult run(JobContext &) override
        {
            work(kShortJobUs);
            return JobResult::success();
        }
    };
    auto registry = bench::noopRegistry();
    JobKind kind;
    kind.name = QStringLiteral("short");
    kind.create = [] { return std::make_unique<ShortJob>(); };
    if (!registry->add(kind).ok())
        qFatal("cannot register the short kind");
    return registry;
}

double rawThreadPool(int n, int workers, int jobUs)
{
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    std::atomic<int> done { 0 };
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < n; ++i) {
        pool.start([&done, jobUs] {
            work(jobUs);
            done.fetch_add(1, std::memory_order_relaxed);
        });
    }
    pool.waitForDone();
    return n / (timer.nsecsElapsed() / 1e9);
}

double spoolQueue(
    int n, int workers, const std::shared_ptr<JobKindRegistry> &registry, const QString &kind)
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
    auto ids = queue.enqueueMany(kind, QList<QJsonObject>(n));
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

struct Case
{
    const char *name;
    QString kind;
    int jobUs;
    int n;
    double goalJobsPerSecond; // 0: none
    double goalRatio; // 0: none
};

void runCase(
    const Case &c, int workers, int rounds, const std::shared_ptr<JobKindRegistry> &registry)
{
    QList<double> raw;
    QList<double> spool;
    for (int round = 0; round < rounds; ++round) {
        // Alternate so that neither side always runs on a warmer machine.
        raw.append(rawThreadPool(c.n, workers, c.jobUs));
        spool.append(spoolQueue(c.n, workers, registry, c.kind));
        std::printf("%s, round %d: raw QThreadPool %.0f jobs/s, spool in-memory %.0f jobs/s\n",
            c.name, round + 1, raw.last(), spool.last());
    }
    const double rawMedian = median(raw);
    const double spoolMedian = median(spool);
    std::printf(
        "dispatch, %d %s jobs, %d workers, median of %d rounds:\n", c.n, c.name, workers, rounds);
    std::printf("  raw QThreadPool::start   %10.0f jobs/s\n", rawMedian);
    if (c.goalJobsPerSecond > 0)
        std::printf("  spool in-memory queue    %10.0f jobs/s   (goal >= %.0f)\n", spoolMedian,
            c.goalJobsPerSecond);
    else
        std::printf("  spool in-memory queue    %10.0f jobs/s\n", spoolMedian);
    if (c.goalRatio > 0)
        std::printf("  ratio spool/raw          %10.3f   (goal >= %.2f)\n", spoolMedian / rawMedian,
            c.goalRatio);
    else
        std::printf("  ratio spool/raw          %10.3f\n", spoolMedian / rawMedian);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const int n = bench::intArgument(args, 1, 100000);
    const int workers = bench::intArgument(args, 2, 2);
    const int rounds = bench::intArgument(args, 3, 5);

    const auto registry = registryWithShortJobs();
    const QString only = args.value(4);
    if (only.isEmpty() || only == QLatin1String("noop"))
        runCase({ "no-op", QStringLiteral("noop"), 0, n, 1e6, 0 }, workers, rounds, registry);
    if (only.isEmpty() || only == QLatin1String("100us"))
        runCase({ "100 us", QStringLiteral("short"), kShortJobUs, qMax(1, n / 10), 0, 0.95 },
            workers, rounds, registry);
    return 0;
}
