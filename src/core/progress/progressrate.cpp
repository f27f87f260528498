#include "progressrate.h"

#include <cmath>

namespace spool {

ProgressRate::ProgressRate(qint64 timeConstantMs)
    : m_timeConstantMs(qMax<qint64>(1, timeConstantMs))
{ }

void ProgressRate::addSample(qint64 atMs, qint64 done)
{
    const bool startedOver = m_lastAtMs >= 0 && done < m_lastDone;
    if (m_lastAtMs < 0 || startedOver) {
        // First sample, or the job started over (a download whose server refused to resume).
        m_lastAtMs = atMs;
        m_lastDone = done;
        if (startedOver)
            m_rate = -1;
        return;
    }
    const qint64 dtMs = atMs - m_lastAtMs;
    if (dtMs <= 0)
        return;
    const double instant =
        static_cast<double>(done - m_lastDone) * 1000.0 / static_cast<double>(dtMs);
    if (m_rate < 0) {
        m_rate = instant;
    } else {
        // Weight by elapsed time so the average does not depend on how often samples come.
        const double alpha =
            1.0 - std::exp(-static_cast<double>(dtMs) / static_cast<double>(m_timeConstantMs));
        m_rate += alpha * (instant - m_rate);
    }
    m_lastAtMs = atMs;
    m_lastDone = done;
}

void ProgressRate::reset()
{
    m_lastAtMs = -1;
    m_lastDone = 0;
    m_rate = -1;
}

qint64 ProgressRate::etaMs(qint64 done, qint64 total) const
{
    if (total < 0)
        return -1;
    if (done >= total)
        return 0;
    return etaFromRate(static_cast<double>(total - done), m_rate);
}

qint64 ProgressRate::etaFromRate(double remaining, double ratePerSecond)
{
    if (ratePerSecond <= 0)
        return -1;
    // During a stall the speed decays towards zero without reaching it, and the quotient can
    // pass what a qint64 holds (converting that is undefined).
    const double ms = std::ceil(remaining * 1000.0 / ratePerSecond);
    return ms < static_cast<double>(kNeverMs) ? static_cast<qint64>(ms) : kNeverMs;
}

} // namespace spool
