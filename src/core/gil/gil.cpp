#include "gil.h"

#include <bit>
#include <cmath>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace spool {

namespace {

// How long a thread that is next in line (back from I/O, or a holder cut short by one) spins for
// the lock before it sleeps. A thread back from I/O usually holds it for microseconds.
constexpr auto kSpinAfterPreemption = std::chrono::microseconds(50);
// A thread back from I/O spins through what is left of the holder's I/O slice too, when that is no
// longer than this: it is served right after, and a futex sleep and wake-up would cost more.
constexpr auto kLongestSliceSpin = std::chrono::microseconds(500);

int bucketOf(quint64 us)
{
    if (us == 0)
        return 0;
    return std::min(Gil::kBuckets - 1, int(std::bit_width(us)));
}

quint64 micros(Gil::Clock::duration d)
{
    return quint64(
        std::max<qint64>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
}

inline void cpuRelax()
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#else
    std::this_thread::yield();
#endif
}

} // namespace

quint64 Gil::Stats::percentileUs(const std::array<quint64, kBuckets> &histogram, double fraction)
{
    quint64 total = 0;
    for (quint64 n : histogram)
        total += n;
    if (total == 0)
        return 0;
    const auto wanted = quint64(std::ceil(double(total) * fraction));
    quint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += histogram[size_t(i)];
        if (seen >= wanted)
            return quint64(1) << i;
    }
    return quint64(1) << (kBuckets - 1);
}

Gil::Gil(std::chrono::microseconds switchInterval, std::chrono::microseconds ioSlice)
    : m_switchInterval(switchInterval)
    , m_ioSlice(ioSlice)
{ }

void Gil::acquire(Holder &holder)
{
    Q_ASSERT(!holder.m_holds);
    std::unique_lock lock(m_mutex);
    if (!m_owner && m_io.empty() && m_cpu.empty()) {
        holder.m_waitStart = Clock::now();
        grant(&holder, holder.m_waitStart);
        holder.m_holds = true;
        return;
    }
    wait(lock, holder, Line::Cpu);
}

void Gil::release(Holder &holder)
{
    Q_ASSERT(holder.m_holds);
    std::unique_lock lock(m_mutex);
    const auto now = Clock::now();
    recordHold(holder, now);
    holder.m_holds = false;
    if (Holder *next = takeNext())
        grant(next, now);
    else
        m_owner = nullptr;
}

bool Gil::checkpoint(Holder &holder)
{
    Q_ASSERT(holder.m_holds);
    // The common case costs two relaxed loads: no clock, no mutex. The waiters raise the flags
    // themselves (as CPython's eval breaker): a thread back from I/O once the holder's slice is
    // up, the first CPU-bound waiter once it has waited the switch interval.
    if (!m_ioDue.load(std::memory_order_relaxed) && !m_dropRequest.load(std::memory_order_relaxed))
        return false;
    std::unique_lock lock(m_mutex);
    const auto now = Clock::now();
    // The flags are hints, checked here: one raised against the hold before this one is stale.
    if (!m_io.empty() && now >= sliceEnd()) {
        handOver(lock, holder, true);
        return true;
    }
    m_ioDue.store(false, std::memory_order_relaxed); // the waiter raises it again when due
    if (!m_cpu.empty() && now - m_cpu.front()->m_waitStart >= m_switchInterval.load()) {
        handOver(lock, holder, false);
        return true;
    }
    noteFirstWaiter(); // a request for a waiter no longer first: not due yet
    if (!m_io.empty() && m_io.front()->m_sleeping)
        m_io.front()->m_wake.notify_one(); // to time the slice again
    return false;
}

bool Gil::yield(Holder &holder)
{
    Q_ASSERT(holder.m_holds);
    if (m_waiting.load(std::memory_order_relaxed) == 0)
        return false;
    std::unique_lock lock(m_mutex);
    if (m_io.empty() && m_cpu.empty())
        return false;
    handOver(lock, holder, false);
    return true;
}

void Gil::beginRelease(Holder &holder)
{
    if (holder.m_releaseDepth++ > 0)
        return; // an inner scope: the outermost released already
    release(holder);
}

void Gil::endRelease(Holder &holder)
{
    Q_ASSERT(holder.m_releaseDepth > 0);
    if (--holder.m_releaseDepth > 0)
        return;
    std::unique_lock lock(m_mutex);
    if (!m_owner && m_io.empty() && m_cpu.empty()) {
        holder.m_waitStart = Clock::now();
        grant(&holder, holder.m_waitStart);
        holder.m_afterIo = true;
        holder.m_holds = true;
        return;
    }
    holder.m_afterIo = true;
    wait(lock, holder, holder.m_demoted ? Line::Cpu : Line::Io);
}

QHash<QString, Gil::Stats> Gil::stats() const
{
    std::lock_guard lock(m_mutex);
    // A deep copy. A shared one would be detached later by grant() on a job's thread, and
    // QHash decides that with a relaxed load of its reference count: a race with this caller
    // still reading the data (ThreadSanitizer reported it).
    QHash<QString, Stats> copy;
    copy.reserve(m_stats.size());
    for (auto it = m_stats.cbegin(); it != m_stats.cend(); ++it)
        copy.insert(it.key(), it.value());
    return copy;
}

void Gil::wait(std::unique_lock<std::mutex> &lock, Holder &holder, Line line, bool front)
{
    holder.m_granted.store(false, std::memory_order_relaxed);
    holder.m_waitStart = Clock::now();
    auto &queue = line == Line::Io ? m_io : m_cpu;
    if (front)
        queue.push_front(&holder);
    else
        queue.push_back(&holder);
    auto until = holder.m_waitStart + kSpinAfterPreemption;
    if (line == Line::Io && !raiseIoDueIfSliceUsed(holder.m_waitStart)
        && sliceEnd() - holder.m_waitStart <= kLongestSliceSpin)
        until = sliceEnd() + kSpinAfterPreemption;
    // Published after the flag: whoever sees this waiter counted sees the flag too.
    m_waiting.fetch_add(1, std::memory_order_release);
    if (front || line == Line::Io) {
        // Next in line, served at the holder's next checkpoint or once its I/O slice is up
        // (100 us by default). Spinning that long beats a futex sleep and a wake-up (tens of
        // microseconds each way, paid by the CPU-bound jobs at every round-trip).
        lock.unlock();
        for (unsigned spins = 1;; ++spins) {
            if (holder.m_granted.load(std::memory_order_acquire)) {
                // Granted while spinning: the granter wrote everything this thread needs
                // before its release store; no need to take the mutex again.
                holder.m_holds = true;
                return;
            }
            if (spins % 64 == 0) { // reading the clock costs too
                const auto now = Clock::now();
                if (line == Line::Io && !m_ioDue.load(std::memory_order_relaxed))
                    raiseIoDueIfSliceUsed(now);
                if (now >= until)
                    break;
            }
            cpuRelax();
        }
        lock.lock();
    }
    bool parked = false;
    if (holder.onSleep && !holder.m_granted.load(std::memory_order_acquire)) {
        lock.unlock(); // the callback may take its own locks; a grant meanwhile is seen below
        holder.onSleep(true);
        parked = true;
        lock.lock();
    }
    holder.m_sleeping = true;
    while (!holder.m_granted.load(std::memory_order_acquire)) {
        if (line == Line::Io) {
            if (raiseIoDueIfSliceUsed(Clock::now()))
                holder.m_wake.wait(lock); // granted at the holder's next checkpoint
            else
                holder.m_wake.wait_until(lock, sliceEnd());
        } else if (line == Line::Cpu && !m_cpu.empty() && m_cpu.front() == &holder) {
            // First CPU-bound waiter: ask the holder to hand over once the interval is up.
            const auto due = holder.m_waitStart + m_switchInterval.load();
            if (Clock::now() >= due) {
                m_dropRequest.store(true, std::memory_order_relaxed);
                holder.m_wake.wait(lock);
            } else {
                holder.m_timed = true;
                holder.m_wake.wait_until(lock, due);
                holder.m_timed = false;
            }
        } else {
            holder.m_wake.wait(lock); // woken when it becomes first, or granted
        }
    }
    holder.m_sleeping = false;
    holder.m_holds = true;
    if (parked) {
        lock.unlock();
        holder.onSleep(false);
    }
}

Gil::Holder *Gil::takeNext()
{
    Holder *next = nullptr;
    if (!m_io.empty()) {
        next = m_io.front();
        m_io.pop_front();
        m_stats[next->m_tag].ioReturns++;
        // The next one back from I/O times the new holder's slice.
        if (!m_io.empty() && m_io.front()->m_sleeping)
            m_io.front()->m_wake.notify_one();
    } else if (!m_cpu.empty()) {
        next = m_cpu.front();
        m_cpu.pop_front();
        noteFirstWaiter();
    }
    if (next)
        m_waiting.fetch_sub(1, std::memory_order_relaxed);
    return next;
}

void Gil::noteFirstWaiter()
{
    // The drop request stands for the first CPU-bound waiter only. When that changes, either the
    // new first one is due already, or it must be timing its own interval. Waking it only when it
    // is not avoids a futex wake for every I/O round-trip (the holder cut short by a thread back
    // from I/O is first in line for a few microseconds, and then leaves it again).
    if (m_cpu.empty()) {
        m_dropRequest.store(false, std::memory_order_relaxed);
        return;
    }
    Holder *first = m_cpu.front();
    const bool due = Clock::now() - first->m_waitStart >= m_switchInterval.load();
    m_dropRequest.store(due, std::memory_order_relaxed);
    if (!due && first->m_sleeping && !first->m_timed)
        first->m_wake.notify_one();
}

void Gil::grant(Holder *next, Clock::time_point now)
{
    m_owner = next;
    Stats &s = m_stats[next->m_tag];
    const quint64 waited = micros(now - next->m_waitStart);
    s.acquisitions++;
    s.waitUs[size_t(bucketOf(waited))]++;
    s.waitTotalUs += waited;
    s.maxWaitUs = std::max(s.maxWaitUs, waited);
    next->m_holdStart = now;
    m_sliceEnd.store(
        (now + m_ioSlice.load()).time_since_epoch().count(), std::memory_order_relaxed);
    m_ioDue.store(false, std::memory_order_relaxed);
    // Read before the grant is published: a spinning waiter runs off with the lock the moment it
    // sees it, without the mutex, and may release it and destroy its Holder while this thread is
    // still here. A sleeping one cannot: it needs the mutex this thread holds to wake up.
    const bool sleeping = next->m_sleeping;
    next->m_granted.store(true, std::memory_order_release);
    if (sleeping)
        next->m_wake.notify_one();
    // `next` must not be touched after this point.
}

void Gil::handOver(std::unique_lock<std::mutex> &lock, Holder &holder, bool preemptedByIo)
{
    const auto now = Clock::now();
    recordHold(holder, now);
    m_stats[holder.m_tag].handoffs++;
    holder.m_holds = false;
    Holder *next = takeNext();
    Q_ASSERT(next);
    grant(next, now);
    // Cut short by I/O: first in line to get it back. Its switch interval ran out: the back of
    // the line.
    wait(lock, holder, Line::Cpu, preemptedByIo);
}

Gil::Clock::time_point Gil::sliceEnd() const
{
    return Clock::time_point(Clock::duration(m_sliceEnd.load(std::memory_order_relaxed)));
}

bool Gil::raiseIoDueIfSliceUsed(Clock::time_point now)
{
    if (now < sliceEnd())
        return false;
    m_ioDue.store(true, std::memory_order_relaxed);
    return true;
}

void Gil::recordHold(Holder &holder, Clock::time_point now)
{
    const auto held = now - holder.m_holdStart;
    if (holder.m_afterIo) {
        // Back from I/O and then kept the lock long: no priority on the next return, until a
        // return is followed by a short hold again.
        holder.m_demoted = held > m_switchInterval.load();
        holder.m_afterIo = false;
    }
    Stats &s = m_stats[holder.m_tag];
    const quint64 us = micros(held);
    s.holdUs[size_t(bucketOf(us))]++;
    s.holdTotalUs += us;
    s.maxHoldUs = std::max(s.maxHoldUs, us);
}

} // namespace spool
