#pragma once

#include <QHash>
#include <QObject>
#include <QString>

namespace spool::app {

// The desktop's notification service (org.freedesktop.Notifications on the session bus), with
// "Open" and "Show in Folder" actions for a finished job's output. Every call is asynchronous:
// the GUI thread never waits on the bus. available() turns true once the service has answered.
class DesktopNotifications final : public QObject
{
    Q_OBJECT

public:
    explicit DesktopNotifications(QObject *parent = nullptr);
    // Until the service has answered (or not), whether it can be used is unknown.
    bool isKnown() const { return m_known; }
    bool available() const { return m_available; }
    // `output` (a file) gets the actions; empty: a notice without them.
    void show(const QString &summary, const QString &body, const QString &output, bool failure);

Q_SIGNALS:
    void settled(bool available); // once, when the service answered or failed to

private Q_SLOTS:
    void actionInvoked(uint id, const QString &action);
    void closed(uint id, uint reason);

private:
    void settle(bool available);

    bool m_known = false;
    bool m_available = false;
    QHash<uint, QString> m_outputs; // notification id -> the file its actions open
};

} // namespace spool::app
