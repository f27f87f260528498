#pragma once

#include <QHash>
#include <QSettings>

#include "queue/queueconfig.h"

namespace spool::app {

// The app's settings (QSettings), typed, with the defaults in one place.
class AppSettings final
{
public:
    AppSettings();
    // Writes what was set now (before a process ends without its destructors).
    void sync() { m_settings.sync(); }

    int workers() const;
    void setWorkers(int workers);
    WorkerPriority priority() const;
    void setPriority(WorkerPriority priority);
    QHash<QString, int> kindCaps() const;
    void setKindCaps(const QHash<QString, int> &caps);
    int hostCap() const;
    void setHostCap(int cap);
    // Finished jobs are forgotten this many days after they finished (0: kept).
    int retentionDays() const;
    void setRetentionDays(int days);
    QString downloadDir() const;
    void setDownloadDir(const QString &dir);
    bool gilMode() const; // legacy plugins serialized in-process (true) or in worker processes
    void setGilMode(bool on);
    // Per legacy plugin, over gilMode(): true GIL, false worker processes.
    QHash<QString, bool> pluginGilModes() const;
    void setPluginGilModes(const QHash<QString, bool> &modes);
    int gilSwitchIntervalMs() const; // 1..1000, default 5
    void setGilSwitchIntervalMs(int ms);
    bool notifyOnSuccess() const;
    void setNotifyOnSuccess(bool on);
    bool notifyOnFailure() const;
    void setNotifyOnFailure(bool on);
    // The shared queue's URL (never with a password: libpq reads ~/.pgpass); empty: this
    // computer's queue. --queue and $SPOOL_QUEUE come first.
    QString sharedQueueUrl() const;
    void setSharedQueueUrl(const QString &url);

    QByteArray value(const QString &key) const;
    void setValue(const QString &key, const QByteArray &value);

    // What the queue runs with, for a data directory.
    QueueConfig queueConfig(const QString &dataDir) const;

private:
    mutable QSettings m_settings;
};

} // namespace spool::app
