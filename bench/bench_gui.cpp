// GUI-thread latency under full load, Spool's app against the usual way, in the same run.
//
//   bench_gui latency BASE_URL [busy_ms]
//     A heartbeat timer on the GUI thread (every 5 ms) notes how late it fires while 4 CPU-bound
//     jobs (busy_ms of CPU each, default 6000) and 50 downloads from BASE_URL/f1.bin ..
//     BASE_URL/f50.bin run with progress shown in a table. Two runs:
//       plain: QtConcurrent::run on the global pool at default priority, a QStandardItemModel
//              updated from every progress report (what most apps do);
//       own:   the same on a pool of its own (still default priority);
//       spool: the real main window (job table model, progress delegate) and Spool's queue.
//     All run 6 jobs at once (4 busy + 2 downloads, then downloads as slots free up).
//     Meanwhile the table jumps between top and bottom 4 times a second (a user scrolling).
//     Prints p50/p99/max delay for each and the ratios.
//
//   bench_gui startup N [keep]
//     Fills a data directory with N finished jobs, then starts the app's window on it in a new
//     process, twice (empty queue, then N jobs): time to the first paint of the window, time
//     until the table holds every job and has painted them, the memory (RSS) and the pages
//     touched for the first time by then. The GUI thread's longest stall meanwhile, also without
//     what an idle process beside it suffered at the same time (this VM stops every process for
//     20-30 ms now and then).
//
// Run it through bench/bench_gui.sh, which serves the downloads with nginx.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

#include <QApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QHeaderView>
#include <QMainWindow>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSocketNotifier>
#include <QStandardItemModel>
#include <QTableView>
#include <QtConcurrent>
#include <QTemporaryDir>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include "appcontroller.h"
#include "appsettings.h"
#include "backgroundpool.h"
#include "builtinkinds.h"
#include "jobtablemodel.h"
#include "largeblocks.h"
#include "mainwindow.h"
#include "queue/jobqueueimpl.h"
#include "store/sqlitejobstore.h"

using namespace spool;

namespace {

constexpr int kBusyJobs = 4;
constexpr int kDownloads = 50;
constexpr int kSlots = 6;
constexpr int kHeartbeatMs = 5;

qint64 monotonicNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// kB of a /proc/self/status field.
qint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Pages the process has touched for the first time so far (minor faults). On this VM each costs
// about 17 us, and unlike the time to fill the table the count does not move between runs.
qint64 pagesFirstTouched()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_minflt);
}

// kB the heap holds for live allocations: RSS less what the allocator keeps but does not use.
qint64 heapInUseKb()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64((info.uordblks + info.hblkhd) / 1024);
}

// How late the GUI thread's timer fires: the app's own measure of what a user feels.
class Heartbeat
{
public:
    void start()
    {
        m_delaysMs.clear();
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(kHeartbeatMs);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = monotonicNs();
            const qint64 late = now - m_last - qint64(kHeartbeatMs) * 1'000'000;
            // A stall of L ms also delayed the beats that should have come during it (by L - 5,
            // L - 10, ...): count them, or a long stall would weigh as one sample.
            for (qint64 missed = late; missed > 0; missed -= qint64(kHeartbeatMs) * 1'000'000)
                m_delaysMs.push_back(missed / 1e6);
            if (late <= 0)
                m_delaysMs.push_back(0);
            if (late > 2'000'000)
                m_stalls.push_back({ now, late });
            if (late > 16'700'000)
                std::fprintf(
                    stderr, "stall of %.1f ms at %.2f s\n", late / 1e6, (now - m_first) / 1e9);
            m_last = now;
        });
        m_stalls.clear();
        m_last = monotonicNs();
        m_first = m_last;
        m_timer.start();
    }
    void stop()
    {
        m_timer.stop();
        m_timer.disconnect();
    }
    double percentile(double p) const
    {
        if (m_delaysMs.empty())
            return 0;
        std::vector<double> sorted = m_delaysMs;
        std::sort(sorted.begin(), sorted.end());
        const auto index = std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
        return sorted[index];
    }
    size_t samples() const { return m_delaysMs.size(); }
    // Beats more than 2 ms late: when (monotonic ns) and by how much.
    struct Stall
    {
        qint64 endNs;
        qint64 lateNs;
    };
    const std::vector<Stall> &stalls() const { return m_stalls; }

private:
    QTimer m_timer;
    qint64 m_last = 0;
    std::vector<Stall> m_stalls;
    qint64 m_first = 0;
    std::vector<double> m_delaysMs;
};

// Shows the window and lets it paint: the first paint is startup, measured on its own.
void showAndSettle(QWidget &window)
{
    window.resize(1000, 700);
    window.show();
    QEventLoop settle;
    QTimer::singleShot(300, &settle, &QEventLoop::quit);
    settle.exec();
}

// A user reading the list while it works: the table jumps between its top and bottom four times
// a second, so that large areas repaint, not just the cells whose progress changed.
class Scroller
{
public:
    explicit Scroller(QTableView *view)
    {
        QObject::connect(&m_timer, &QTimer::timeout, view, [this, view] {
            m_down = !m_down;
            if (m_down)
                view->scrollToBottom();
            else
                view->scrollToTop();
        });
        m_timer.start(250);
    }

private:
    QTimer m_timer;
    bool m_down = false;
};

struct LatencyFigures
{
    double p50 = 0, p99 = 0, max = 0, seconds = 0;
    size_t samples = 0;
};

LatencyFigures figuresOf(const Heartbeat &heartbeat, double seconds)
{
    return { heartbeat.percentile(0.5), heartbeat.percentile(0.99), heartbeat.percentile(1.0),
        seconds, heartbeat.samples() };
}

QUrl downloadUrl(const QString &base, int i)
{
    return QUrl(QStringLiteral("%1/f%2.bin").arg(base).arg(i));
}

// The usual way: work on the global pool at default priority; every progress report posted to a
// QStandardItemModel on the GUI thread.
LatencyFigures runPlain(const QString &base, int busyMs, const QString &outDir, QThreadPool *pool)
{
    QStandardItemModel model(kBusyJobs + kDownloads, 3);
    model.setHorizontalHeaderLabels(
        { QStringLiteral("Name"), QStringLiteral("State"), QStringLiteral("Progress") });
    for (int row = 0; row < model.rowCount(); ++row) {
        model.setItem(row, 0,
            new QStandardItem(row < kBusyJobs
                    ? QStringLiteral("busy %1").arg(row)
                    : QStringLiteral("f%1.bin").arg(row - kBusyJobs + 1)));
        model.setItem(row, 1, new QStandardItem(QStringLiteral("Queued")));
        model.setItem(row, 2, new QStandardItem(QStringLiteral("0%")));
    }
    QMainWindow window;
    auto *view = new QTableView(&window);
    view->setModel(&model);
    view->horizontalHeader()->setStretchLastSection(true);
    window.setCentralWidget(view);
    showAndSettle(window);

    auto report = [&model](int row, const QString &state, int percent) {
        QMetaObject::invokeMethod(
            &model,
            [&model, row, state, percent] {
                model.item(row, 1)->setText(state);
                model.item(row, 2)->setText(QStringLiteral("%1%").arg(percent));
            },
            Qt::QueuedConnection);
    };

    pool->setMaxThreadCount(kSlots);
    std::atomic<int> remaining { kBusyJobs + kDownloads };
    QEventLoop loop;
    auto finished = [&] {
        if (remaining.fetch_sub(1) == 1)
            QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    };
    Heartbeat heartbeat;
    heartbeat.start();
    Scroller scroller(view);
    const qint64 started = monotonicNs();
    for (int i = 0; i < kBusyJobs; ++i) {
        // Discarding the future is fine: completion is counted by `finished`.
        (void)QtConcurrent::run(pool, [=, &report, &finished] {
            report(i, QStringLiteral("Running"), 0);
            const qint64 start = threadCpuNs();
            quint64 state = 0x9E3779B97F4A7C15ULL ^ quint64(start);
            volatile quint64 sink = 0;
            int lastPercent = -1;
            for (;;) {
                for (int k = 0; k < 20000; ++k) {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                }
                sink = state;
                const qint64 doneMs = (threadCpuNs() - start) / 1'000'000;
                const int percent = int(qMin<qint64>(100, doneMs * 100 / busyMs));
                if (percent != lastPercent) {
                    report(i, QStringLiteral("Running"), percent);
                    lastPercent = percent;
                }
                if (doneMs >= busyMs)
                    break;
            }
            (void)sink;
            report(i, QStringLiteral("Done"), 100);
            finished();
        });
    }
    for (int i = 1; i <= kDownloads; ++i) {
        const int row = kBusyJobs + i - 1;
        (void)QtConcurrent::run(pool, [=, &report, &finished] {
            QNetworkAccessManager nam;
            QFile out(QDir(outDir).filePath(QStringLiteral("f%1.bin").arg(i)));
            if (!out.open(QIODevice::WriteOnly))
                qFatal("cannot write %s", qPrintable(out.fileName()));
            QNetworkReply *reply = nam.get(QNetworkRequest(downloadUrl(base, i)));
            QObject::connect(
                reply, &QNetworkReply::readyRead, [&] { out.write(reply->readAll()); });
            QObject::connect(
                reply, &QNetworkReply::downloadProgress, [&](qint64 got, qint64 total) {
                    report(row, QStringLiteral("Running"), total > 0 ? int(got * 100 / total) : 0);
                });
            QEventLoop wait;
            QObject::connect(reply, &QNetworkReply::finished, &wait, &QEventLoop::quit);
            wait.exec();
            if (reply->error() != QNetworkReply::NoError)
                qFatal("download failed: %s", qPrintable(reply->errorString()));
            out.write(reply->readAll());
            delete reply;
            report(row, QStringLiteral("Done"), 100);
            finished();
        });
    }
    loop.exec();
    const double seconds = (monotonicNs() - started) / 1e9;
    heartbeat.stop();
    pool->waitForDone();
    QCoreApplication::processEvents(); // the last queued reports
    return figuresOf(heartbeat, seconds);
}

// What the app opens on `dataDir`: its SQLite store and every built-in job kind.
struct Backend
{
    std::shared_ptr<JobStore> store;
    std::shared_ptr<JobKindRegistry> registry;
};

Backend openBackend(const QString &dataDir)
{
    SqliteJobStore::Options options;
    options.dataDir = dataDir;
    auto opened = SqliteJobStore::open(options);
    if (!opened)
        qFatal("%s", qPrintable(opened.error().message));
    auto registry = std::make_shared<JobKindRegistry>();
    registerBuiltinKinds(
        *registry, BuiltinSettings { dataDir, dataDir + QStringLiteral("/downloads") });
    return { std::shared_ptr<JobStore>(std::move(opened.value())), registry };
}

// Spool: the real window and queue, with the same 6 jobs at once.
LatencyFigures runSpool(const QString &base, int busyMs, const QString &dataDir)
{
    app::AppSettings settings;
    settings.setWorkers(kSlots);
    settings.setHostCap(0); // the plain run has no per-host limit either
    settings.setKindCaps({});
    const Backend backend = openBackend(dataDir);
    app::AppController controller(dataDir, backend.store, backend.registry, &settings);
    app::MainWindow window(&controller);
    showAndSettle(window);
    QEventLoop loop;
    int remaining = kBusyJobs + kDownloads;
    QObject::connect(controller.queue(), &JobQueue::jobFinished, &loop, [&](const JobRecord &r) {
        if (r.state != JobState::Succeeded)
            qFatal("job %s ended %s", qPrintable(r.kind), qPrintable(r.error));
        if (--remaining == 0)
            loop.quit();
    });

    Heartbeat heartbeat;
    heartbeat.start();
    Scroller scroller(window.jobView());
    const qint64 started = monotonicNs();
    controller.start();
    if (!controller.queue()
             ->enqueueMany(QStringLiteral("busy"),
                 QList<QJsonObject>(kBusyJobs, QJsonObject { { QStringLiteral("ms"), busyMs } }))
             .ok())
        qFatal("cannot queue the busy jobs");
    QList<QJsonObject> downloads;
    for (int i = 1; i <= kDownloads; ++i) {
        downloads.append(QJsonObject { { QStringLiteral("url"), downloadUrl(base, i).toString() },
            { QStringLiteral("dir"), dataDir + QStringLiteral("/downloads") } });
    }
    if (!controller.queue()->enqueueMany(QStringLiteral("download"), downloads).ok())
        qFatal("cannot queue the downloads");
    loop.exec();
    const double seconds = (monotonicNs() - started) / 1e9;
    heartbeat.stop();
    QObject::connect(&controller, &app::AppController::shutDownComplete, &loop, &QEventLoop::quit);
    controller.shutDown(StopMode::Release);
    loop.exec();
    return figuresOf(heartbeat, seconds);
}

void printLatency(const char *name, const LatencyFigures &f)
{
    std::printf("%-6s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%zu beats incl. missed, %.1f s)\n",
        name, f.p50, f.p99, f.max, f.samples, f.seconds);
}

int latency(const QStringList &args)
{
    const QString base = args.value(2);
    if (!base.startsWith(QStringLiteral("http://127.0.0.1"))) {
        std::fprintf(stderr, "bench_gui latency: BASE_URL must be http://127.0.0.1:PORT/...\n");
        return 2;
    }
    const int busyMs = qMax(100, args.value(3, QStringLiteral("6000")).toInt());
    QTemporaryDir plainDir, spoolDir;
    std::printf("GUI-thread delay, heartbeat every %d ms; %d busy jobs of %d ms CPU + %d "
                "downloads, %d at once, %d cores\n",
        kHeartbeatMs, kBusyJobs, busyMs, kDownloads, kSlots, QThread::idealThreadCount());
    std::fflush(stdout);
    // What most apps do: the global pool, which Qt's own painting also uses in Qt 6.4 (large
    // fills are split over it, and the GUI thread waits for them).
    const LatencyFigures plain =
        runPlain(base, busyMs, plainDir.path(), QThreadPool::globalInstance());
    printLatency("plain", plain);
    std::fflush(stdout);
    // A more careful app: its own pool, still at default priority.
    QThreadPool ownPool;
    QTemporaryDir ownDir;
    const LatencyFigures own = runPlain(base, busyMs, ownDir.path(), &ownPool);
    printLatency("own", own);
    std::fflush(stdout);
    const LatencyFigures spool = runSpool(base, busyMs, spoolDir.path());
    printLatency("spool", spool);
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    std::printf("ratio spool/plain: p50 %.4f  p99 %.4f (goal <= 0.20)  max %.4f\n",
        ratio(spool.p50, plain.p50), ratio(spool.p99, plain.p99), ratio(spool.max, plain.max));
    std::printf("ratio spool/own:   p50 %.4f  p99 %.4f  max %.4f\n", ratio(spool.p50, own.p50),
        ratio(spool.p99, own.p99), ratio(spool.max, own.max));
    std::printf(
        "spool max %s one 60 Hz frame (16.7 ms)\n", spool.max < 1000.0 / 60 ? "under" : "OVER");
    return 0;
}

// A heartbeat's stalls on stdout after its figures, one "END_NS LATE_NS" a line.
void printStalls(const Heartbeat &heartbeat)
{
    for (const Heartbeat::Stall &stall : heartbeat.stalls())
        std::printf("%lld %lld\n", stall.endNs, stall.lateNs);
    std::fflush(stdout);
}

QList<Heartbeat::Stall> parseStalls(const QList<QByteArray> &lines)
{
    QList<Heartbeat::Stall> stalls;
    for (const QByteArray &line : lines) {
        const QList<QByteArray> f = line.trimmed().split(' ');
        if (f.size() == 2)
            stalls.append({ f.at(0).toLongLong(), f.at(1).toLongLong() });
    }
    return stalls;
}

// Child process: a heartbeat in a process that does nothing else, until its stdin closes, then
// its stalls. Its timer is late only when the whole machine was: a virtual machine whose host
// stops it for 20-30 ms now and then stalls every process in it at once.
int idleHeartbeat()
{
    Heartbeat heartbeat;
    heartbeat.start();
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QEventLoop loop;
    QObject::connect(&input, &QSocketNotifier::activated, &loop, &QEventLoop::quit);
    std::printf("ready\n");
    std::fflush(stdout);
    loop.exec();
    heartbeat.stop();
    printStalls(heartbeat);
    return 0;
}

// The most time of one stall of `window` that no stall of `idle` covered: the window's own.
double longestOwnStallMs(const QList<Heartbeat::Stall> &window, const QList<Heartbeat::Stall> &idle)
{
    qint64 longest = 0;
    for (const Heartbeat::Stall &stall : window) {
        qint64 shared = 0;
        for (const Heartbeat::Stall &other : idle) {
            const qint64 from = std::max(stall.endNs - stall.lateNs, other.endNs - other.lateNs);
            const qint64 to = std::min(stall.endNs, other.endNs);
            shared += std::max<qint64>(0, to - from);
        }
        longest = std::max(longest, stall.lateNs - shared);
    }
    return longest / 1e6;
}

// Child process: opens the app's window on `dataDir` and reports when it is on screen.
int openWindow(const QString &dataDir, int expected, qint64 spawnedNs)
{
    app::AppSettings settings;
    const Backend backend = openBackend(dataDir);
    app::AppController controller(dataDir, backend.store, backend.registry, &settings);
    app::MainWindow window(&controller);

    qint64 firstPaint = 0, filledPaint = 0;
    class PaintWatch final : public QObject
    {
    public:
        std::function<void()> onPaint;
        bool eventFilter(QObject *, QEvent *event) override
        {
            if (event->type() == QEvent::Paint)
                onPaint();
            return false;
        }
    } watch;
    QEventLoop loop;
    Heartbeat heartbeat; // how long the GUI thread is blocked while the rows arrive
    watch.onPaint = [&] {
        const qint64 now = monotonicNs();
        if (!firstPaint) {
            firstPaint = now;
            heartbeat.start();
        }
        if (!filledPaint && window.model()->rowCount() == expected) {
            filledPaint = now;
            QTimer::singleShot(0, &loop, &QEventLoop::quit);
        }
    };
    window.jobView()->viewport()->installEventFilter(&watch);
    // Rows that arrive change the model; the view repaints on its own after that.
    window.show();
    controller.start();
    loop.exec();
    heartbeat.stop();
    app::backgroundPool()->waitForDone(); // the model frees what it loaded from there
    std::printf("%.1f %.1f %lld %lld %.1f %lld %lld\n", (firstPaint - spawnedNs) / 1e6,
        (filledPaint - spawnedNs) / 1e6, statusKb("VmRSS"), statusKb("VmHWM"),
        heartbeat.percentile(1.0), heapInUseKb(), pagesFirstTouched());
    printStalls(heartbeat); // and flushes
    QEventLoop stopped;
    QObject::connect(
        &controller, &app::AppController::shutDownComplete, &stopped, &QEventLoop::quit);
    controller.shutDown(StopMode::Release);
    stopped.exec();
    return 0;
}

int startup(const QStringList &args)
{
    const int n = qMax(1, args.value(2, QStringLiteral("100000")).toInt());
    QTemporaryDir emptyDir, fullDir;
    // A third argument keeps the filled queue there, to look at or profile the window on it.
    if (!args.value(3).isEmpty()) {
        fullDir.setAutoRemove(false);
        std::fprintf(stderr, "keeping the filled queue in %s\n", qPrintable(fullDir.path()));
    }
    {
        // N finished jobs: a long history in the table.
        SqliteJobStore::Options options;
        options.dataDir = fullDir.path();
        auto opened = SqliteJobStore::open(options);
        if (!opened)
            qFatal("%s", qPrintable(opened.error().message));
        // Finished downloads, as the app will show them; a stand-in kind of the same name
        // finishes them at once instead of fetching 100,000 URLs, with what a download leaves:
        // the file's path and its size in bytes.
        auto registry = std::make_shared<JobKindRegistry>();
        class Done final : public Job
        {
        public:
            JobResult run(JobContext &context) override
            {
                const QString url = context.params().value(QStringLiteral("url")).toString();
                const QString dir = context.params().value(QStringLiteral("dir")).toString();
                context.setProgressUnit(units::Bytes);
                context.setProgress(48213, 48213);
                return JobResult::success(QDir(dir).filePath(QUrl(url).fileName()));
            }
        };
        JobKind download;
        download.name = QStringLiteral("download");
        download.create = [] { return std::make_unique<Done>(); };
        for (const char *name : { "url", "dir" }) {
            ParamSpec spec;
            spec.name = QString::fromLatin1(name);
            spec.type = ParamType::String;
            download.params.append(spec);
        }
        if (!registry->add(download).ok())
            qFatal("cannot register the stand-in kind");
        QueueConfig config;
        config.workers = 2;
        config.workRoot = fullDir.filePath(QStringLiteral("work"));
        JobQueueImpl queue(std::shared_ptr<JobStore>(std::move(opened.value())), registry, config);
        QEventLoop loop;
        int finished = 0;
        QObject::connect(&queue, &JobQueue::jobFinished, &loop, [&] {
            if (++finished == n)
                loop.quit();
        });
        std::fprintf(stderr, "filling a queue with %d finished jobs...\n", n);
        for (int i = 0; i < n; i += 1000) {
            QList<QJsonObject> batch;
            for (int k = i; k < qMin(n, i + 1000); ++k) {
                batch.append(QJsonObject {
                    { QStringLiteral("url"),
                        QStringLiteral("https://example.org/files/report-%1.pdf").arg(k) },
                    { QStringLiteral("dir"), fullDir.filePath(QStringLiteral("downloads")) } });
            }
            const auto queued = queue.enqueueMany(QStringLiteral("download"), batch);
            if (!queued)
                qFatal("enqueue failed: %s", qPrintable(queued.error().message));
        }
        queue.start();
        loop.exec();
        QObject::connect(&queue, &JobQueue::stopped, &loop, &QEventLoop::quit);
        queue.stop(StopMode::Release);
        loop.exec();
    }

    auto open = [&](const QString &dir, int expected) {
        // Beside the window, a process that does nothing but keep time: what it also suffered
        // was not the window's doing.
        QProcess idle;
        idle.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        idle.start(QCoreApplication::applicationFilePath(), { QStringLiteral("idle") });
        if (!idle.waitForReadyRead(30'000))
            qFatal("the idle process did not start");
        idle.readAllStandardOutput(); // "ready"
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const qint64 spawned = monotonicNs();
        child.start(QCoreApplication::applicationFilePath(),
            { QStringLiteral("open"), dir, QString::number(expected), QString::number(spawned) });
        if (!child.waitForFinished(300'000) || child.exitCode() != 0)
            qFatal("the window process failed");
        idle.closeWriteChannel();
        if (!idle.waitForFinished(30'000) || idle.exitCode() != 0)
            qFatal("the idle process failed");
        const QList<QByteArray> lines = child.readAllStandardOutput().trimmed().split('\n');
        const QList<QByteArray> f = lines.value(0).split(' ');
        const double ownMs = longestOwnStallMs(
            parseStalls(lines.mid(1)), parseStalls(idle.readAllStandardOutput().split('\n')));
        std::printf("%7d jobs: first paint %7.1f ms, every job in the table %7.1f ms, RSS %6.1f "
                    "MiB (peak %6.1f MiB)\n",
            expected, f.value(0).toDouble(), f.value(1).toDouble(), f.value(2).toDouble() / 1024,
            f.value(3).toDouble() / 1024);
        std::printf("%7s       GUI thread's longest stall while loading %5.1f ms; not shared "
                    "with an idle process beside it %5.1f ms (goal <= 16)\n",
            "", f.value(4).toDouble(), ownMs);
        std::printf("%7s       heap in use %6.1f MiB; pages touched for the first time %lld\n", "",
            f.value(5).toDouble() / 1024, f.value(6).toLongLong());
        return std::pair(f.value(2).toDouble(), f.value(5).toDouble());
    };
    std::printf("Time from starting the process to the window, and its memory\n");
    const auto [emptyKb, emptyHeapKb] = open(emptyDir.path(), 0);
    const auto [fullKb, fullHeapKb] = open(fullDir.path(), n);
    std::printf("memory per job in the table: %.0f bytes (goal <= 500), of which the heap holds "
                "%.0f\n",
        (fullKb - emptyKb) * 1024 / n, (fullHeapKb - emptyHeapKb) * 1024 / n);
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc > 1 && std::strcmp(argv[1], "open") == 0)
        app::mapLargeBlocksApart(); // first thing, as the app's main() does
    // The app's settings go to a throwaway place, not the user's.
    QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("spool-bench"));
    QApplication::setOrganizationName(QStringLiteral("Spool"));
    const QStringList args = QApplication::arguments();
    const QString mode = args.value(1);
    if (mode == QLatin1String("latency"))
        return latency(args);
    if (mode == QLatin1String("startup"))
        return startup(args);
    if (mode == QLatin1String("idle"))
        return idleHeartbeat();
    if (mode == QLatin1String("open"))
        return openWindow(args.value(2), args.value(3).toInt(), args.value(4).toLongLong());
    std::fprintf(stderr, "usage: bench_gui latency BASE_URL [busy_ms] | bench_gui startup [N]\n");
    return 2;
}
