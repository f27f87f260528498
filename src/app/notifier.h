#pragma once

#include <QIcon>
#include <QObject>

#include "job/jobrecord.h"
#include "store/jobstore.h"

class QSystemTrayIcon;

namespace spool::app {

class AppSettings;
class DesktopNotifications;

// Tells the user when jobs finish: through the desktop's notification service when the session
// has one (with Open and Show in Folder), else a tray message where a system tray exists (its
// icon shows activity), else a status-bar message (statusMessage).
class Notifier final : public QObject
{
    Q_OBJECT

public:
    Notifier(AppSettings *settings, QObject *parent = nullptr);
    bool hasTray() const { return m_tray != nullptr; }
    // True when notices can only go to the status bar (no notification service, no tray); false
    // while the service has not answered yet (statusBarOnly is emitted if it turns out so).
    bool usesStatusBar() const;

    void jobFinished(const JobRecord &record, const QString &title);
    void countsChanged(const QueueCounts &counts);

Q_SIGNALS:
    void statusMessage(const QString &text, int timeoutMs);
    void activated(); // the tray icon was clicked
    void statusBarOnly(); // the notification service did not answer and there is no tray

private:
    struct Notice
    {
        QString summary, text, output;
        bool failure = false;
    };
    void deliver(const Notice &notice);

    AppSettings *m_settings;
    QSystemTrayIcon *m_tray = nullptr;
    QIcon m_idleIcon;
    QIcon m_busyIcon;
    DesktopNotifications *m_desktop;
    QList<Notice> m_pending;
};

} // namespace spool::app
