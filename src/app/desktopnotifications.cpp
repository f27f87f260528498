#include "desktopnotifications.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDesktopServices>
#include <QFileInfo>
#include <QUrl>

namespace spool::app {

namespace {

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
const QString kOpen = QStringLiteral("open");
const QString kFolder = QStringLiteral("folder");

} // namespace

DesktopNotifications::DesktopNotifications(QObject *parent)
    : QObject(parent)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        m_known = true; // no session bus: nothing to wait for
        return;
    }
    bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
        SLOT(actionInvoked(uint, QString)));
    bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
        SLOT(closed(uint, uint)));
    // Asks the service who it is; the call also starts a service that is D-Bus activated.
    const QDBusMessage ask = QDBusMessage::createMethodCall(
        kService, kPath, kInterface, QStringLiteral("GetServerInformation"));
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(ask), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        settle(!w->isError());
        w->deleteLater();
    });
}

void DesktopNotifications::settle(bool available)
{
    m_known = true;
    m_available = available;
    Q_EMIT settled(available);
}

void DesktopNotifications::show(
    const QString &summary, const QString &body, const QString &output, bool failure)
{
    QStringList actions;
    if (!output.isEmpty()) // "default" is a click on the notice itself
        actions << QStringLiteral("default") << tr("Open") << kOpen << tr("Open") << kFolder
                << tr("Show in Folder");
    const QVariantMap hints {
        { QStringLiteral("desktop-entry"), QStringLiteral("org.spool.Spool") },
        { QStringLiteral("urgency"), QVariant::fromValue<uchar>(failure ? 2 : 1) },
    };
    QDBusMessage notify =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    notify << QStringLiteral("Spool") << uint(0) << QStringLiteral("org.spool.Spool") << summary
           << body << actions << hints << int(-1);
    auto *watcher =
        new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(notify), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
        [this, output](QDBusPendingCallWatcher *w) {
            const QDBusPendingReply<uint> reply = *w;
            if (!reply.isError() && !output.isEmpty())
                m_outputs.insert(reply.value(), output);
            w->deleteLater();
        });
}

void DesktopNotifications::actionInvoked(uint id, const QString &action)
{
    const QString output = m_outputs.value(id);
    if (output.isEmpty())
        return; // another program's notice, or one without actions
    const QFileInfo file(output);
    QDesktopServices::openUrl(
        QUrl::fromLocalFile(action == kFolder ? file.absolutePath() : file.absoluteFilePath()));
}

void DesktopNotifications::closed(uint id, uint)
{
    m_outputs.remove(id);
}

} // namespace spool::app
