#pragma once

#include <deque>

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace spool::app {

// How late the GUI thread's event loop runs: a timer that should fire every 25 ms notes how late
// it is; the worst delay of the last few seconds is what the user would have felt.
class ResponsivenessMeter final : public QObject
{
    Q_OBJECT

public:
    explicit ResponsivenessMeter(QObject *parent = nullptr);
    qint64 worstRecentMs() const;

Q_SIGNALS:
    void worstRecentChanged(qint64 worstMs);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastTickMs = 0;
    std::deque<std::pair<qint64, qint64>> m_delays; // (at, delay)
    qint64 m_lastReported = -1;
};

} // namespace spool::app
