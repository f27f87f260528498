#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include <QHash>
#include <QString>

namespace spool {

// The global lock legacy (not thread-safe) plugin jobs run under in GIL mode.
//
// Unlike CPython's GIL, a release is a direct handoff: the lock goes to a chosen waiter, never to
// whichever thread wakes first, so nobody barges. Waiters are served in two FIFO lines:
//   - threads coming back from a released region (I/O) are served first, at the holder's next
//     checkpoint once the holder has had its I/O slice (default 100 us), without waiting out a
//     switch interval. That is what removes the convoy effect: in CPython a thread whose recv()
//     returned waits a full 5 ms behind CPU-bound threads. The slice bounds how often a chatty
//     I/O job can cut the CPU-bound ones short (each cut costs the holder a few microseconds).
//     A thread that then holds the lock longer than the switch interval is demoted: its next
//     return from I/O queues like everyone else until it holds briefly again.
//   - everyone else, in arrival order. The holder hands over at a checkpoint once the first of
//     them has waited a switch interval (default 5 ms), and joins the back of the line.
// A thread handed over to spins briefly before sleeping: a handoff back and forth then costs a
// few microseconds, not two scheduler wake-ups.
class Gil
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::microseconds kDefaultSwitchInterval { 5000 };
    static constexpr std::chrono::microseconds kDefaultIoSlice { 100 };

    // One thread's seat at the lock (a legacy job's). Not shared between threads.
    class Holder
    {
    public:
        explicit Holder(QString tag = QString())
            : m_tag(std::move(tag))
        { }
        Holder(const Holder &) = delete;
        Holder &operator=(const Holder &) = delete;
        const QString &tag() const { return m_tag; }
        // Called (without the lock's mutex) when this holder goes to sleep waiting for the lock
        // (true) and when it wakes with it (false); not for the short spins. The plugin host
        // gives the job's worker slot back meanwhile.
        std::function<void(bool sleeping)> onSleep;
        bool holds() const { return m_holds; }

    private:
        friend class Gil;
        QString m_tag; // statistics are kept per tag (the plugin's name)
        std::atomic<bool> m_granted { false };
        std::condition_variable m_wake;
        bool m_sleeping = false;
        bool m_timed = false; // sleeping until its switch interval is up
        bool m_holds = false;
        bool m_afterIo = false; // this hold began at the end of a released region
        bool m_demoted = false; // held long after I/O: no priority next time
        int m_releaseDepth = 0;
        Clock::time_point m_waitStart;
        Clock::time_point m_holdStart;
    };

    // Histogram buckets: [0] < 1 us, [i] < 2^i us, the last one everything longer.
    static constexpr int kBuckets = 24;
    struct Stats
    {
        quint64 acquisitions = 0;
        quint64 handoffs = 0; // given up at a checkpoint or yield to a waiter
        quint64 ioReturns = 0; // acquisitions ahead of CPU-bound waiters
        std::array<quint64, kBuckets> waitUs {};
        std::array<quint64, kBuckets> holdUs {};
        quint64 waitTotalUs = 0;
        quint64 holdTotalUs = 0;
        quint64 maxWaitUs = 0;
        quint64 maxHoldUs = 0;

        // The value below which `fraction` of the waits fall (a bucket's upper bound, in us).
        static quint64 percentileUs(
            const std::array<quint64, kBuckets> &histogram, double fraction);
    };

    explicit Gil(std::chrono::microseconds switchInterval = kDefaultSwitchInterval,
        std::chrono::microseconds ioSlice = kDefaultIoSlice);
    Gil(const Gil &) = delete;
    Gil &operator=(const Gil &) = delete;

    std::chrono::microseconds switchInterval() const { return m_switchInterval.load(); }
    void setSwitchInterval(std::chrono::microseconds interval) { m_switchInterval = interval; }
    // How long a holder keeps the lock, at least, before a thread back from I/O may take it at a
    // checkpoint. 0: at the very next checkpoint. A new value applies from the next grant.
    std::chrono::microseconds ioSlice() const { return m_ioSlice.load(); }
    void setIoSlice(std::chrono::microseconds slice) { m_ioSlice = slice; }

    // Takes the lock, after every thread already waiting.
    void acquire(Holder &holder);
    // Gives the lock to the next waiter, or frees it.
    void release(Holder &holder);
    // Called often by the holder (every host-API call of a legacy job). Two relaxed loads unless a
    // hand-over is due: it hands the lock over when a thread back from I/O waits and the holder's
    // I/O slice is up, or the first waiter has waited a switch interval, and takes it back in
    // turn. Returns whether it handed over.
    bool checkpoint(Holder &holder);
    // Hands over to the next waiter now, if any, and takes the lock back in turn.
    bool yield(Holder &holder);
    // Around blocking work (I/O, waits): releases the lock, and takes it back afterwards ahead of
    // CPU-bound waiters. Nested regions release once, at the outermost.
    void beginRelease(Holder &holder);
    void endRelease(Holder &holder);

    // Threads waiting now (for tests and the statistics view).
    int waiting() const { return m_waiting.load(std::memory_order_acquire); }
    QHash<QString, Stats> stats() const;

private:
    enum class Line { Cpu, Io };
    void wait(std::unique_lock<std::mutex> &lock, Holder &holder, Line line, bool front = false);
    // With m_mutex held: the next waiter, or null.
    Holder *takeNext();
    void grant(Holder *next, Clock::time_point now);
    void noteFirstWaiter();
    void handOver(std::unique_lock<std::mutex> &lock, Holder &holder, bool preemptedByIo);
    void recordHold(Holder &holder, Clock::time_point now);
    // When the current hold's I/O slice ends (m_sliceEnd, written under m_mutex by grant()).
    Clock::time_point sliceEnd() const;
    // For a waiter back from I/O: raises m_ioDue if the holder's slice is up at `now`; whether it
    // is.
    bool raiseIoDueIfSliceUsed(Clock::time_point now);

    std::atomic<std::chrono::microseconds> m_switchInterval;
    std::atomic<std::chrono::microseconds> m_ioSlice;
    mutable std::mutex m_mutex;
    Holder *m_owner = nullptr;
    std::deque<Holder *> m_io;
    std::deque<Holder *> m_cpu;
    std::atomic<int> m_waiting { 0 };
    // The current hold's I/O slice end (Clock ticks), and whether a waiter back from I/O has seen
    // it pass: set by that waiter, so the holder's checkpoints read no clock until it is.
    std::atomic<Clock::rep> m_sliceEnd { 0 };
    std::atomic<bool> m_ioDue { false };
    std::atomic<bool> m_dropRequest { false }; // the first CPU-bound waiter's interval is up
    QHash<QString, Stats> m_stats;
};

// Releases the lock for the scope's lifetime (blocking work), like Py_BEGIN_ALLOW_THREADS.
class GilReleaseScope
{
public:
    GilReleaseScope(Gil &gil, Gil::Holder &holder)
        : m_gil(gil)
        , m_holder(holder)
    {
        m_gil.beginRelease(m_holder);
    }
    ~GilReleaseScope() { m_gil.endRelease(m_holder); }
    GilReleaseScope(const GilReleaseScope &) = delete;
    GilReleaseScope &operator=(const GilReleaseScope &) = delete;

private:
    Gil &m_gil;
    Gil::Holder &m_holder;
};

} // namespace spool
