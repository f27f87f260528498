#pragma once

#include <memory>

#include <QHash>
#include <QThread>
#include <QTimer>

#include "job/jobkindregistry.h"
#include "queue/jobqueue.h"
#include "queue/queueconfig.h"
#include "util/mailbox.h"

namespace spool {

class Scheduler;

class JobQueueImpl final : public JobQueue
{
    Q_OBJECT

public:
    JobQueueImpl(std::shared_ptr<JobStore> store, std::shared_ptr<const JobKindRegistry> registry,
        QueueConfig config, QObject *parent = nullptr);
    // Stops the queue if needed (releasing running jobs) and waits for its threads.
    ~JobQueueImpl() override;
    Q_DISABLE_COPY_MOVE(JobQueueImpl)

    Result<QUuid> enqueue(
        const QString &kind, const QJsonObject &params, int maxAttempts = 0) override;
    Result<QList<QUuid>> enqueueMany(
        const QString &kind, const QList<QJsonObject> &params, int maxAttempts = 0) override;
    void commandMany(const QList<QUuid> &ids, JobCommand command) override;
    void clearFinished() override;
    void forgetFinishedBefore(qint64 finishedBeforeMs) override;
    void requestEvents(const QUuid &id) override;
    void requestSharedPreview(const QUuid &id) override;
    void setQueuePaused(bool paused) override;
    void requestSnapshot() override;
    void start() override;
    void stop(StopMode mode) override;
    void poke() override;
    QString location() const override;

    // The lease owner name of this process's runner.
    QString runnerId() const;
    bool isStopped() const { return m_stopped; }

private:
    Q_INVOKABLE void drainOutbox();
    void joinControlThread();
    QList<JobRecord> freshRecords(QList<JobRecord> records);

    std::shared_ptr<JobStore> m_store;
    std::shared_ptr<const JobKindRegistry> m_registry;
    QueueConfig m_config;
    Mailbox<outbox::Item> m_outbox;
    QThread m_controlThread;
    Scheduler *m_scheduler = nullptr;
    QHash<QUuid, qint64> m_knownRevs;
    static constexpr qint64 kMinDrainIntervalMs = 8;
    qint64 m_lastDrainMs = -kMinDrainIntervalMs; // on m_config.steadyMs
    QTimer m_drainTimer;
    bool m_stopRequested = false;
    bool m_stopped = false;
};

} // namespace spool
