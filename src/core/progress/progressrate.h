#pragma once

#include <QtGlobal>

namespace spool {

// Speed and ETA from (time, done) samples: an exponentially weighted moving average over time,
// so that a bursty producer (a download delivering 64 KiB chunks) gives a steady figure and a
// stall brings the speed down instead of freezing it.
class ProgressRate final
{
public:
    explicit ProgressRate(qint64 timeConstantMs = 3000);

    void addSample(qint64 atMs, qint64 done);
    void reset();

    // Units per second; -1 until two samples at different times have been seen.
    double ratePerSecond() const { return m_rate; }
    // Milliseconds to reach `total` from `done`; -1 when not knowable.
    qint64 etaMs(qint64 done, qint64 total) const;
    // The same for `remaining` units at `ratePerSecond`: -1 without a speed, kNeverMs when the
    // speed has all but stopped.
    static qint64 etaFromRate(double remaining, double ratePerSecond);
    static constexpr qint64 kNeverMs = 100LL * 365 * 86'400'000; // a century: shown as "∞"

private:
    qint64 m_timeConstantMs;
    qint64 m_lastAtMs = -1;
    qint64 m_lastDone = 0;
    double m_rate = -1;
};

} // namespace spool
