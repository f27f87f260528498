#pragma once

#include <QIcon>
#include <QObject>

#include "job/jobrecord.h"
#include "store/jobstore.h"

class QSystemTrayIcon;

namespace spool::app {

class AppSettings;

// Tells the user when jobs finish: a tray message where a system tray exists (its icon shows
// activity), otherwise a status-bar message (statusMessage).
class Notifier final : public QObject
{
    Q_OBJECT

public:
    Notifier(AppSettings *settings, QObject *parent = nullptr);
    bool hasTray() const { return m_tray != nullptr; }

    void jobFinished(const JobRecord &record, const QString &title);
    void countsChanged(const QueueCounts &counts);

Q_SIGNALS:
    void statusMessage(const QString &text, int timeoutMs);
    void activated(); // the tray icon was clicked

private:
    AppSettings *m_settings;
    QSystemTrayIcon *m_tray = nullptr;
    QIcon m_idleIcon;
    QIcon m_busyIcon;
};

} // namespace spool::app
