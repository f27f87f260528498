// Dispatch overhead: N no-op jobs through Spool's in-memory path (queue, scheduler, admission,
// memory store, events to the owner thread) against raw QThreadPool::start of N no-op runnables
// with the same number of threads, in the same run; then N/10 jobs that each keep a core busy
// for 100 us, where the queue's own work competes with the jobs for the cores. Prints both
// throughputs and the ratio of each case, and the process's CPU time per job on each side (steadier
// than wall time on a shared machine: it leaves out waits, though not page faults).
//
//   bench_dispatch [N] [workers] [rounds] [noop|100us]   (both cases when none is named)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>

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

// User and system CPU time of the whole process so far, in microseconds.
double processCpuUs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto us = [](const timeval &t) { return t.tv_sec * 1e6 + double(t.tv_usec); };
    return us(usage.ru_utime) + us(usage.ru_stime);
}

// What one side of a round measured.
struct Side
{
    double jobsPerSecond = 0;
    double cpuUsPerJob = 0;
};

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

Side rawThreadPool(int n, int workers, int jobUs)
{
    QThreadPool pool;
    pool.setMaxThreadCount(workers);
    std::atomic<int> done { 0 };
    const double cpuBefore = processCpuUs();
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < n; ++i) {
        pool.start([&done, jobUs] {
            work(jobUs);
            done.fetch_add(1, std::memory_order_relaxed);
        });
    }
    pool.waitForDone();
    return { n / (timer.nsecsElapsed() / 1e9), (processCpuUs() - cpuBefore) / n };
}

Side spoolQueue(
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
    const double cpuBefore = processCpuUs();
    QElapsedTimer timer;
    timer.start();
    auto ids = queue.enqueueMany(kind, QList<QJsonObject>(n));
    if (!ids.ok())
        qFatal("%s", qPrintable(ids.error().message));
    loop.exec();
    return { n / (timer.nsecsElapsed() / 1e9), (processCpuUs() - cpuBefore) / n };
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
    QList<double> rawCpu;
    QList<double> spoolCpu;
    for (int round = 0; round < rounds; ++round) {
        // Alternate so that neither side always runs on a warmer machine.
        const Side r = rawThreadPool(c.n, workers, c.jobUs);
        const Side s = spoolQueue(c.n, workers, registry, c.kind);
        raw.append(r.jobsPerSecond);
        spool.append(s.jobsPerSecond);
        rawCpu.append(r.cpuUsPerJob);
        spoolCpu.append(s.cpuUsPerJob);
        std::printf("%s, round %d: raw QThreadPool %.0f jobs/s (%.2f us CPU a job), spool "
                    "in-memory %.0f jobs/s (%.2f us CPU a job)\n",
            c.name, round + 1, r.jobsPerSecond, r.cpuUsPerJob, s.jobsPerSecond, s.cpuUsPerJob);
    }
    const double rawMedian = median(raw);
    const double spoolMedian = median(spool);
    std::printf(
        "dispatch, %d %s jobs, %d workers, median of %d rounds:\n", c.n, c.name, workers, rounds);
    std::printf("  raw QThreadPool::start   %10.0f jobs/s   %7.2f us CPU a job\n", rawMedian,
        median(rawCpu));
    std::printf("  spool in-memory queue    %10.0f jobs/s   %7.2f us CPU a job", spoolMedian,
        median(spoolCpu));
    if (c.goalJobsPerSecond > 0)
        std::printf("   (goal >= %.0f jobs/s)", c.goalJobsPerSecond);
    std::printf("\n");
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
