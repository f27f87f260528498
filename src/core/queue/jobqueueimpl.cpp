#include "jobqueueimpl.h"

#include <chrono>

#include "queue/scheduler.h"
#include "util/ids.h"
#include "util/tsan.h"

namespace spool {

JobQueueImpl::JobQueueImpl(std::shared_ptr<JobStore> store,
    std::shared_ptr<const JobKindRegistry> registry, QueueConfig config, QObject *parent)
    : JobQueue(parent)
    , m_store(std::move(store))
    , m_registry(std::move(registry))
    , m_config(std::move(config))
{
    if (!m_config.steadyMs) {
        m_config.steadyMs = [] {
            using namespace std::chrono;
            return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
        };
    }
    qRegisterMetaType<spool::JobRecord>();
    qRegisterMetaType<spool::JobProgress>();
    qRegisterMetaType<spool::QueueCounts>();
    qRegisterMetaType<spool::JobEvent>();
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, &JobQueueImpl::drainOutbox);
    m_scheduler = new Scheduler(m_store, m_registry, m_config, &m_outbox,
        [this] { QMetaObject::invokeMethod(this, "drainOutbox", Qt::QueuedConnection); });
    m_scheduler->moveToThread(&m_controlThread);
    m_controlThread.setObjectName(QStringLiteral("spool-control"));
    m_controlThread.start();
}

JobQueueImpl::~JobQueueImpl()
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::Stop { StopMode::Release });
    joinControlThread();
    // Undelivered events die with the queue: nobody is left to receive them.
    m_outbox.takeAll();
}

void JobQueueImpl::joinControlThread()
{
    if (!m_scheduler)
        return;
    m_controlThread.wait();
    // Pairs with the release at the end of the scheduler's stop.
    SPOOL_TSAN_ACQUIRE(m_scheduler);
    delete m_scheduler;
    m_scheduler = nullptr;
}

Result<QUuid> JobQueueImpl::enqueue(const QString &kind, const QJsonObject &params, int maxAttempts)
{
    auto ids = enqueueMany(kind, { params }, maxAttempts);
    if (!ids)
        return ids.error();
    return ids->first();
}

Result<QList<QUuid>> JobQueueImpl::enqueueMany(
    const QString &kind, const QList<QJsonObject> &params, int maxAttempts)
{
    if (m_stopRequested)
        return makeError(ErrorCode::InvalidState, QStringLiteral("the queue is stopping"));
    QList<NewJob> jobs;
    jobs.reserve(params.size());
    QList<QUuid> ids;
    ids.reserve(params.size());
    const auto add = [&](QJsonObject jobParams) {
        NewJob job { newJobId(), kind, std::move(jobParams),
            maxAttempts > 0 ? maxAttempts : m_config.retry.maxAttempts };
        ids.append(job.id);
        jobs.append(std::move(job));
    };
    const JobKind *jobKind = m_registry->find(kind);
    const bool splits = jobKind && jobKind->expand;
    for (const QJsonObject &p : params) {
        auto checked = m_registry->validate(kind, p);
        if (!checked)
            return checked.error();
        if (!splits) { // most kinds: no list of one per job
            add(std::move(checked.value()));
            continue;
        }
        for (QJsonObject &expanded : m_registry->expand(kind, checked.value()))
            add(std::move(expanded));
    }
    m_scheduler->post(inbox::Enqueue { std::move(jobs) });
    return ids;
}

void JobQueueImpl::commandMany(const QList<QUuid> &ids, JobCommand jobCommand)
{
    if (m_stopRequested) {
        for (const QUuid &id : ids)
            Q_EMIT commandFailed(id, QStringLiteral("the queue is stopping"));
        return;
    }
    if (!ids.isEmpty())
        m_scheduler->post(inbox::Command { ids, jobCommand });
}

void JobQueueImpl::clearFinished()
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::ClearFinished {});
}

void JobQueueImpl::forgetFinishedBefore(qint64 finishedBeforeMs)
{
    if (!m_stopRequested && finishedBeforeMs > 0)
        m_scheduler->post(inbox::ForgetFinished { finishedBeforeMs });
}

void JobQueueImpl::requestEvents(const QUuid &id)
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::Events { id });
}

void JobQueueImpl::requestSharedPreview(const QUuid &id)
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::SharedPreview { id });
}

void JobQueueImpl::setQueuePaused(bool paused)
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::SetQueuePaused { paused });
}

void JobQueueImpl::requestSnapshot()
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::Snapshot {});
}

void JobQueueImpl::start()
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::Start {});
}

void JobQueueImpl::stop(StopMode mode)
{
    if (m_stopped)
        return;
    m_stopRequested = true;
    m_scheduler->post(inbox::Stop { mode });
}

void JobQueueImpl::poke()
{
    if (!m_stopRequested)
        m_scheduler->post(inbox::Poke {});
}

QString JobQueueImpl::location() const
{
    return m_store->location();
}

QString JobQueueImpl::runnerId() const
{
    return m_scheduler ? m_scheduler->owner() : QString();
}

QList<JobRecord> JobQueueImpl::freshRecords(QList<JobRecord> records)
{
    // The same version can arrive twice (from the runner and from a change scan): keep news only.
    // Filtered in place: a batch can hold 100,000 records.
    m_knownRevs.reserve(m_knownRevs.size() + records.size());
    const auto stale =
        std::remove_if(records.begin(), records.end(), [this](const JobRecord &record) {
            qint64 &known = m_knownRevs[record.id];
            if (record.rev <= known)
                return true;
            known = record.rev;
            return false;
        });
    records.erase(stale, records.end());
    return records;
}

void JobQueueImpl::drainOutbox()
{
    // Under load, deliver in frames: a burst of events costs one wake-up of this thread per
    // frame instead of one per event. The box stays non-empty meanwhile, so producers do not
    // post more wake-ups.
    // One reading of the clock: with two, time could pass between them and the timer's
    // interval turn negative; QTimer then refuses to start, and nothing is delivered again.
    const qint64 nowMs = m_config.steadyMs();
    const qint64 sinceMs = nowMs - m_lastDrainMs;
    if (sinceMs >= 0 && sinceMs < kMinDrainIntervalMs) { // a clock that went back: drain now
        if (!m_drainTimer.isActive())
            m_drainTimer.start(int(kMinDrainIntervalMs - sinceMs));
        return;
    }
    m_lastDrainMs = nowMs;
    std::vector<outbox::Item> items = m_outbox.takeAll();
    for (outbox::Item &item : items) {
        std::visit(
            [this](auto &msg) {
                using T = std::decay_t<decltype(msg)>;
                if constexpr (std::is_same_v<T, outbox::JobsChanged>) {
                    const QList<JobRecord> fresh = freshRecords(std::move(msg.records));
                    if (fresh.isEmpty())
                        return;
                    Q_EMIT jobsChanged(fresh);
                    for (const JobRecord &record : fresh) {
                        if (isFinishedState(record.state))
                            Q_EMIT jobFinished(record);
                    }
                } else if constexpr (std::is_same_v<T, outbox::JobsRemoved>) {
                    for (const QUuid &id : std::as_const(msg.ids))
                        m_knownRevs.remove(id);
                    Q_EMIT jobsRemoved(msg.ids);
                } else if constexpr (std::is_same_v<T, outbox::ProgressChanged>) {
                    Q_EMIT progressChanged(msg.progress);
                } else if constexpr (std::is_same_v<T, outbox::CommandFailed>) {
                    Q_EMIT commandFailed(msg.id, msg.reason);
                } else if constexpr (std::is_same_v<T, outbox::QueuePaused>) {
                    Q_EMIT queuePausedChanged(msg.paused);
                } else if constexpr (std::is_same_v<T, outbox::Counts>) {
                    Q_EMIT countsChanged(msg.counts);
                } else if constexpr (std::is_same_v<T, outbox::Snapshot>) {
                    m_knownRevs.swap(msg.revs);
                    Q_EMIT snapshotReady(msg.records);
                } else if constexpr (std::is_same_v<T, outbox::Events>) {
                    Q_EMIT eventsReady(msg.id, msg.events);
                } else if constexpr (std::is_same_v<T, outbox::SharedPreview>) {
                    Q_EMIT sharedPreviewReady(msg.id, msg.image);
                } else if constexpr (std::is_same_v<T, outbox::StorageError>) {
                    Q_EMIT storageError(msg.message);
                } else if constexpr (std::is_same_v<T, outbox::StorageRecovered>) {
                    Q_EMIT storageRecovered();
                } else if constexpr (std::is_same_v<T, outbox::Stopped>) {
                    m_stopped = true;
                    joinControlThread();
                    Q_EMIT stopped(msg.jobsLeftBehind);
                }
            },
            item);
    }
}

} // namespace spool
