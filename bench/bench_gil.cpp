// The convoy test: an I/O-bound legacy job doing UDP echo round-trips on 127.0.0.1 against 1, 2
// and 4 CPU-bound legacy jobs, all under one lock: Spool's Gil, and in the same run the same
// loops in CPython threads under CPython's GIL (python3, its default 5 ms switch interval).
//
// Spool's jobs are threads with a Gil::Holder each, as legacy plugin jobs hold it: CPU-bound
// jobs call checkpoint() after every unit of work (a host-API call), the I/O job releases the
// lock around sendto/recv (GilReleaseScope). The echo server is a thread that takes no lock.
//
// Reported per run: round-trips per second; the lock-reacquire latency (from recv() returning to
// holding the lock again: measured directly for Spool; for both, the round-trip time over the
// idle round-trip's median, so that the two are compared the same way); the CPU-bound jobs'
// throughput against running them one after another (one job alone holds the lock all the
// time: that rate is what sequential running gives).
//
// The I/O slice (how long a holder keeps the lock before a thread back from I/O may take it) is
// the trade between the two: 0 serves the I/O job at the very next checkpoint (the most
// round-trips, each one cutting a CPU-bound job short); the default 100 us caps the cuts.
//
//   bench_gil [seconds per run = 2] [I/O slice in us = the default]
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <netinet/in.h>
#include <optional>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryFile>

#include "benchcommon.h"
#include "gil/gil.h"

using namespace spool;
using Clock = std::chrono::steady_clock;

namespace {

// About a microsecond of arithmetic: one unit of a CPU-bound job between host-API calls.
inline uint64_t workUnit(uint64_t x)
{
    for (int i = 0; i < 400; ++i)
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
}

struct Echo
{
    int fd = -1;
    int port = 0;
    std::thread thread;
    std::atomic<bool> stop { false };

    void start()
    {
        fd = socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            qFatal("cannot bind the echo server");
        socklen_t length = sizeof address;
        getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
        port = ntohs(address.sin_port);
        timeval timeout { 0, 100000 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        thread = std::thread([this] {
            char buffer[256];
            while (!stop.load()) {
                sockaddr_in from {};
                socklen_t fromLength = sizeof from;
                const ssize_t n = recvfrom(
                    fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr *>(&from), &fromLength);
                if (n > 0)
                    sendto(
                        fd, buffer, size_t(n), 0, reinterpret_cast<sockaddr *>(&from), fromLength);
            }
        });
    }
    ~Echo()
    {
        stop = true;
        if (thread.joinable())
            thread.join();
        if (fd >= 0)
            close(fd);
    }
};

int clientSocket(int port)
{
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(uint16_t(port));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        qFatal("cannot reach the echo server");
    return fd;
}

double percentile(std::vector<double> v, double fraction)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(double(v.size()) * fraction))];
}

struct Run
{
    double roundTripsPerSecond = 0;
    std::vector<double> rttUs;
    std::vector<double> reacquireUs; // measured directly (Spool)
    double cpuUnitsPerSecond = 0;
};

// `cpuJobs` CPU-bound jobs and, when `withIo`, the I/O-bound one, for `seconds`.
// With `ioLocks` false the I/O job never takes the lock: what the machine alone costs the CPU
// jobs (two cores shared with the I/O job and the echo server), without the lock's part.
std::chrono::microseconds g_ioSlice = Gil::kDefaultIoSlice;

Run runSpool(int cpuJobs, bool withIo, double seconds, int port, bool ioLocks = true)
{
    Gil gil(Gil::kDefaultSwitchInterval, g_ioSlice);
    std::atomic<bool> stop { false };
    std::atomic<uint64_t> units { 0 };
    std::atomic<uint64_t> sink { 0 };
    Run run;
    std::vector<std::thread> threads;
    for (int j = 0; j < cpuJobs; ++j) {
        threads.emplace_back([&, j] {
            Gil::Holder me(QStringLiteral("cpu%1").arg(j));
            uint64_t x = uint64_t(j), done = 0;
            gil.acquire(me);
            while (!stop.load(std::memory_order_relaxed)) {
                x = workUnit(x);
                ++done;
                gil.checkpoint(me);
            }
            gil.release(me);
            units += done;
            sink += x;
        });
    }
    uint64_t roundTrips = 0;
    std::thread io;
    if (withIo) {
        io = std::thread([&] {
            Gil::Holder me(QStringLiteral("io"));
            const int fd = clientSocket(port);
            char message[32] = "ping", reply[64];
            run.rttUs.reserve(1 << 20);
            run.reacquireUs.reserve(1 << 20);
            if (ioLocks)
                gil.acquire(me);
            while (!stop.load(std::memory_order_relaxed)) {
                const auto sent = Clock::now();
                Clock::time_point received;
                {
                    std::optional<GilReleaseScope> blocking;
                    if (ioLocks)
                        blocking.emplace(gil, me);
                    if (send(fd, message, sizeof message, 0) < 0
                        || recv(fd, reply, sizeof reply, 0) < 0)
                        qFatal("echo failed");
                    received = Clock::now();
                }
                const auto held = Clock::now();
                run.rttUs.push_back(std::chrono::duration<double, std::micro>(held - sent).count());
                run.reacquireUs.push_back(
                    std::chrono::duration<double, std::micro>(held - received).count());
                ++roundTrips;
            }
            if (ioLocks)
                gil.release(me);
            close(fd);
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto &thread : threads)
        thread.join();
    if (io.joinable())
        io.join();
    run.roundTripsPerSecond = double(roundTrips) / seconds;
    run.cpuUnitsPerSecond = double(units.load()) / seconds;
    return run;
}

// The same loops in CPython threads; prints one JSON object per run.
const char *const kPython = R"PY(
import json, socket, sys, threading, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])

def cpu(stop, out, i):
    n = 0
    while not stop.is_set():
        x = 0
        for k in range(40):
            x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        n += 1
    out[i] = n

def io(stop, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", port))
    rtt = []
    while not stop.is_set():
        t0 = time.perf_counter_ns()
        s.send(b"ping".ljust(32, b"\0"))
        s.recv(64)
        rtt.append((time.perf_counter_ns() - t0) / 1000.0)
    out["rtt"] = rtt

def run(cpu_jobs, with_io):
    stop = threading.Event()
    counts = [0] * cpu_jobs
    io_out = {}
    threads = [threading.Thread(target=cpu, args=(stop, counts, i)) for i in range(cpu_jobs)]
    if with_io:
        threads.append(threading.Thread(target=io, args=(stop, io_out)))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    rtt = io_out.get("rtt", [])
    print(json.dumps({"cpu": cpu_jobs, "io": with_io, "units": sum(counts) / seconds,
                      "rtts": len(rtt) / seconds, "rtt": rtt[:200000]}), flush=True)

run(0, True)
for k in (1, 2, 4):
    run(1, False)  # the sequential rate, measured next to each mix: this machine's speed drifts
    run(k, True)
)PY";

void report(const char *who, int k, const Run &r, double idleRttP50, double sequentialUnits)
{
    std::vector<double> derived;
    derived.reserve(r.rttUs.size());
    for (double rtt : r.rttUs)
        derived.push_back(std::max(0.0, rtt - idleRttP50));
    std::printf("%-7s %d CPU job(s): %9.0f round-trips/s  rtt p50 %8.1f us p99 %8.1f us  "
                "reacquire p50 %8.1f us p99 %8.1f us",
        who, k, r.roundTripsPerSecond, percentile(r.rttUs, 0.5), percentile(r.rttUs, 0.99),
        percentile(derived, 0.5), percentile(derived, 0.99));
    if (!r.reacquireUs.empty())
        std::printf(" (measured: p50 %.1f p99 %.1f)", percentile(r.reacquireUs, 0.5),
            percentile(r.reacquireUs, 0.99));
    std::printf(
        "  CPU throughput %.1f%% of sequential\n", 100.0 * r.cpuUnitsPerSecond / sequentialUnits);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const double seconds = bench::intArgument(app.arguments(), 1, 2);
    if (app.arguments().size() > 2) {
        bool ok = false;
        const int us = app.arguments().at(2).toInt(&ok);
        if (!ok || us < 0)
            qFatal("the I/O slice is a number of microseconds, 0 or more");
        g_ioSlice = std::chrono::microseconds(us);
    }
    std::printf("Spool's switch interval %lld us, I/O slice %lld us\n",
        qint64(Gil::kDefaultSwitchInterval.count()), qint64(g_ioSlice.count()));
    Echo echo;
    echo.start();

    // Spool. The sequential rate (one CPU-bound job alone) is measured next to each mix: on a
    // shared virtual machine the speed drifts by more than the effect measured.
    const Run spoolIdle = runSpool(0, true, seconds, echo.port);
    const double spoolIdleP50 = percentile(spoolIdle.rttUs, 0.5);
    std::printf("Spool:   I/O job alone %.0f round-trips/s, rtt p50 %.1f us\n",
        spoolIdle.roundTripsPerSecond, spoolIdleP50);
    Run spool[5], unlocked[5], spoolSequential[5];
    for (int k : { 1, 2, 4 }) {
        spoolSequential[k] = runSpool(1, false, seconds, echo.port);
        spool[k] = runSpool(k, true, seconds, echo.port);
        report("Spool", k, spool[k], spoolIdleP50, spoolSequential[k].cpuUnitsPerSecond);
        unlocked[k] = runSpool(k, true, seconds, echo.port, false);
        std::printf("        the same, the I/O job outside the lock: %.0f round-trips/s, CPU "
                    "throughput %.1f%% of sequential\n",
            unlocked[k].roundTripsPerSecond,
            100.0 * unlocked[k].cpuUnitsPerSecond / spoolSequential[k].cpuUnitsPerSecond);
        std::fflush(stdout);
    }

    // CPython, same machine, same echo server.
    QTemporaryFile script;
    if (!script.open())
        qFatal("cannot write the Python script");
    script.write(kPython);
    script.flush();
    QProcess python;
    python.start(QStringLiteral("python3"),
        { script.fileName(), QString::number(echo.port), QString::number(seconds) });
    if (!python.waitForFinished(int(seconds * 1000 * 10 + 30000)) || python.exitCode() != 0)
        qFatal("python3 failed: %s", python.readAllStandardError().constData());
    QList<QJsonObject> runs;
    for (const QByteArray &line : python.readAllStandardOutput().split('\n')) {
        if (!line.trimmed().isEmpty())
            runs.append(QJsonDocument::fromJson(line).object());
    }
    if (runs.size() != 7)
        qFatal("unexpected output from python3");
    const auto toRun = [](const QJsonObject &o) {
        Run r;
        r.cpuUnitsPerSecond = o.value(QStringLiteral("units")).toDouble();
        r.roundTripsPerSecond = o.value(QStringLiteral("rtts")).toDouble();
        for (const QJsonValue &v : o.value(QStringLiteral("rtt")).toArray())
            r.rttUs.push_back(v.toDouble());
        return r;
    };
    const Run pyIdle = toRun(runs[0]);
    const double pyIdleP50 = percentile(pyIdle.rttUs, 0.5);
    std::printf("CPython: I/O thread alone %.0f round-trips/s, rtt p50 %.1f us\n",
        pyIdle.roundTripsPerSecond, pyIdleP50);
    Run py[5], pySequential[5];
    for (int i = 0; i < 3; ++i) {
        const int k = i == 0 ? 1 : i == 1 ? 2 : 4;
        pySequential[k] = toRun(runs[1 + 2 * i]);
        py[k] = toRun(runs[2 + 2 * i]);
        report("CPython", k, py[k], pyIdleP50, pySequential[k].cpuUnitsPerSecond);
    }

    std::printf("\n");
    for (int k : { 1, 2, 4 }) {
        const auto p99 = [](const Run &r, double idle) {
            std::vector<double> d;
            for (double rtt : r.rttUs)
                d.push_back(std::max(0.0, rtt - idle));
            return percentile(d, 0.99);
        };
        const double spoolP99 = p99(spool[k], spoolIdleP50), pyP99 = p99(py[k], pyIdleP50);
        std::printf("%d CPU job(s): round-trips/s Spool/CPython %.1fx; reacquire p99 CPython/Spool "
                    "%.1fx (goal >= 10x); CPU throughput loss against sequential: Spool %.1f%% "
                    "(goal <= 5%%; %.1f%% of it the lock's, the rest the shared machine's), "
                    "CPython %.1f%%\n",
            k, spool[k].roundTripsPerSecond / std::max(1.0, py[k].roundTripsPerSecond),
            pyP99 / std::max(0.1, spoolP99),
            100.0 * (1 - spool[k].cpuUnitsPerSecond / spoolSequential[k].cpuUnitsPerSecond),
            100.0 * (1 - spool[k].cpuUnitsPerSecond / unlocked[k].cpuUnitsPerSecond),
            100.0 * (1 - py[k].cpuUnitsPerSecond / pySequential[k].cpuUnitsPerSecond));
    }
    return 0;
}
