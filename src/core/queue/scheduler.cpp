#include "scheduler.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <system_error>
#include <thread>
#include <utility>

#include <QDebug>
#include <QRunnable>
#include <QSet>
#include <QThread>
#include <QThreadPool>

#include "job/jobfiles.h"
#include "queue/jobgroups.h"
#include "store/storefileshelf.h"
#include "util/clock.h"
#include "util/ids.h"
#include "util/runneridentity.h"
#include "util/threadpriority.h"
#include "util/tsan.h"

namespace spool {

// A store write that may put jobs back in the queue, where claims may be skipping (m_head): no
// claim skips while it is under way, and the generation moves once it is done.
class Scheduler::QueueingWrite
{
public:
    QueueingWrite(Scheduler &scheduler, bool mayQueue)
        : m_scheduler(mayQueue ? &scheduler : nullptr)
    {
        if (m_scheduler)
            m_scheduler->m_queueingWrites.fetch_add(1);
    }
    ~QueueingWrite()
    {
        if (!m_scheduler)
            return;
        m_scheduler->m_claimableGeneration.fetch_add(1);
        m_scheduler->m_queueingWrites.fetch_sub(1);
    }
    Q_DISABLE_COPY_MOVE(QueueingWrite)

private:
    Scheduler *const m_scheduler;
};

namespace {

constexpr int kCountsDebounceMs = 200;
// When this runner, after jobs ended, finds nothing more to claim: a runner that exits once the
// queue is empty (`spoolctl run --until-empty`) hears it then, not up to kCountsDebounceMs later.
constexpr int kIdleCountsGapMs = 25;
constexpr qint64 kStalledSampleMs = 1000;
constexpr int kFinishTries = 20;
constexpr int kStorageRetryMs = 1000;
// A job a claim chose while another transaction held it is looked at again after this: that
// writer may end without a word (a rollback).
constexpr qint64 kLostJobLookMs = 100;
constexpr int kMaxBatch = 128; // jobs claimed, or results committed, at once
constexpr qint64 kMaxRetryAfterMs = 24LL * 60 * 60 * 1000;
constexpr int kForgetChunk = 1000; // jobs forgotten per transaction by retention
// A large batch of new jobs is stored in parts, the first this small and each twice the one
// before: the workers start on the first part while the rest is being stored (10,000 new jobs
// took up to 49 ms to store), and a store that pays for each transaction (about 1 ms on SQLite
// here) pays for a few.
constexpr qsizetype kFirstEnqueuePart = 64;
// A job longer than this is reported at once, and the rest of its batch is handed back.
constexpr qint64 kSlowJobNs = 1'000'000;
// Jobs shorter than this on average are claimed in batches of about kBatchWorkNs of work, which
// saves a claim and a commit per job. A quarter of kSlowJobNs, so that a batch's job is seldom
// slow enough to hand the rest back; more work per batch would keep jobs from a free slot.
constexpr qint64 kShortJobNs = kSlowJobNs / 4;
constexpr qint64 kBatchWorkNs = 2'000'000;
constexpr qint64 kMaxReportDelayMs = 5; // the longest a finished short job waits to be reported

class SlotRunnable final : public QRunnable
{
public:
    explicit SlotRunnable(Scheduler *scheduler)
        : m_scheduler(scheduler)
    {
        setAutoDelete(true);
    }

    void run() override
    {
        // Pairs with the release before QThreadPool::start(): Qt's pool lock orders them.
        SPOOL_TSAN_ACQUIRE(this);
        m_scheduler->runSlot();
    }

private:
    Scheduler *const m_scheduler;
};

// Lowers the calling pool thread once; a pool thread keeps its priority for its lifetime.
void applyWorkerPriority(WorkerPriority priority, int baseNice)
{
    static thread_local qint64 appliedKey = LLONG_MIN;
    const qint64 key = static_cast<qint64>(priority) * 1000 + baseNice;
    if (appliedKey == key)
        return;
    appliedKey = key;
    QString error;
    if (!threadpriority::applyToCurrentThread(priority, baseNice, &error))
        qWarning("spool: cannot lower worker thread priority: %s", qUtf8Printable(error));
}

} // namespace

Scheduler::Scheduler(std::shared_ptr<JobStore> store,
    std::shared_ptr<const JobKindRegistry> registry, QueueConfig config,
    Mailbox<outbox::Item> *outbox, std::function<void()> wakeOwner)
    : m_store(std::move(store))
    , m_registry(std::move(registry))
    , m_config(std::move(config))
    , m_clock(m_config.clock ? m_config.clock : Clock::system())
    , m_owner(runneridentity::makeOwner())
    , m_baseNice(threadpriority::currentNice())
    , m_workFiles(m_config.workRoot)
    , m_outbox(outbox)
    , m_wakeOwner(std::move(wakeOwner))
{
    m_policies.append(std::make_shared<KnownKindPolicy>(m_registry));
    m_policies.append(std::make_shared<RunsOnPolicy>(m_registry, runneridentity::hostName()));
    // Slots bound how many jobs run at once; this bounds how many the runner holds, including
    // those claimed in a batch and not started yet.
    m_policies.append(std::make_shared<WorkerLimitPolicy>(m_config.workers + kMaxBatch));
    if (!m_config.kindCaps.isEmpty())
        m_policies.append(std::make_shared<KindCapPolicy>(m_config.kindCaps));
    m_hostCap = std::make_shared<HostCapPolicy>(m_registry, m_config.hostCap, m_clock);
    m_policies.append(m_hostCap);
    m_policies.append(m_config.extraPolicies);
    if (m_store->spansMachines())
        m_fileShelf =
            std::make_unique<StoreFileShelf>(m_store, sharedFilesDirFor(m_config.workRoot));

    std::random_device seed;
    m_rng.seed((static_cast<quint64>(seed()) << 32) ^ seed());

    // Never the global pool: its threads are shared with the rest of the process.
    m_pool = new QThreadPool(this);
    m_pool->setObjectName(QStringLiteral("spool-workers"));
    m_pool->setMaxThreadCount(qMax(1, m_config.workers));
    runneridentity::setRunnerAlive(m_owner, true);
}

Scheduler::~Scheduler()
{
    // The reporter first: it may start a slot (kick) when its commit frees a place.
    std::thread reporter;
    {
        std::lock_guard lock(m_reportMutex);
        m_reporterStopping = true; // and none is started again: slots commit their own
        reporter = std::move(m_reporter);
    }
    m_reportWake.notify_all();
    if (reporter.joinable())
        reporter.join();
    m_pool->waitForDone();
    runneridentity::setRunnerAlive(m_owner, false);
}

void Scheduler::post(inbox::Item item)
{
    if (m_inbox.push(std::move(item)))
        QMetaObject::invokeMethod(this, "drainInbox", Qt::QueuedConnection);
}

void Scheduler::publish(outbox::Item item)
{
    if (m_outbox->push(std::move(item)))
        m_wakeOwner();
}

qint64 Scheduler::now() const
{
    return m_clock->nowMs();
}

double Scheduler::nextRandom()
{
    std::lock_guard lock(m_randomMutex);
    if (m_config.random)
        return m_config.random();
    return std::uniform_real_distribution<double>(0.0, 1.0)(m_rng);
}

std::shared_ptr<RunningJob> Scheduler::runningJob(const QUuid &id) const
{
    std::lock_guard lock(m_runningMutex);
    return m_running.value(id);
}

QList<std::shared_ptr<RunningJob>> Scheduler::runningJobs() const
{
    std::lock_guard lock(m_runningMutex);
    return m_running.values();
}

void Scheduler::drainInbox()
{
    std::vector<inbox::Item> items = m_inbox.takeAll();
    // Consecutive enqueues become one transaction.
    QList<NewJob> pending;
    const auto flushEnqueues = [&] {
        if (!pending.isEmpty())
            enqueue(std::exchange(pending, {}));
    };
    for (inbox::Item &item : items) {
        if (auto *add = std::get_if<inbox::Enqueue>(&item)) {
            pending.append(add->jobs);
            continue;
        }
        flushEnqueues();
        // Stopped, this thread is ending: what came behind the stop is left, as later messages
        // are, but for jobs to queue, which the caller was told are queued. A timer started now
        // would outlive the thread (one did for counts asked behind the stop; Qt warned at exit).
        if (!m_stopped)
            handle(item);
    }
    flushEnqueues();
}

void Scheduler::handle(inbox::Item &item)
{
    std::visit(
        [this](auto &msg) {
            using T = std::decay_t<decltype(msg)>;
            if constexpr (std::is_same_v<T, inbox::Start>)
                start();
            else if constexpr (std::is_same_v<T, inbox::Stop>)
                stop(msg.mode);
            else if constexpr (std::is_same_v<T, inbox::Enqueue>)
                enqueue(msg.jobs);
            else if constexpr (std::is_same_v<T, inbox::Command>)
                userCommand(msg.ids, msg.command);
            else if constexpr (std::is_same_v<T, inbox::ClearFinished>)
                clearFinished();
            else if constexpr (std::is_same_v<T, inbox::ForgetFinished>)
                forgetFinishedChunk(msg.finishedBeforeMs);
            else if constexpr (std::is_same_v<T, inbox::Events>)
                sendEvents(msg.id);
            else if constexpr (std::is_same_v<T, inbox::SharedPreview>)
                sendSharedPreview(msg.id);
            else if constexpr (std::is_same_v<T, inbox::SetQueuePaused>)
                setQueuePaused(msg.paused, true);
            else if constexpr (std::is_same_v<T, inbox::Snapshot>)
                snapshot();
            else if constexpr (std::is_same_v<T, inbox::Poke>)
                kickForNewWork(); // a manual clock moved: jobs may be due
            else if constexpr (std::is_same_v<T, inbox::WakeAt>)
                wakeAt(msg.atMs);
            else if constexpr (std::is_same_v<T, inbox::RunningChanged>)
                updateProgressTimer();
            else if constexpr (std::is_same_v<T, inbox::StateChanged>)
                scheduleCounts(msg.idleHere || (m_config.exitsWhenEmpty && nothingRunsHere()));
            else if constexpr (std::is_same_v<T, inbox::ExternalChange>)
                applyExternalChanges();
            else if constexpr (std::is_same_v<T, inbox::SlotsIdle>)
                finishStopIfIdle();
        },
        item);
}

void Scheduler::start()
{
    if (m_heartbeatTimer || m_stopMode != StopMode::Invalid)
        return;
    m_workFiles.lookAtRoot(); // before any job can start
    m_monotonic.start();
    const auto makeTimer = [this](int intervalMs, bool singleShot, void (Scheduler::*slot)()) {
        auto *timer = new QTimer(this);
        timer->setInterval(intervalMs);
        timer->setSingleShot(singleShot);
        connect(timer, &QTimer::timeout, this, slot);
        return timer;
    };
    m_heartbeatTimer =
        makeTimer(static_cast<int>(m_config.heartbeatMs), false, &Scheduler::heartbeat);
    m_progressTimer =
        makeTimer(1000 / qBound(1, m_config.progressHz, 1000), false, &Scheduler::sampleProgress);
    m_recoverTimer =
        makeTimer(static_cast<int>(m_config.recoverEveryMs), false, &Scheduler::recoverAbandoned);
    m_countsTimer = makeTimer(kCountsDebounceMs, true, &Scheduler::publishCounts);
    m_retryTimer = makeTimer(kStorageRetryMs, true, &Scheduler::retryFailedReads);
    // Rare (kRunnerReportMs): on the embedded store every report is a write that wakes every
    // other process.
    m_reportTimer = makeTimer(kRunnerReportMs, false, &Scheduler::reportSelf);
    m_wakeTimer = new QTimer(this);
    m_wakeTimer->setSingleShot(true);
    connect(m_wakeTimer, &QTimer::timeout, this, [this] {
        m_wakeAtMs = 0;
        kickForNewWork(); // jobs are due, or a hold ended
    });

    // Subscribe first: a change made by another process from here on is noticed; what came
    // before is covered by reading the state below and by the first kick().
    m_store->setExternalChangeListener([this] { post(inbox::ExternalChange {}); });
    if (auto paused = m_store->queuePaused())
        m_queuePaused = paused.value();
    else
        reportStorageError(paused.error());
    if (auto rev = m_store->currentRev())
        m_seenRev = rev.value();
    {
        std::lock_guard lock(m_slotMutex);
        m_started = true;
    }
    publish(outbox::QueuePaused { m_queuePaused.load() });
    m_heartbeatTimer->start();
    m_recoverTimer->start();
    m_startedAtMs = now();
    if (m_config.workers > 0) {
        m_reportTimer->start();
        reportSelf();
    }
    recoverAbandoned();
    kickForNewWork();
    publishCounts();
}

void Scheduler::stop(StopMode mode)
{
    if (m_stopped)
        return;
    if (m_stopMode == StopMode::Invalid || mode == StopMode::Release)
        m_stopMode = mode;
    {
        std::lock_guard lock(m_slotMutex);
        m_stopping = true;
        // Draining lets started jobs finish; those claimed in a batch but not started go back
        // (the slots look at this flag before each job).
        m_slotsStopping.store(true);
    }
    if (mode == StopMode::Release) {
        for (const auto &job : runningJobs())
            job->requestStop(JobControl::Interrupt);
    }
    finishStopIfIdle();
}

void Scheduler::finishStopIfIdle()
{
    if (m_stopMode == StopMode::Invalid || m_stopped)
        return;
    {
        std::lock_guard lock(m_slotMutex);
        if (m_activeSlots > 0)
            return;
    }
    // Every slot has returned; let the pool's threads finish with their runnables.
    m_pool->waitForDone();
    m_store->setExternalChangeListener(nullptr);
    for (QTimer *timer : { m_heartbeatTimer, m_progressTimer, m_recoverTimer, m_countsTimer,
             m_retryTimer, m_wakeTimer, m_reportTimer }) {
        if (timer)
            timer->stop();
    }
    if (m_config.workers > 0 && m_startedAtMs > 0) {
        const quint64 failures = storageFailures(StorageAccess::Write);
        if (auto forgotten = m_store->forgetRunner(m_owner); !forgotten) {
            reportStorageError(forgotten.error(), StorageAccess::Write);
        } else {
            // The store is there: results given up earlier belong to expired leases, which any
            // runner puts back. This one leaves nothing behind.
            m_jobsLeftBehind.store(0);
            noteStorageWorks(StorageAccess::Write, failures);
        }
    }
    m_stopped = true;
    if (m_heartbeatTimer)
        publishCounts();
    publish(outbox::Stopped { m_jobsLeftBehind.load() });
    // The owner joins this thread, then deletes this object.
    SPOOL_TSAN_RELEASE(this);
    thread()->quit();
}

void Scheduler::enqueue(QList<NewJob> jobs)
{
    // A kind's prepare step (moving a credential into the keychain, reading a scene's file list)
    // may block on I/O: it runs here, never on the thread that asked.
    QSet<QString> refusedGroups;
    QList<NewJob> goWith; // queued after the others (a render's delivery after its parts)
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        const JobKind *kind = m_registry->find(jobs.at(i).kind);
        if (!kind || !JobKindRegistry::preparesToQueue(*kind, m_fileShelf.get()))
            continue;
        auto prepared =
            JobKindRegistry::prepareToQueue(*kind, jobs.at(i).params, m_fileShelf.get());
        if (prepared) {
            jobs[i].params = prepared->takeFirst();
            for (QJsonObject &params : prepared.value())
                goWith.append(NewJob {
                    newJobId(), jobs.at(i).kind, std::move(params), jobs.at(i).maxAttempts });
            continue;
        }
        publish(outbox::CommandFailed { jobs.at(i).id, prepared.error().message });
        // A render split into parts is queued whole or not at all.
        refusedGroups.insert(jobgroups::groupOf(*m_registry, jobs.at(i).kind, jobs.at(i).params));
        jobs[i].kind.clear();
    }
    refusedGroups.remove(QString());
    jobs.append(goWith);
    jobs.removeIf([&](const NewJob &job) {
        return job.kind.isEmpty()
            || (!refusedGroups.isEmpty()
                && refusedGroups.contains(jobgroups::groupOf(*m_registry, job.kind, job.params)));
    });
    if (jobs.isEmpty())
        return;
    storeNewJobs(jobs);
    markStateChanged();
}

// In parts when that helps and can be: only while workers may claim (otherwise a viewer would see
// the batch arrive in pieces for nothing), and only when no job belongs with another (a split
// render is queued whole or not at all). After a part that fails, the rest fail with it, so that
// no job is queued ahead of one the caller was told had failed.
void Scheduler::storeNewJobs(const QList<NewJob> &jobs)
{
    const bool whole =
        !workersMayClaim() || std::any_of(jobs.cbegin(), jobs.cend(), [this](const NewJob &job) {
            const JobKind *kind = m_registry->find(job.kind);
            return kind && !kind->groupParam.isEmpty();
        });
    qsizetype partSize = whole ? jobs.size() : kFirstEnqueuePart;
    for (qsizetype from = 0; from < jobs.size(); from += partSize, partSize *= 2) {
        const QList<NewJob> part =
            from == 0 && partSize >= jobs.size() ? jobs : jobs.mid(from, partSize);
        auto result = m_store->enqueue(part, now());
        if (!result) {
            for (const NewJob &job : jobs.sliced(from))
                publish(outbox::CommandFailed { job.id, result.error().message });
            return;
        }
        publish(outbox::JobsChanged { std::move(result.value()) });
        kickForNewWork();
    }
}

// A command the user gave: to the named jobs and to the other parts of their split jobs.
void Scheduler::userCommand(const QList<QUuid> &ids, JobCommand jobCommand)
{
    auto expanded = jobgroups::withGroups(*m_store, *m_registry, ids);
    if (!expanded) {
        for (const QUuid &id : ids)
            publish(outbox::CommandFailed { id, expanded.error().message });
        return;
    }
    command(expanded.value(), jobCommand);
}

void Scheduler::command(const jobgroups::Expanded &jobs, JobCommand jobCommand)
{
    const QList<QUuid> &ids = jobs.ids;
    auto results = [&] {
        const QueueingWrite queueing(*this, true); // a job resumed: back in its place
        return m_store->commandMany(ids, jobCommand, now());
    }();
    if (!results) {
        for (qsizetype i = 0; i < jobs.named; ++i)
            publish(outbox::CommandFailed { ids.at(i), results.error().message });
        return;
    }
    for (const qsizetype i : jobgroups::failuresToTell(jobs, results.value()))
        publish(outbox::CommandFailed { ids.at(i), results->at(i).error().message });
    QList<JobRecord> changed;
    QList<QUuid> removed;
    bool anyQueued = false;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const Result<CommandResult> &result = results->at(i);
        if (!result)
            continue; // told above, if worth telling
        const JobRecord &record = result->record;
        releaseFiles(record, result->removed);
        if (result->removed) {
            removed.append(ids.at(i));
            continue;
        }
        if (record.state == JobState::Running && record.control != JobControl::None) {
            if (auto job = runningJob(record.id))
                job->requestStop(record.control);
        }
        anyQueued = anyQueued || record.state == JobState::Queued;
        changed.append(record);
    }
    if (!changed.isEmpty() || !removed.isEmpty())
        tellRunningJobsOfChanges();
    if (!changed.isEmpty())
        publish(outbox::JobsChanged { std::move(changed) });
    if (!removed.isEmpty())
        publish(outbox::JobsRemoved { std::move(removed) });
    if (anyQueued)
        kickForNewWork();
    markStateChanged();
}

// Ids of finished jobs (at most `limit`, -1: all; that finished before `beforeMs` if > 0).
std::optional<QList<QUuid>> Scheduler::finishedJobIds(
    qint64 limit, qint64 beforeMs, qsizetype *examined)
{
    auto finished = m_store->query(JobQuery {
        {}, { JobState::Succeeded, JobState::Failed, JobState::Canceled }, limit, beforeMs });
    if (!finished) {
        reportStorageError(finished.error());
        return std::nullopt;
    }
    if (examined)
        *examined = finished->size(); // before the parts of unfinished renders are left out
    auto ids = jobgroups::idsOfFinishedGroups(*m_store, *m_registry, finished.value());
    if (!ids) {
        reportStorageError(ids.error());
        return std::nullopt;
    }
    return ids.value();
}

void Scheduler::clearFinished()
{
    const auto ids = finishedJobIds(-1, 0);
    if (ids && !ids->isEmpty())
        command(jobgroups::ungrouped(*ids), JobCommand::Remove);
}

// Retention, a chunk per message so that other work and other writers go between. Quiet: nobody
// asked, so a job that is no longer finished (retried meanwhile) or already gone (another
// process forgot it) is simply left out, and a storage failure is a storage error.
void Scheduler::forgetFinishedChunk(qint64 finishedBeforeMs)
{
    qsizetype examined = 0;
    const auto found = finishedJobIds(kForgetChunk, finishedBeforeMs, &examined);
    if (!found || found->isEmpty())
        return;
    const QList<QUuid> &ids = *found;
    auto results = m_store->commandMany(ids, JobCommand::Forget, now());
    if (!results) {
        reportStorageError(results.error(), StorageAccess::Write);
        return;
    }
    QList<QUuid> removed;
    for (qsizetype i = 0; i < ids.size(); ++i) {
        const Result<CommandResult> &result = results->at(i);
        if (!result || !result->removed)
            continue;
        releaseFiles(result->record, true);
        removed.append(ids.at(i));
    }
    const bool more = !removed.isEmpty() && examined == kForgetChunk;
    if (!removed.isEmpty()) {
        publish(outbox::JobsRemoved { std::move(removed) });
        markStateChanged();
    }
    if (more)
        post(inbox::ForgetFinished { finishedBeforeMs });
}

void Scheduler::releaseFiles(const JobRecord &record, bool removed, bool endedHere)
{
    // A job claimed once ever (its lease token counts claims, also those given back by a
    // pause or a stop, in any process) whose attempt ended here without asking for its work
    // directory left nothing in the work root, unless it was there before (WorkFiles).
    const bool onDisk =
        !endedHere || removed || record.leaseToken > 1 || m_workFiles.mayHave(record.id);
    if (jobfiles::release(*m_registry, m_workFiles.root(), record, removed, onDisk) && onDisk)
        m_workFiles.forget(record.id);
}

void Scheduler::sendEvents(const QUuid &id)
{
    auto events = m_store->events(id);
    publish(outbox::Events { id, events ? events.value() : QList<JobEvent> {} });
}

void Scheduler::sendSharedPreview(const QUuid &id)
{
    auto image = m_store->sharedPreview(id);
    publish(outbox::SharedPreview { id, image ? image.value() : QByteArray() });
}

void Scheduler::setQueuePaused(bool paused, bool persist)
{
    if (persist) {
        if (auto result = m_store->setQueuePaused(paused, now()); !result) {
            publish(outbox::CommandFailed { QUuid(), result.error().message });
            return;
        }
    }
    if (m_queuePaused.exchange(paused) == paused)
        return;
    publish(outbox::QueuePaused { paused });
    if (paused) {
        // Running jobs go back to the queue at their next checkpoint, keeping what they saved.
        for (const auto &job : runningJobs())
            job->requestStop(JobControl::Interrupt);
    } else {
        kickForNewWork();
    }
}

void Scheduler::snapshot()
{
    JobQuery all;
    all.paramsAsText = true; // the owner keeps every job, and reads params seldom
    auto records = m_store->query(all);
    if (!records) {
        reportStorageError(records.error());
        retryReadLater(RetrySnapshot);
        return;
    }
    publish(outbox::Snapshot { std::move(records.value()), m_queuePaused.load() });
}

void Scheduler::wakeAt(qint64 atMs)
{
    if (!m_wakeTimer || m_stopMode != StopMode::Invalid)
        return;
    if (m_wakeTimer->isActive() && m_wakeAtMs != 0 && m_wakeAtMs <= atMs)
        return;
    m_wakeAtMs = atMs;
    m_wakeTimer->start(static_cast<int>(std::clamp<qint64>(atMs - now(), 0, INT_MAX)));
}

void Scheduler::updateProgressTimer()
{
    if (!m_progressTimer || m_stopped)
        return;
    if (!m_progressTimer->isActive())
        m_progressTimer->start();
}

void Scheduler::heartbeat()
{
    renewLeases(now());
}

void Scheduler::renewLeases(qint64 nowMs)
{
    const auto jobs = runningJobs();
    if (jobs.isEmpty())
        return;
    QList<Heartbeat> beats;
    beats.reserve(jobs.size());
    for (const auto &job : jobs) {
        Heartbeat beat;
        beat.id = job->id();
        beat.leaseToken = job->record().leaseToken;
        const quint64 version = job->progressVersion();
        if (version != job->persistedVersion) {
            beat.progressChanged = true;
            beat.progress = job->progress();
            job->persistedVersion = version;
        }
        beat.logLines = job->takeLogLines();
        beats.append(beat);
    }
    const qint64 sentAt = RunningJob::steadyMs();
    const quint64 failures = storageFailures(StorageAccess::Write);
    auto statuses = m_store->heartbeat(beats, nowMs, m_config.leaseMs);
    if (!statuses) {
        reportStorageError(statuses.error(), StorageAccess::Write);
        return;
    }
    noteStorageWorks(StorageAccess::Write, failures);
    // Each verdict is for the attempt it was asked for: a later attempt of the same job, claimed
    // here meanwhile, holds a lease of its own.
    QHash<QUuid, std::shared_ptr<RunningJob>> asked;
    asked.reserve(jobs.size());
    for (const auto &job : jobs)
        asked.insert(job->id(), job);
    for (const LeaseStatus &status : std::as_const(statuses.value())) {
        const auto job = asked.value(status.id);
        if (!job)
            continue;
        if (!status.held) {
            // Another runner owns it now: stop working on it, and write nothing more.
            job->loseLease();
            job->requestStop(JobControl::Interrupt);
        } else {
            job->renewLease(sentAt + m_config.leaseMs, m_config.leaseMs);
        }
        if (status.held && status.control != JobControl::None)
            job->requestStop(status.control);
    }
    sharePreviews(jobs);
}

// After the heartbeat: a picture for windows on other machines, while the lease holds.
void Scheduler::sharePreviews(const QList<std::shared_ptr<RunningJob>> &jobs)
{
    for (const auto &job : jobs) {
        const QByteArray image = job->takeSharedPreview();
        if (image.isEmpty() || !job->leaseHeld())
            continue;
        // A picture is no job's state: one that does not get through is simply not seen.
        (void)m_store->sharePreview(job->id(), job->record().leaseToken, image, now());
    }
}

void Scheduler::sampleProgress()
{
    QList<std::shared_ptr<RunningJob>> jobs = runningJobs();
    if (jobs.isEmpty()) {
        // Idle: stop ticking until a slot claims a job again. Look once more after lowering
        // the flag, in case a job was claimed in between (its slot saw the flag still up).
        m_progressSampling = false;
        jobs = runningJobs();
        if (jobs.isEmpty()) {
            m_progressTimer->stop();
            return;
        }
        m_progressSampling = true;
    }
    const qint64 elapsedMs = m_monotonic.elapsed();
    QList<JobProgress> updates;
    for (const auto &job : std::as_const(jobs)) {
        const quint64 version = job->progressVersion();
        const bool changed = version != job->sampledVersion;
        // A stalled job still gets a sample now and then, so its speed falls and ETA grows.
        if (!changed && elapsedMs - job->lastSampleAtMs < kStalledSampleMs)
            continue;
        job->sampledVersion = version;
        job->lastSampleAtMs = elapsedMs;
        const Progress progress = job->progress();
        job->rate.addSample(elapsedMs, progress.done);
        updates.append(JobProgress { job->id(), progress, job->rate.ratePerSecond(),
            job->rate.etaMs(progress.done, progress.total), now() });
    }
    if (!updates.isEmpty())
        publish(outbox::ProgressChanged { std::move(updates) });
}

void Scheduler::reportSelf()
{
    RunnerInfo self;
    self.owner = m_owner;
    self.host = m_owner.section(QLatin1Char('|'), 0, 0);
    self.pid = m_owner.section(QLatin1Char('|'), 1, 1).toLongLong();
    self.workers = m_config.workers;
    self.startedAtMs = m_startedAtMs;
    self.lastSeenAtMs = now();
    const quint64 failures = storageFailures(StorageAccess::Write);
    if (auto reported = m_store->reportRunner(self); !reported)
        reportStorageError(reported.error(), StorageAccess::Write);
    else
        noteStorageWorks(StorageAccess::Write, failures);
}

void Scheduler::lookAtOtherHosts()
{
    auto runners = m_store->runners();
    // After the read: a slow server must not make the look stale the moment it is taken.
    const qint64 nowMs = now();
    if (!runners) {
        reportStorageError(runners.error());
        m_otherHostFree = false; // unknown: this machine takes the job rather than nobody
    } else {
        const QString host = runneridentity::hostOf(m_owner);
        m_otherHostFree = std::any_of(runners->cbegin(), runners->cend(), [&](const RunnerInfo &r) {
            return r.host != host && runnerSeemsAlive(r, nowMs) && r.running < r.workers;
        });
    }
    // Stamped after the verdict, which claims read with it; a failed look counts too: the next is
    // a second away, not now.
    m_otherHostsSeenAtMs = nowMs;
}

Scheduler::OtherHosts Scheduler::otherHostsFor(const JobRecord &candidate, qint64 nowMs) const
{
    if (nowMs >= candidate.avoidUntilMs || !m_store->spansMachines()
        || candidate.avoidHost != runneridentity::hostOf(m_owner))
        return OtherHosts::Irrelevant;
    // Judged on a look taken after the job failed here, not on one from before.
    constexpr qint64 kFreshLookMs = 1000;
    if (nowMs - m_otherHostsSeenAtMs.load() > kFreshLookMs)
        return OtherHosts::LookFirst;
    return m_otherHostFree.load() ? OtherHosts::LeaveIt : OtherHosts::TakeIt;
}

void Scheduler::tellFailed(const JobRecord &record)
{
    if (record.state != JobState::Failed || !m_fileShelf)
        return;
    if (const JobKind *kind = m_registry->find(record.kind); kind && kind->failed)
        kind->failed(record, *m_fileShelf);
}

void Scheduler::recoverAbandoned()
{
    // This runner's own leases first. Its control thread late on a loaded machine would
    // otherwise find its own running jobs expired and put them back while they still run here.
    // One reading of the clock for both: a later one could pass the leases just renewed.
    const qint64 nowMs = now();
    renewLeases(nowMs);
    const quint64 failures = storageFailures(StorageAccess::Read);
    auto recovered = [&] {
        // Also, now and then, whatever else happens, moves the generation: a way to new work
        // that did not move it waits no longer for claims that take jobs.
        const QueueingWrite queueing(*this, true);
        return m_store->recoverAbandoned(nowMs);
    }();
    if (!recovered) {
        reportStorageError(recovered.error());
        return;
    }
    // Every recoverEveryMs, whatever else happens: the probe that ends a failure of reads.
    noteStorageWorks(StorageAccess::Read, failures);
    if (recovered->isEmpty())
        return;
    for (const JobRecord &record : std::as_const(recovered.value())) {
        tellFailed(record);
        releaseFiles(record, false);
    }
    tellRunningJobsOfChanges();
    publish(outbox::JobsChanged { std::move(recovered.value()) });
    kickForNewWork();
    markStateChanged();
}

void Scheduler::applyExternalChanges()
{
    if (m_stopped)
        return;
    auto changes = m_store->changesSince(m_seenRev);
    if (!changes) {
        reportStorageError(changes.error());
        retryReadLater(RetryChanges);
        return;
    }
    ChangeSet &set = changes.value();
    m_seenRev = set.rev;
    const bool heard = !set.changed.isEmpty() || !set.removed.isEmpty() || set.fullResync;
    bool anyQueued = false;
    for (const JobRecord &record : std::as_const(set.changed)) {
        if (record.state == JobState::Queued)
            anyQueued = true;
        if (record.state == JobState::Running && record.control != JobControl::None
            && record.leaseOwner == m_owner) {
            if (auto job = runningJob(record.id))
                job->requestStop(record.control);
        }
    }
    if (set.queuePaused != m_queuePaused.load())
        setQueuePaused(set.queuePaused, false);
    if (set.fullResync) {
        publish(outbox::Snapshot { std::move(set.changed), set.queuePaused });
    } else {
        if (!set.changed.isEmpty())
            publish(outbox::JobsChanged { std::move(set.changed) });
        if (!set.removed.isEmpty())
            publish(outbox::JobsRemoved { std::move(set.removed) });
    }
    if (heard)
        tellRunningJobsOfChanges();
    if (anyQueued)
        kickForNewWork();
    markStateChanged();
}

void Scheduler::tellRunningJobsOfChanges()
{
    for (const auto &job : runningJobs())
        job->noteQueueChanged();
}

void Scheduler::scheduleCounts(bool idleHere)
{
    if (!m_countsTimer)
        return;
    // At once after a quiet spell, and at most every kCountsDebounceMs while changes keep
    // coming; when this runner has just run out of work, at most kIdleCountsGapMs after the
    // last read.
    const int gapMs = idleHere ? kIdleCountsGapMs : kCountsDebounceMs;
    const qint64 sinceMs = m_monotonic.elapsed() - m_countsReadAtMs;
    const int waitMs = int(std::clamp<qint64>(gapMs - sinceMs, 0, gapMs));
    if (m_countsTimer->isActive() && m_countsTimer->remainingTime() <= waitMs)
        return;
    m_countsTimer->start(waitMs);
}

bool Scheduler::nothingRunsHere()
{
    std::lock_guard lock(m_slotMutex);
    return m_activeSlots == 0;
}

void Scheduler::publishCounts()
{
    m_stateDirty = false;
    m_countsReadAtMs = m_monotonic.isValid() ? m_monotonic.elapsed() : 0;
    auto counts = m_store->counts();
    if (!counts) {
        reportStorageError(counts.error());
        retryReadLater(RetryCounts);
        return;
    }
    if (m_countsPublished && counts.value() == m_lastCounts)
        return;
    m_lastCounts = counts.value();
    m_countsPublished = true;
    publish(outbox::Counts { m_lastCounts });
}

void Scheduler::markStateChanged(bool idleHere)
{
    if (!m_stateDirty.exchange(true) || idleHere)
        post(inbox::StateChanged { idleHere });
}

void Scheduler::retryReadLater(RetryRead read)
{
    m_readsToRetry |= read;
    if (m_retryTimer && !m_stopped && !m_retryTimer->isActive())
        m_retryTimer->start();
}

void Scheduler::retryFailedReads()
{
    const unsigned reads = std::exchange(m_readsToRetry, 0u);
    if (reads & RetrySnapshot)
        snapshot();
    if (reads & RetryChanges)
        applyExternalChanges();
    if (reads & RetryCounts)
        markStateChanged();
}

void Scheduler::reportStorageError(const Error &error, StorageAccess access)
{
    std::lock_guard lock(m_storageHealthMutex);
    StorageHealth &kind = health(access);
    ++kind.failures;
    kind.failing = true;
    publish(outbox::StorageError { error.message });
}

// Reads working say nothing of writes (a full disk, a read-only server), nor writes of claims:
// each kind of failure ends only when that kind of request works again, and the queue works
// when all have.
void Scheduler::noteStorageWorks(StorageAccess access, quint64 failuresBefore)
{
    StorageHealth &kind = health(access);
    if (!kind.failing.load())
        return;
    std::lock_guard lock(m_storageHealthMutex);
    if (kind.failures.load() != failuresBefore)
        return;
    if (kind.failing.exchange(false) && !m_reads.failing.load() && !m_writes.failing.load()
        && !m_claims.failing.load()) {
        // Jobs whose results were not written are another runner's now (their leases expired).
        m_jobsLeftBehind.store(0);
        publish(outbox::StorageRecovered {});
    }
}

Scheduler::StorageHealth &Scheduler::health(StorageAccess access)
{
    switch (access) {
    case StorageAccess::Read:
        return m_reads;
    case StorageAccess::Write:
        return m_writes;
    case StorageAccess::Claim:
        break;
    }
    return m_claims;
}

// After the store has jobs a claim may take that it did not have before: what claims found at the
// head of the queue holds no more (m_head).
void Scheduler::kickForNewWork()
{
    m_claimableGeneration.fetch_add(1);
    kick();
}

void Scheduler::kick()
{
    std::lock_guard lock(m_slotMutex);
    ++m_workGeneration;
    if (!workersMayClaimLocked())
        return;
    if (m_activeSlots - m_parkedSlots + m_lentSlots >= m_config.workers) {
        // Work may be waiting: a job's helper gives its slot back at its next piece.
        if (m_lentSlots > 0)
            m_lentWanted.store(true, std::memory_order_relaxed);
        return;
    }
    ++m_activeSlots;
    auto *runnable = new SlotRunnable(this);
    SPOOL_TSAN_RELEASE(runnable);
    m_pool->start(runnable);
}

bool Scheduler::workersMayClaimLocked() const
{
    return m_started && !m_stopping && !m_queuePaused.load() && m_config.workers > 0;
}

bool Scheduler::workersMayClaim()
{
    std::lock_guard lock(m_slotMutex);
    return workersMayClaimLocked();
}

int Scheduler::lend(int wanted)
{
    std::lock_guard lock(m_slotMutex);
    if (!m_started || m_stopping || m_queuePaused.load() || m_lentWanted.load())
        return 0;
    const int lent =
        qBound(0, m_config.workers - (m_activeSlots - m_parkedSlots) - m_lentSlots, wanted);
    m_lentSlots += lent;
    return lent;
}

void Scheduler::giveBack(int count)
{
    {
        std::lock_guard lock(m_slotMutex);
        m_lentSlots -= count;
        Q_ASSERT(m_lentSlots >= 0);
        m_lentWanted.store(false, std::memory_order_relaxed);
    }
    kick(); // the slot is free: whatever waited for it starts
}

void Scheduler::park()
{
    {
        std::lock_guard lock(m_slotMutex);
        ++m_parkedSlots;
    }
    // The pool may run one more runnable while this thread sleeps (QThreadPool's own idiom for a
    // thread that blocks); unpark() takes that back.
    m_pool->releaseThread();
    kick();
}

void Scheduler::unpark()
{
    m_pool->reserveThread();
    std::lock_guard lock(m_slotMutex);
    --m_parkedSlots;
    Q_ASSERT(m_parkedSlots >= 0);
}

void Scheduler::enterHelperThread()
{
    applyWorkerPriority(m_config.priority, m_baseNice);
}

void Scheduler::runSlot()
{
    applyWorkerPriority(m_config.priority, m_baseNice);
    std::deque<std::shared_ptr<RunningJob>> mine; // claimed for this slot, not started yet
    std::vector<Finished> ended; // results to commit with (or beside, or before) the next claim
    for (;;) {
        if (mine.empty()) {
            // Commit what ran before asking for more (it frees caps and reports results), in
            // the claim's transaction where the store can.
            takeAllFinished(ended);
            if (!claimNext(mine, ended))
                return;
            // Another slot may find work too; it gives up at once if there is none.
            kick();
        }
        std::shared_ptr<RunningJob> job = std::move(mine.front());
        mine.pop_front();
        if (m_slotsStopping.load())
            job->requestStop(JobControl::Interrupt); // not started: it goes back unrun
        QElapsedTimer ran;
        ran.start();
        Completion completion = execute(job);
        const qint64 ranNs = ran.nsecsElapsed();
        const qint64 average = m_averageRunNs.load(std::memory_order_relaxed);
        m_averageRunNs.store(
            average < 0 ? ranNs : average + (ranNs - average) / 8, std::memory_order_relaxed);

        const bool slow = ranNs >= kSlowJobNs;
        if (slow && !mine.empty()) {
            // Not a short job after all: the rest of the batch should not wait behind it.
            handBack(mine);
            kick();
        }
        if (mine.empty() && !m_slotsStopping.load()) {
            // Reported at once, with the claim that comes next.
            ended.push_back(Finished { job, std::move(completion) });
            continue;
        }
        // A job that took its time is reported at once.
        addFinished(Finished { job, std::move(completion) }, slow);
    }
}

void Scheduler::addFinished(Finished finished, bool now)
{
    std::vector<Finished> due;
    {
        std::lock_guard lock(m_reportMutex);
        const auto at = std::chrono::steady_clock::now();
        if (m_unreported.empty())
            m_unreportedSince = at;
        m_unreported.push_back(std::move(finished));
        if (now || m_unreported.size() >= size_t(kMaxBatch)
            || at - m_unreportedSince >= std::chrono::milliseconds(kMaxReportDelayMs)
            || !reporterReady()) {
            due.swap(m_unreported);
        } else if (m_unreported.size() == 1 && m_reporterIdle) {
            // Only an idle reporter needs the news: one waiting for an earlier deadline looks
            // again then. A wake per batch cost the slots a switch each (perf: 0.8 per batch).
            m_reportWake.notify_one();
        }
    }
    if (due.empty())
        return;
    flushFinished(due);
    kick(); // what they held (a host's place) may let a waiting job start on a free slot
}

// With m_reportMutex held: false when results cannot wait for the reporter (stopping, or no
// thread to be had), so that the slot commits them itself.
bool Scheduler::reporterReady()
{
    if (m_reporterStopping)
        return false;
    if (m_reporter.joinable())
        return true;
    try {
        // Started here, it runs at the slots' priority.
        m_reporter = std::thread([this] { runReporter(); });
        return true;
    } catch (const std::system_error &) {
        return false;
    }
}

void Scheduler::takeAllFinished(std::vector<Finished> &due)
{
    std::vector<Finished> taken;
    {
        // A slot that ends must not leave while the reporter commits: the stop that follows
        // would not wait for it.
        std::unique_lock lock(m_reportMutex);
        m_reportDone.wait(lock, [this] { return !m_reporterCommitting; });
        taken.swap(m_unreported);
        m_reportNow = false;
    }
    // The reporter's first: they ended before the slot's own.
    std::move(due.begin(), due.end(), std::back_inserter(taken));
    due.swap(taken);
}

void Scheduler::runReporter()
{
    std::unique_lock lock(m_reportMutex);
    while (!m_reporterStopping) {
        if (m_unreported.empty()) {
            m_reporterIdle = true;
            m_reportWake.wait(lock);
            m_reporterIdle = false;
            continue;
        }
        const auto due = m_unreportedSince + std::chrono::milliseconds(kMaxReportDelayMs);
        if (!m_reportNow && std::chrono::steady_clock::now() < due) {
            m_reportWake.wait_until(lock, due);
            continue;
        }
        std::vector<Finished> finished;
        finished.swap(m_unreported);
        m_reportNow = false;
        m_reporterCommitting = true;
        lock.unlock();
        flushFinished(finished);
        kick(); // what they held (a cap, a worker's place) may let a waiting job start
        lock.lock();
        m_reporterCommitting = false;
        m_reportDone.notify_all();
    }
}

void Scheduler::handBack(std::deque<std::shared_ptr<RunningJob>> &mine)
{
    // In FIFO order among those handed back before (by other slots too), so that the next free
    // slot starts the oldest.
    std::lock_guard lock(m_claimMutex);
    std::deque<std::shared_ptr<RunningJob>> merged;
    std::merge(std::make_move_iterator(m_ready.begin()), std::make_move_iterator(m_ready.end()),
        std::make_move_iterator(mine.begin()), std::make_move_iterator(mine.end()),
        std::back_inserter(merged),
        [](const auto &a, const auto &b) { return a->record().seq < b->record().seq; });
    m_ready.swap(merged);
    mine.clear();
}

int Scheduler::batchSize() const
{
    // Claiming several jobs at once only pays for short jobs; for others it would make jobs
    // wait in this runner that another runner could have started. The average is the runner's,
    // over every kind it ran lately.
    if (m_config.batchJobs > 0)
        return qMin(m_config.batchJobs, kMaxBatch);
    const qint64 average = m_averageRunNs.load(std::memory_order_relaxed);
    if (average < 0 || average >= kShortJobNs)
        return 1;
    return int(std::clamp<qint64>(kBatchWorkNs / qMax<qint64>(average, 1), 1, kMaxBatch));
}

bool Scheduler::claimNext(
    std::deque<std::shared_ptr<RunningJob>> &mine, std::vector<Finished> &ended)
{
    const auto releaseSlot = [this] {
        // Called with m_slotMutex held.
        --m_activeSlots;
        if (m_stopping && m_activeSlots == 0)
            post(inbox::SlotsIdle {});
    };
    // Handed to the reporter, they may still be committing when this slot finds nothing more.
    bool handedOver = false;
    if (!m_store->claimsCarryFinishes() && !(handedOver = commitBesideClaim(ended)))
        flushFinished(ended);
    for (;;) {
        quint64 generation = 0;
        {
            std::lock_guard lock(m_slotMutex);
            generation = m_workGeneration;
        }
        ClaimOutcome outcome = ClaimOutcome::Nothing;
        QList<FinishResult> finishedWithClaim; // `ended`'s results, when the claim carried them
        {
            std::lock_guard claimLock(m_claimMutex);
            bool closing = false;
            {
                std::lock_guard lock(m_slotMutex);
                closing = m_stopping || m_queuePaused.load();
            }
            if ((closing || !m_ready.empty()) && !ended.empty()) {
                outcome = ClaimOutcome::FinishFirst; // no claim to carry them
            } else if (!closing && m_ready.empty() && claimWouldTakeNothing(ended)) {
                outcome = ended.empty() ? ClaimOutcome::Nothing : ClaimOutcome::FinishFirst;
            } else if (!m_ready.empty()) {
                // Jobs handed back by a slot come first, also when stopping: they go back unrun.
                mine.push_back(std::move(m_ready.front()));
                m_ready.pop_front();
                return true;
            } else if (!closing) {
                outcome = claimFromStore(mine, ended, &finishedWithClaim);
            }
        }
        if (outcome == ClaimOutcome::FinishFirst) {
            flushFinished(ended);
            continue;
        }
        if (!ended.empty())
            applyFinished(ended, finishedWithClaim);
        if (outcome == ClaimOutcome::Claimed)
            return true;
        if (std::exchange(handedOver, false)) {
            // A slot must not end before its results are committed: the stop that may follow
            // would not wait for them.
            takeAllFinished(ended);
            flushFinished(ended);
            if (outcome == ClaimOutcome::Nothing)
                continue; // what they held may let a job start now
        }
        std::lock_guard lock(m_slotMutex);
        // Work may have arrived while this slot looked: look again instead of leaving it.
        if (outcome == ClaimOutcome::Nothing && m_workGeneration != generation && !m_stopping
            && !m_queuePaused.load())
            continue;
        releaseSlot();
        // Tried again after a pause, asked for only now that this slot's place is free: a kick
        // that came while the slot held it (waiting for its results' commit) found none, and
        // the slot does not look again after a failure. (Its kick waits for this lock.)
        if (outcome == ClaimOutcome::Failed && !m_stopping)
            post(inbox::WakeAt { now() + kStorageRetryMs });
        // Nothing left to claim here after jobs ended: the queue may be empty now (once per
        // such spell, not each time an idle runner looks).
        if (m_activeSlots == 0 && m_jobsEndedSinceIdle.exchange(false, std::memory_order_relaxed))
            markStateChanged(true);
        return false;
    }
}

bool Scheduler::commitBesideClaim(std::vector<Finished> &ended)
{
    if (ended.empty() || !canCommitBesideClaim(ended))
        return false;
    std::lock_guard lock(m_reportMutex);
    if (!reporterReady())
        return false; // committed first, by the slot
    // Still this runner's (their leases renewed) until committed, but no claim counts them.
    for (const Finished &f : ended)
        f.job->markResultHandedOver();
    if (m_unreported.empty())
        m_unreportedSince = std::chrono::steady_clock::now();
    std::move(ended.begin(), ended.end(), std::back_inserter(m_unreported));
    ended.clear();
    m_reportNow = true;
    m_reportWake.notify_one();
    return true;
}

bool Scheduler::canCommitBesideClaim(const std::vector<Finished> &ended)
{
    // A job that goes back to the queue must be there when the claim reads, or a later job
    // would start before it.
    for (const Finished &f : ended) {
        if (f.completion.status != RunStatus::Succeeded)
            return false;
    }
    // A job that ended still runs for the store until its result is committed: a claim that
    // counts its kind against a cap would find its place taken.
    const std::optional<QStringList> counted = countedKinds(m_policies);
    if (!counted)
        return false;
    return std::none_of(ended.cbegin(), ended.cend(),
        [&](const Finished &f) { return counted->contains(f.job->record().kind); });
}

// This runner's jobs as a claim counts them. What ended holds no cap: the store finishes it
// before the claim. What was handed over to be committed beside a claim holds none that a claim
// counts (commitBesideClaim).
RunningSet Scheduler::runningHere(
    const std::optional<QStringList> &counted, const std::vector<Finished> &ended) const
{
    RunningSet running(counted);
    QSet<const RunningJob *> endedJobs;
    for (const Finished &f : ended)
        endedJobs.insert(f.job.get());
    std::lock_guard lock(m_runningMutex);
    for (const auto &job : std::as_const(m_running)) {
        if (!endedJobs.contains(job.get()) && !job->resultHandedOver())
            running.add(job->record());
    }
    return running;
}

// With m_claimMutex held: whether a claim now would take nothing, as the last that took nothing
// found. Another process's writes are not known here: jobs it queues move the generation (once
// this process hears of them), and only this runner's jobs are counted (a host at its cap here
// is at it everywhere).
bool Scheduler::claimWouldTakeNothing(const std::vector<Finished> &ended)
{
    quint64 generation = 0;
    if (!m_head.wholeQueue || !headHolds(m_head.othersWrites, now(), &generation))
        return false;
    return headToSkip(runningHere(countedKinds(m_policies), ended)) == m_head.endSeq;
}

// With m_claimMutex held: whether m_head is still true, and there is a capped host to skip; the
// generation it was looked at with.
bool Scheduler::headHolds(qint64 othersWrites, qint64 nowMs, quint64 *generation) const
{
    // Writes first: one that ended after this look moved the generation before it ended.
    const bool writing = m_queueingWrites.load() > 0;
    *generation = m_claimableGeneration.load();
    return !writing && !m_head.hostFrom.isEmpty()
        && m_head.holdsAt(*generation, othersWrites, nowMs);
}

// With m_claimMutex held, m_head holding: the place in the queue up to which every job is of a
// host at its cap in `running`.
qint64 Scheduler::headToSkip(const RunningSet &running) const
{
    qint64 skip = m_head.endSeq;
    for (auto it = m_head.hostFrom.cbegin(); it != m_head.hostFrom.cend(); ++it) {
        if (it.value() <= skip && !m_hostCap->isFull(it.key(), running))
            skip = it.value() - 1;
    }
    return skip;
}

// With m_claimMutex held, after a claim that succeeded: `read` is what it found from
// `startSeq` on. While m_head holds, claims only take jobs away: what they found is still true,
// and from `startSeq` to where this one stopped reading, this one's is exact.
void Scheduler::rememberHead(const QueueHead &read, qint64 startSeq, qint64 nowMs)
{
    if (!m_head.holdsAt(read.generation, read.othersWrites, nowMs)) {
        m_head = startSeq == 0 ? read : QueueHead {};
        return;
    }
    QHash<QString, qint64> hostFrom = read.hostFrom;
    const bool laterKnown = read.endSeq < m_head.endSeq && !read.wholeQueue;
    for (auto it = m_head.hostFrom.cbegin(); it != m_head.hostFrom.cend(); ++it) {
        qint64 from = 0;
        if (it.value() <= startSeq)
            from = it.value();
        else if (laterKnown)
            from = std::max(it.value(), read.endSeq + 1);
        else
            continue;
        auto found = hostFrom.find(it.key());
        if (found == hostFrom.end())
            hostFrom.insert(it.key(), from);
        else
            found.value() = std::min(found.value(), from);
    }
    m_head.hostFrom = std::move(hostFrom);
    m_head.endSeq = std::max(m_head.endSeq, read.endSeq);
    m_head.wholeQueue = m_head.wholeQueue || read.wholeQueue;
    if (read.dueBy > 0 && (m_head.dueBy == 0 || read.dueBy < m_head.dueBy))
        m_head.dueBy = read.dueBy;
}

// With m_claimMutex held. `ended` is finished in the claim's call to the store; if that call
// fails as a whole, FinishFirst says so and they are still to be finished.
Scheduler::ClaimOutcome Scheduler::claimFromStore(std::deque<std::shared_ptr<RunningJob>> &mine,
    const std::vector<Finished> &ended, QList<FinishResult> *finishedWithClaim)
{
    const std::optional<QStringList> counted = countedKinds(m_policies);
    RunningSet running = runningHere(counted, ended);
    // Read by the store once the claim may proceed: the leases count from then, here (by the
    // steady clock, read first: never longer than the store's) as there.
    qint64 claimedAt = RunningJob::steadyMs();
    qint64 claimedAtMs = now();
    ClaimRequest request;
    request.owner = m_owner;
    request.nowMs = claimedAtMs;
    request.clock = [this, &claimedAt, &claimedAtMs] {
        claimedAt = RunningJob::steadyMs();
        claimedAtMs = now();
        return claimedAtMs;
    };
    request.leaseMs = m_config.leaseMs;
    // No more than the runner may still hold (the worker limit below): a claim for 128 with
    // room for 3 read 64 rows of the shared queue.
    request.maxJobs =
        std::max(1, std::min(batchSize(), m_config.workers + kMaxBatch - running.mine()));
    request.seeRunning = [&](const JobRecord &record) { running.addFromStore(record); };
    request.runningKinds = counted;
    qint64 wakeForSkipped = 0;
    bool lookAtOthers = false;
    bool heldBack = false; // a job a policy turned down, for now
    // What this claim finds at the head: from where it starts, the jobs it reads while each
    // may start or is of a host at its cap. Kept once a claim has found a host at its cap (a
    // queue with none pays nothing for it).
    QueueHead head;
    head.known = true;
    if (m_hostsFilled) {
        request.wantsWake = true; // to learn of the jobs a claim passed over
        request.startAfter = [&](qint64 othersWrites) {
            head.othersWrites = othersWrites;
            if (!headHolds(othersWrites, claimedAtMs, &head.generation))
                return qint64(0);
            return head.endSeq = headToSkip(running);
        };
    }
    bool headGoesOn = true;
    request.admit = [&](const JobRecord &candidate) {
        switch (otherHostsFor(candidate, claimedAtMs)) {
        case OtherHosts::Irrelevant:
        case OtherHosts::TakeIt:
            break;
        case OtherHosts::LookFirst:
            lookAtOthers = true;
            headGoesOn = false;
            return Admission::Skip;
        case OtherHosts::LeaveIt:
            wakeForSkipped = wakeForSkipped > 0 ? qMin(wakeForSkipped, candidate.avoidUntilMs)
                                                : candidate.avoidUntilMs;
            headGoesOn = false;
            return Admission::Skip;
        }
        const Admission verdict = admitAll(m_policies, candidate, running);
        if (verdict == Admission::Admit) {
            running.add(candidate);
            if (headGoesOn)
                head.endSeq = candidate.seq; // no longer queued
            return verdict;
        }
        heldBack = true;
        const QString fullHost =
            verdict == Admission::Skip ? m_hostCap->hostAtCap(candidate, running) : QString();
        if (fullHost.isEmpty()) {
            headGoesOn = false;
        } else if (headGoesOn) {
            if (!head.hostFrom.contains(fullHost))
                head.hostFrom.insert(fullHost, candidate.seq);
            head.endSeq = candidate.seq;
        }
        return verdict;
    };
    const quint64 failures = storageFailures(StorageAccess::Claim);
    const quint64 writeFailures = storageFailures(StorageAccess::Write);
    Result<ClaimResult> result = ClaimResult {};
    if (ended.empty()) {
        result = m_store->claim(request);
    } else {
        const QList<Completion> completions = completionsOf(ended);
        auto both = [&] {
            const QueueingWrite queueing(*this, mayQueueAgain(completions));
            return m_store->finishAndClaim(completions, now(), request);
        }();
        if (!both)
            return ClaimOutcome::FinishFirst; // finished alone, with retries, then claimed
        noteStorageWorks(StorageAccess::Write, writeFailures);
        // Before the claim lock goes: the next slot's claim must not count them as running (a
        // host's two places taken by a job that ended and the one claimed here, it claimed
        // nothing and its slot ended).
        forgetRunning(ended);
        *finishedWithClaim = std::move(both->finished);
        result = std::move(both->claim);
    }
    if (!result) {
        reportStorageError(result.error(), StorageAccess::Claim);
        return ClaimOutcome::Failed; // tried again once the slot is free (claimNext)
    }
    noteStorageWorks(StorageAccess::Claim, failures);
    m_hostsFilled = m_hostsFilled || !head.hostFrom.isEmpty();
    // Else it may hide a job not due yet, or one it chose and another writer held.
    if (request.startAfter && result->wakeCoversRead && result->lost == 0) {
        // Taking nothing, the claim read on to the last job.
        head.wholeQueue = result->claimed.isEmpty() && headGoesOn && head.endSeq > 0;
        head.dueBy = result->nextWakeMs;
        rememberHead(head, result->startedAfter, claimedAtMs);
    }
    askToWakeForWaiting(result->nextWakeMs, wakeForSkipped, heldBack, claimedAtMs);
    if (result->lost > 0)
        post(inbox::WakeAt { claimedAtMs + kLostJobLookMs });
    if (lookAtOthers) { // then claim again, with the look
        lookAtOtherHosts();
        post(inbox::Poke {});
    }
    if (result->claimed.isEmpty())
        return ClaimOutcome::Nothing;
    takeClaimed(result->claimed, claimedAt, mine);
    // Under the claim lock: starts are told in the order of the claims (FIFO). The ended jobs
    // are told after, once their files are released: a window may show them running a moment
    // longer.
    announceClaimed(std::move(result->claimed));
    return ClaimOutcome::Claimed;
}

// A wake gives way to an earlier one (one timer): each claim asks again for the times at which
// what it left waiting may start by itself, and the claim after an earlier wake asks again.
void Scheduler::askToWakeForWaiting(
    qint64 retryDueMs, qint64 otherHostsDueMs, bool heldBack, qint64 claimedAtMs)
{
    if (retryDueMs > 0) // the store's next job waiting for its not-before time
        post(inbox::WakeAt { retryDueMs });
    if (otherHostsDueMs > 0) // this machine takes it if no other has by then
        post(inbox::WakeAt { otherHostsDueMs });
    if (!heldBack)
        return;
    // A policy's hold (a server's Retry-After) ends by itself: no job ending will wake the queue.
    if (const qint64 at = nextChangeMs(m_policies, claimedAtMs); at > 0)
        post(inbox::WakeAt { at });
}

void Scheduler::takeClaimed(const QList<JobRecord> &claimed, qint64 claimedAt,
    std::deque<std::shared_ptr<RunningJob>> &mine)
{
    std::lock_guard lock(m_runningMutex);
    for (const JobRecord &record : claimed) {
        auto job = std::make_shared<RunningJob>(record, &m_workFiles);
        job->setWorkerBudget(this);
        job->setPreviewsShared(m_store->spansMachines());
        job->setFileShelf(m_fileShelf.get());
        job->setStore(m_store);
        job->renewLease(claimedAt + m_config.leaseMs, m_config.leaseMs);
        // An earlier attempt here that lost the job (put back meanwhile) writes nothing
        // more: the new one holds the lease.
        if (const auto earlier = m_running.value(record.id)) {
            earlier->loseLease();
            earlier->requestStop(JobControl::Interrupt);
        }
        m_running.insert(record.id, job);
        mine.push_back(std::move(job));
    }
}

void Scheduler::announceClaimed(QList<JobRecord> claimed)
{
    if (!m_progressSampling.exchange(true))
        post(inbox::RunningChanged {});
    publish(outbox::JobsChanged { std::move(claimed) });
    markStateChanged();
}

Completion Scheduler::execute(const std::shared_ptr<RunningJob> &job)
{
    JobResult result;
    if (job->stopRequested() != JobControl::None) {
        // Claimed in a batch and stopped before it began: it goes back unrun.
        result = JobResult::stopped();
    } else if (const JobKind *kind = m_registry->find(job->record().kind)) {
        try {
            std::unique_ptr<Job> instance = kind->create();
            result = instance
                ? instance->run(*job)
                : JobResult::failure(QStringLiteral("the job could not be created"), false);
        } catch (const std::exception &e) {
            result = JobResult::failure(QStringLiteral("the job threw an exception: %1")
                                            .arg(QString::fromLocal8Bit(e.what())));
        } catch (...) {
            result = JobResult::failure(QStringLiteral("the job threw an exception"));
        }
    } else {
        result = JobResult::failure(
            QStringLiteral("this program cannot run jobs of kind '%1'").arg(job->record().kind),
            false);
    }
    if (result.status == RunStatus::Invalid)
        result = JobResult::failure(QStringLiteral("the job ended without a result"), false);

    if (const int kept = job->takeBorrowedWorkers(); kept > 0)
        giveBack(kept);
    const JobControl seen = job->stopRequested();
    Completion completion;
    completion.id = job->id();
    completion.leaseToken = job->record().leaseToken;
    completion.status = result.status;
    completion.retryable = result.retryable;
    completion.error = result.error;
    completion.output = result.output;
    completion.progress = job->progress();
    completion.logLines = job->takeLogLines();
    // Stopped because asked: if the request was withdrawn meanwhile (resume after pause), the
    // job simply goes back to the queue.
    completion.interrupted = result.status == RunStatus::Stopped && seen != JobControl::None;
    if (completion.interrupted && seen == JobControl::Interrupt && completion.error.isEmpty())
        completion.error = m_queuePaused ? QStringLiteral("the queue was paused")
                                         : QStringLiteral("the runner stopped");
    if (result.status != RunStatus::Succeeded && !completion.interrupted && job->doubtedLease()) {
        // The job gave up when it could not tell that its lease held ("another runner took it
        // over"). If another runner did, the store refuses this; if none did (this runner was
        // late renewing on a busy machine), the job is not failed for what it never did.
        completion.status = RunStatus::Stopped;
        completion.leaseRanOut = true;
        // The job's own reason is kept: a real failure after a doubt is told next time, or here.
        completion.error = QStringLiteral("the runner was late renewing the job's lease (a busy "
                                          "machine?); the job stopped without failing")
            + (result.error.isEmpty() ? QString() : QStringLiteral(": ") + result.error);
    }
    if (result.status == RunStatus::Failed) {
        completion.retryDelayMs = m_config.retry.delayMs(job->record().attempts, nextRandom());
        if (result.retryAfterMs >= 0) {
            // The server said when: honour it (within a day), for this job and, if asked, its host.
            completion.retryDelayMs = qMin<qint64>(result.retryAfterMs, kMaxRetryAfterMs);
            if (result.holdHost) {
                const qint64 until = now() + completion.retryDelayMs;
                for (const auto &policy : std::as_const(m_policies))
                    policy->holdLike(job->record(), until);
                post(inbox::WakeAt { until });
            }
        }
    }
    return completion;
}

QList<Completion> Scheduler::completionsOf(const std::vector<Finished> &finished)
{
    QList<Completion> completions;
    completions.reserve(qsizetype(finished.size()));
    for (const Finished &f : finished)
        completions.append(f.completion);
    return completions;
}

void Scheduler::flushFinished(std::vector<Finished> &finished)
{
    if (finished.empty())
        return;
    applyFinished(finished, finishWithRetry(completionsOf(finished)));
}

void Scheduler::forgetRunning(const std::vector<Finished> &finished)
{
    std::lock_guard lock(m_runningMutex);
    for (const Finished &f : finished) {
        // Not a later attempt of the same job, claimed here after this one lost it.
        if (m_running.value(f.job->id()) == f.job)
            m_running.remove(f.job->id());
    }
}

void Scheduler::applyFinished(std::vector<Finished> &finished, const QList<FinishResult> &results)
{
    forgetRunning(finished);
    m_jobsEndedSinceIdle.store(true, std::memory_order_relaxed);
    finished.clear();
    QList<JobRecord> changed;
    changed.reserve(results.size()); // grown as it went, it copied the records at each step
    QList<QUuid> removed;
    for (const FinishResult &f : results) {
        if (f.error.isError()) {
            // LeaseLost: another runner took the job over; its outcome is not ours to report.
            if (f.error.code != ErrorCode::LeaseLost) {
                reportStorageError(f.error, StorageAccess::Write);
                ++m_jobsLeftBehind;
            }
            continue;
        }
        if (!f.removed)
            tellFailed(f.record);
        releaseFiles(f.record, f.removed, true);
        if (f.removed) {
            removed.append(f.id);
            continue;
        }
        if (f.record.state == JobState::Queued && f.record.notBeforeMs > 0)
            post(inbox::WakeAt { f.record.notBeforeMs });
        else if (f.record.state == JobState::Queued)
            m_claimableGeneration.fetch_add(1); // back in the queue: the claim after sees it
        changed.append(f.record);
    }
    if (!changed.isEmpty() || !removed.isEmpty())
        tellRunningJobsOfChanges();
    if (!changed.isEmpty())
        publish(outbox::JobsChanged { std::move(changed) });
    if (!removed.isEmpty())
        publish(outbox::JobsRemoved { std::move(removed) });
    markStateChanged();
}

bool Scheduler::mayQueueAgain(const QList<Completion> &completions)
{
    return std::any_of(completions.cbegin(), completions.cend(),
        [](const Completion &c) { return c.status != RunStatus::Succeeded; });
}

QList<FinishResult> Scheduler::finishWithRetry(const QList<Completion> &completions)
{
    const QueueingWrite queueing(*this, mayQueueAgain(completions));
    // The work is done: losing this write would make the jobs run again. Keep trying while the
    // leases may still be ours (a shared queue's server may be away for a while); after that
    // another runner may hold the jobs, and the write would be refused anyway.
    const auto giveUpAt = std::chrono::steady_clock::now()
        + std::chrono::milliseconds(qMax<qint64>(m_config.leaseMs, kFinishTries * 250));
    Error last;
    for (;;) {
        const quint64 failures = storageFailures(StorageAccess::Write);
        auto result = m_store->finish(completions, now());
        if (result) {
            noteStorageWorks(StorageAccess::Write, failures);
            return result.value();
        }
        last = result.error();
        if (last.code != ErrorCode::Storage || std::chrono::steady_clock::now() >= giveUpAt)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    QList<FinishResult> failed;
    for (const Completion &c : completions)
        failed.append(FinishResult { c.id, last, false, JobRecord {} });
    return failed;
}

} // namespace spool
