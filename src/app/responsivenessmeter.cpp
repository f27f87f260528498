#include "responsivenessmeter.h"

#include <algorithm>

namespace spool::app {

namespace {
constexpr int kIntervalMs = 25;
constexpr qint64 kWindowMs = 5000;
} // namespace

ResponsivenessMeter::ResponsivenessMeter(QObject *parent)
    : QObject(parent)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ResponsivenessMeter::tick);
    m_clock.start();
    m_timer.start();
}

void ResponsivenessMeter::tick()
{
    const qint64 now = m_clock.elapsed();
    if (m_lastTickMs > 0)
        m_delays.emplace_back(now, qMax<qint64>(0, now - m_lastTickMs - kIntervalMs));
    m_lastTickMs = now;
    while (!m_delays.empty() && m_delays.front().first < now - kWindowMs)
        m_delays.pop_front();
    const qint64 worst = worstRecentMs();
    if (worst != m_lastReported) {
        m_lastReported = worst;
        Q_EMIT worstRecentChanged(worst);
    }
}

qint64 ResponsivenessMeter::worstRecentMs() const
{
    qint64 worst = 0;
    for (const auto &[at, delay] : m_delays)
        worst = std::max(worst, delay);
    return worst;
}

} // namespace spool::app
