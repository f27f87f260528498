#include "appcontroller.h"

#include <QDateTime>

#include "plugins/pluginhost.h"
#include "queue/jobqueueimpl.h"

namespace spool::app {

namespace {
constexpr int kRetentionCheckMs = 3600 * 1000;
}

AppController::AppController(QString dataDir, std::shared_ptr<JobStore> store,
    std::shared_ptr<const JobKindRegistry> registry, AppSettings *settings, QObject *parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_store(std::move(store))
    , m_registry(std::move(registry))
    , m_settings(settings)
    , m_queue(makeQueue())
    , m_retentionTimer(new QTimer(this))
{
    m_retentionTimer->setInterval(kRetentionCheckMs);
    connect(m_retentionTimer, &QTimer::timeout, this, &AppController::forgetOldJobs);
}

AppController::~AppController() = default;

std::unique_ptr<JobQueue> AppController::makeQueue()
{
    PluginHost::instance().setGilMode(m_settings->gilMode());
    PluginHost::instance().setPluginGilModes(m_settings->pluginGilModes());
    PluginHost::instance().gil().setSwitchInterval(
        std::chrono::milliseconds(m_settings->gilSwitchIntervalMs()));
    return std::make_unique<JobQueueImpl>(m_store, m_registry, m_settings->queueConfig(m_dataDir));
}

void AppController::start()
{
    m_queue->start();
    m_retentionTimer->start();
    forgetOldJobs();
}

void AppController::forgetOldJobs()
{
    const int days = m_settings->retentionDays();
    if (days > 0 && !m_shuttingDown)
        m_queue->forgetFinishedBefore(
            QDateTime::currentMSecsSinceEpoch() - qint64(days) * 24 * 3600 * 1000);
}

void AppController::applySettings()
{
    if (m_shuttingDown || m_retiring)
        return;
    // The old queue lets go of its jobs first; only then may the new one claim them.
    m_retiring = std::move(m_queue);
    m_queue = makeQueue();
    Q_EMIT queueReplaced(m_queue.get());
    connect(m_retiring.get(), &JobQueue::stopped, this, [this] {
        m_retiring.release()->deleteLater();
        m_queue->start();
        forgetOldJobs(); // the days may have changed
    });
    m_retiring->stop(StopMode::Release);
}

void AppController::shutDown(StopMode mode)
{
    m_shuttingDown = true;
    connect(m_queue.get(), &JobQueue::stopped, this, &AppController::shutDownComplete,
        Qt::UniqueConnection);
    m_queue->stop(mode);
}

} // namespace spool::app
