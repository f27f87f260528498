#pragma once

#include <QObject>

class QSocketNotifier;

namespace spool {

// Turns SIGINT and SIGTERM into a Qt signal on the main thread (self-pipe), so that a runner
// can stop cleanly: running jobs go back to the queue instead of waiting for lease expiry.
class SignalWatcher final : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;
    Q_DISABLE_COPY_MOVE(SignalWatcher)

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void readSignal();
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace spool
