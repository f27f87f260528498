#pragma once

#include <memory>

#include <QObject>
#include <QTimer>

#include "appsettings.h"
#include "job/jobkindregistry.h"
#include "queue/jobqueue.h"
#include "store/jobstore.h"

namespace spool::app {

// Owns the running queue of the app. New limits or priority take a new queue: the old one
// releases its running jobs (they resume where they were) and the new one picks them up.
class AppController final : public QObject
{
    Q_OBJECT

public:
    AppController(QString dataDir, std::shared_ptr<JobStore> store,
        std::shared_ptr<const JobKindRegistry> registry, AppSettings *settings,
        QObject *parent = nullptr);
    ~AppController() override;
    Q_DISABLE_COPY_MOVE(AppController)

    JobQueue *queue() const { return m_queue.get(); }
    // For views that read the store themselves, off the GUI thread (the Runners view).
    std::shared_ptr<JobStore> store() const { return m_store; }
    std::shared_ptr<const JobKindRegistry> registry() const { return m_registry; }
    AppSettings *settings() const { return m_settings; }
    QString dataDir() const { return m_dataDir; }

    void start();
    // Restarts the queue with the current settings.
    void applySettings();
    // Stops for good: Drain lets running jobs finish, Release sends them back to the queue.
    void shutDown(StopMode mode);

Q_SIGNALS:
    void queueReplaced(spool::JobQueue *queue);
    void shutDownComplete();

private:
    std::unique_ptr<JobQueue> makeQueue();
    // Retention: forgets jobs that finished more than the chosen days ago.
    void forgetOldJobs();

    QString m_dataDir;
    std::shared_ptr<JobStore> m_store;
    std::shared_ptr<const JobKindRegistry> m_registry;
    AppSettings *m_settings;
    std::unique_ptr<JobQueue> m_queue;
    std::unique_ptr<JobQueue> m_retiring;
    bool m_shuttingDown = false;
    QTimer *m_retentionTimer;
};

} // namespace spool::app
