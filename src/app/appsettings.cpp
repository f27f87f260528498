#include "appsettings.h"

#include <QDir>
#include <QThread>

#include "builtinkinds.h"

namespace spool::app {

AppSettings::AppSettings()
    : m_settings(QSettings::UserScope, QStringLiteral("Spool"), QStringLiteral("spool"))
{ }

int AppSettings::workers() const
{
    return qBound(1,
        m_settings.value(QStringLiteral("queue/workers"), qMax(2, QThread::idealThreadCount()))
            .toInt(),
        256);
}

void AppSettings::setWorkers(int workers)
{
    m_settings.setValue(QStringLiteral("queue/workers"), workers);
}

WorkerPriority AppSettings::priority() const
{
    const WorkerPriority p = workerPriorityFromName(
        m_settings.value(QStringLiteral("queue/priority"), QStringLiteral("low")).toString());
    return p == WorkerPriority::Invalid ? WorkerPriority::Low : p;
}

void AppSettings::setPriority(WorkerPriority priority)
{
    m_settings.setValue(QStringLiteral("queue/priority"), workerPriorityName(priority));
}

QHash<QString, int> AppSettings::kindCaps() const
{
    QHash<QString, int> caps;
    const QVariantMap stored = m_settings.value(QStringLiteral("queue/kindCaps")).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        if (it.value().toInt() > 0)
            caps.insert(it.key(), it.value().toInt());
    }
    return caps;
}

void AppSettings::setKindCaps(const QHash<QString, int> &caps)
{
    QVariantMap stored;
    for (auto it = caps.cbegin(); it != caps.cend(); ++it)
        stored.insert(it.key(), it.value());
    m_settings.setValue(QStringLiteral("queue/kindCaps"), stored);
}

int AppSettings::hostCap() const
{
    return qBound(0, m_settings.value(QStringLiteral("queue/hostCap"), 2).toInt(), 64);
}

void AppSettings::setHostCap(int cap)
{
    m_settings.setValue(QStringLiteral("queue/hostCap"), cap);
}

int AppSettings::retentionDays() const
{
    return qBound(0, m_settings.value(QStringLiteral("queue/retentionDays"), 0).toInt(), 3650);
}

void AppSettings::setRetentionDays(int days)
{
    m_settings.setValue(QStringLiteral("queue/retentionDays"), days);
}

QString AppSettings::downloadDir() const
{
    return m_settings.value(QStringLiteral("downloads/dir"), defaultDownloadDir()).toString();
}

void AppSettings::setDownloadDir(const QString &dir)
{
    m_settings.setValue(QStringLiteral("downloads/dir"), dir);
}

int AppSettings::gilSwitchIntervalMs() const
{
    return qBound(1, m_settings.value(QStringLiteral("plugins/switchIntervalMs"), 5).toInt(), 1000);
}

void AppSettings::setGilSwitchIntervalMs(int ms)
{
    m_settings.setValue(QStringLiteral("plugins/switchIntervalMs"), qBound(1, ms, 1000));
}

bool AppSettings::gilMode() const
{
    return m_settings.value(QStringLiteral("plugins/gil"), true).toBool();
}

void AppSettings::setGilMode(bool on)
{
    m_settings.setValue(QStringLiteral("plugins/gil"), on);
}

QHash<QString, bool> AppSettings::pluginGilModes() const
{
    QHash<QString, bool> modes;
    const QVariantMap stored = m_settings.value(QStringLiteral("plugins/modes")).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        const QString mode = it.value().toString();
        if (mode == QLatin1String("gil") || mode == QLatin1String("process"))
            modes.insert(it.key(), mode == QLatin1String("gil"));
    }
    return modes;
}

void AppSettings::setPluginGilModes(const QHash<QString, bool> &modes)
{
    QVariantMap stored;
    for (auto it = modes.cbegin(); it != modes.cend(); ++it)
        stored.insert(it.key(), it.value() ? QStringLiteral("gil") : QStringLiteral("process"));
    m_settings.setValue(QStringLiteral("plugins/modes"), stored);
}

bool AppSettings::notifyOnSuccess() const
{
    return m_settings.value(QStringLiteral("notifications/success"), true).toBool();
}

void AppSettings::setNotifyOnSuccess(bool on)
{
    m_settings.setValue(QStringLiteral("notifications/success"), on);
}

bool AppSettings::notifyOnFailure() const
{
    return m_settings.value(QStringLiteral("notifications/failure"), true).toBool();
}

void AppSettings::setNotifyOnFailure(bool on)
{
    m_settings.setValue(QStringLiteral("notifications/failure"), on);
}

QByteArray AppSettings::value(const QString &key) const
{
    return m_settings.value(key).toByteArray();
}

void AppSettings::setValue(const QString &key, const QByteArray &value)
{
    m_settings.setValue(key, value);
}

QString AppSettings::sharedQueueUrl() const
{
    return m_settings.value(QStringLiteral("queue/sharedUrl")).toString();
}

void AppSettings::setSharedQueueUrl(const QString &url)
{
    m_settings.setValue(QStringLiteral("queue/sharedUrl"), url);
}

QueueConfig AppSettings::queueConfig(const QString &dataDir) const
{
    QueueConfig config;
    config.workers = workers();
    config.priority = priority();
    config.kindCaps = kindCaps();
    config.hostCap = hostCap();
    config.workRoot = QDir(dataDir).filePath(QStringLiteral("work"));
    return config;
}

} // namespace spool::app
