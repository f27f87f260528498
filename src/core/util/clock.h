#pragma once

#include <atomic>

#include <QtGlobal>

namespace spool {

// Wall-clock milliseconds since the epoch. Injectable so that backoff and lease expiry can be
// tested without sleeping. Several processes compare these values, so it must be wall time.
class Clock
{
public:
    virtual ~Clock() = default;
    virtual qint64 nowMs() const = 0;

    // The process-wide real clock.
    static Clock *system();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000)
        : m_nowMs(startMs)
    { }
    Q_DISABLE_COPY_MOVE(ManualClock)

    qint64 nowMs() const override { return m_nowMs.load(std::memory_order_acquire); }
    void advance(qint64 ms) { m_nowMs.fetch_add(ms, std::memory_order_acq_rel); }
    void set(qint64 ms) { m_nowMs.store(ms, std::memory_order_release); }

private:
    std::atomic<qint64> m_nowMs;
};

} // namespace spool
