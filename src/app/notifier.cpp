#include "notifier.h"

#include <utility>

#include <QLocale>
#include <QSystemTrayIcon>

#include "appsettings.h"
#include "desktopnotifications.h"

namespace spool::app {

Notifier::Notifier(AppSettings *settings, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_idleIcon(QStringLiteral(":/icons/spool.svg"))
    , m_busyIcon(QStringLiteral(":/icons/spool-busy.svg"))
    , m_desktop(new DesktopNotifications(this))
{
    connect(m_desktop, &DesktopNotifications::settled, this, [this] {
        if (usesStatusBar())
            Q_EMIT statusBarOnly();
        const QList<Notice> pending = std::exchange(m_pending, {});
        for (const Notice &notice : pending)
            deliver(notice);
    });
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(m_idleIcon, this);
    m_tray->setToolTip(tr("Spool"));
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] { Q_EMIT activated(); });
    m_tray->show();
}

void Notifier::jobFinished(const JobRecord &record, const QString &title)
{
    QString text;
    bool failure = false;
    switch (record.state) {
    case JobState::Succeeded:
        if (!m_settings->notifyOnSuccess())
            return;
        text = tr("%1 is done").arg(title);
        break;
    case JobState::Failed:
        if (!m_settings->notifyOnFailure())
            return;
        text = tr("%1 failed: %2").arg(title, record.error);
        failure = true;
        break;
    default:
        return; // a canceled job was canceled by the user: no news
    }
    const Notice notice { failure ? tr("Job failed") : tr("Job done"), text,
        failure ? QString() : record.output, failure };
    if (!m_desktop->isKnown()) {
        m_pending.append(notice); // for the few ms until the notification service answers
        return;
    }
    deliver(notice);
}

bool Notifier::usesStatusBar() const
{
    return m_desktop->isKnown() && !m_desktop->available() && !m_tray;
}

void Notifier::deliver(const Notice &notice)
{
    if (m_desktop->available()) {
        m_desktop->show(notice.summary, notice.text, notice.output, notice.failure);
        return;
    }
    if (m_tray) {
        m_tray->showMessage(notice.summary, notice.text,
            notice.failure ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
        return;
    }
    Q_EMIT statusMessage(notice.text, 8000);
}

void Notifier::countsChanged(const QueueCounts &counts)
{
    if (!m_tray)
        return;
    m_tray->setIcon(counts.running > 0 ? m_busyIcon : m_idleIcon);
    const QLocale locale;
    m_tray->setToolTip(tr("Spool: %1 running, %2 queued")
                           .arg(locale.toString(counts.running), locale.toString(counts.queued)));
}

} // namespace spool::app
