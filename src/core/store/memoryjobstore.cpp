#include "memoryjobstore.h"

#include <algorithm>

#include "job/jobtransitions.h"

namespace spool {

namespace {
constexpr qsizetype kMaxEventsPerJob = 1000;
constexpr size_t kMaxRemembered = 10000;

Error notFound(const QUuid &id)
{
    return makeError(ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id)));
}
} // namespace

JobRecord *MemoryJobStore::findLocked(const QUuid &id)
{
    const auto seqIt = m_seqById.constFind(id);
    if (seqIt == m_seqById.cend())
        return nullptr;
    auto it = m_jobsBySeq.find(*seqIt);
    return it == m_jobsBySeq.end() ? nullptr : &it->second;
}

// Persists a modified record under a new revision (its seq may have changed; `record` may point
// into the map and is invalid afterwards). Returns the saved version.
JobRecord MemoryJobStore::saveLocked(JobRecord &record, qint64 oldSeq)
{
    record.rev = ++m_rev;
    m_queuedSeqs.erase(oldSeq);
    if (record.state == JobState::Queued)
        m_queuedSeqs.insert(record.seq);
    if (record.seq == oldSeq)
        return record;
    JobRecord moved = std::move(record);
    m_jobsBySeq.erase(oldSeq);
    m_seqById.insert(moved.id, moved.seq);
    return m_jobsBySeq.emplace(moved.seq, std::move(moved)).first->second;
}

void MemoryJobStore::removeLocked(const QUuid &id)
{
    const qint64 seq = m_seqById.take(id);
    m_queuedSeqs.erase(seq);
    m_jobsBySeq.erase(seq);
    m_events.remove(id);
    m_removed.emplace_back(++m_rev, id);
    if (m_removed.size() > kMaxRemembered) {
        const auto drop = m_removed.size() - kMaxRemembered / 2;
        m_removedFloorRev = m_removed[drop - 1].first;
        m_removed.erase(m_removed.begin(), m_removed.begin() + static_cast<std::ptrdiff_t>(drop));
    }
}

void MemoryJobStore::addEventsLocked(const QUuid &id, const QList<JobEvent> &events)
{
    if (events.isEmpty())
        return;
    QList<JobEvent> &list = m_events[id];
    list.append(events);
    if (list.size() > kMaxEventsPerJob)
        list.remove(0, list.size() - kMaxEventsPerJob);
}

Result<QList<JobRecord>> MemoryJobStore::enqueue(const QList<NewJob> &jobs, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    for (const NewJob &job : jobs) {
        if (m_seqById.contains(job.id))
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("a job with id %1 exists already").arg(idString(job.id)));
    }
    QList<JobRecord> records;
    records.reserve(jobs.size());
    for (const NewJob &job : jobs) {
        QList<JobEvent> events;
        JobRecord record = transitions::newRecord(job, ++m_lastSeq, nowMs, &events);
        record.rev = ++m_rev;
        m_seqById.insert(record.id, record.seq);
        m_queuedSeqs.insert(record.seq);
        addEventsLocked(record.id, events);
        records.append(record);
        m_jobsBySeq.emplace(record.seq, std::move(record));
    }
    return records;
}

Result<ClaimResult> MemoryJobStore::claim(const ClaimRequest &request)
{
    std::lock_guard lock(m_mutex);
    ClaimResult result;
    QList<QString> skippedKinds;
    for (auto it = m_queuedSeqs.begin();
         it != m_queuedSeqs.end() && result.claimed.size() < request.maxJobs;) {
        JobRecord &record = m_jobsBySeq.at(*it);
        if (record.notBeforeMs > request.nowMs) {
            if (result.nextWakeMs == 0 || record.notBeforeMs < result.nextWakeMs)
                result.nextWakeMs = record.notBeforeMs;
            ++it;
            continue;
        }
        if (skippedKinds.contains(record.kind)) {
            ++it;
            continue;
        }
        const Admission verdict = request.admit ? request.admit(record) : Admission::Admit;
        if (verdict == Admission::Stop)
            break;
        if (verdict == Admission::SkipKind)
            skippedKinds.append(record.kind);
        if (verdict != Admission::Admit) {
            ++it;
            continue;
        }
        const auto outcome =
            transitions::claim(record, request.owner, request.nowMs, request.leaseMs);
        record.rev = ++m_rev;
        addEventsLocked(record.id, outcome.events);
        result.claimed.append(record);
        it = m_queuedSeqs.erase(it);
    }
    return result;
}

Result<QList<LeaseStatus>> MemoryJobStore::heartbeat(
    const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs)
{
    std::lock_guard lock(m_mutex);
    QList<LeaseStatus> statuses;
    for (const Heartbeat &beat : beats) {
        LeaseStatus status;
        status.id = beat.id;
        if (JobRecord *record = findLocked(beat.id)) {
            const auto outcome = transitions::heartbeat(*record, beat, nowMs, leaseMs, &status);
            if (outcome.changed) {
                record->rev = ++m_rev;
                addEventsLocked(record->id, outcome.events);
            }
        }
        statuses.append(status);
    }
    return statuses;
}

Result<QList<FinishResult>> MemoryJobStore::finish(
    const QList<Completion> &completions, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    QList<FinishResult> results;
    for (const Completion &completion : completions) {
        FinishResult result;
        result.id = completion.id;
        JobRecord *record = findLocked(completion.id);
        if (!record) {
            result.error = makeError(ErrorCode::LeaseLost,
                QStringLiteral("job %1 was removed").arg(idString(completion.id)));
            results.append(result);
            continue;
        }
        const qint64 oldSeq = record->seq;
        const auto outcome = transitions::complete(*record, completion, nowMs);
        result.error = outcome.error;
        if (outcome.deleteRecord) {
            removeLocked(completion.id);
            result.removed = true;
        } else if (outcome.changed) {
            addEventsLocked(record->id, outcome.events);
            result.record = saveLocked(*record, oldSeq);
        }
        results.append(result);
    }
    return results;
}

Result<QList<JobRecord>> MemoryJobStore::recoverAbandoned(qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    QList<JobRecord> recovered;
    QList<QUuid> toRemove;
    for (auto &[seq, record] : m_jobsBySeq) {
        QString reason;
        if (!transitions::needsRecovery(record, nowMs, &reason))
            continue;
        const auto outcome = transitions::recover(record, nowMs, reason);
        if (outcome.deleteRecord) {
            toRemove.append(record.id);
            continue;
        }
        addEventsLocked(record.id, outcome.events);
        recovered.append(saveLocked(record, seq));
    }
    for (const QUuid &id : toRemove)
        removeLocked(id);
    return recovered;
}

Result<CommandResult> MemoryJobStore::command(const QUuid &id, JobCommand command, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    JobRecord *record = findLocked(id);
    if (!record)
        return notFound(id);
    JobRecord updated = *record;
    const auto outcome =
        transitions::applyCommand(updated, command, nowMs, [this] { return ++m_lastSeq; });
    if (outcome.error.isError())
        return outcome.error;
    CommandResult result;
    if (!outcome.changed) {
        result.record = *record;
        return result;
    }
    if (outcome.deleteRecord) {
        removeLocked(id);
        result.removed = true;
        return result;
    }
    const qint64 oldSeq = record->seq;
    *record = updated;
    addEventsLocked(id, outcome.events);
    result.record = saveLocked(*record, oldSeq);
    return result;
}

Result<QList<JobRecord>> MemoryJobStore::query(const JobQuery &query)
{
    std::lock_guard lock(m_mutex);
    QList<JobRecord> records;
    for (const auto &[seq, record] : m_jobsBySeq) {
        if (query.limit >= 0 && records.size() >= query.limit)
            break;
        if (!query.ids.isEmpty() && !query.ids.contains(record.id))
            continue;
        if (!query.states.isEmpty() && !query.states.contains(record.state))
            continue;
        records.append(record);
    }
    return records;
}

Result<QList<QUuid>> MemoryJobStore::findIds(const QString &prefix, int limit)
{
    std::lock_guard lock(m_mutex);
    const QString lower = prefix.toLower();
    QList<QUuid> ids;
    for (auto it = m_seqById.cbegin(); it != m_seqById.cend() && ids.size() < limit; ++it) {
        if (idString(it.key()).startsWith(lower))
            ids.append(it.key());
    }
    return ids;
}

Result<QList<JobEvent>> MemoryJobStore::events(const QUuid &id)
{
    std::lock_guard lock(m_mutex);
    if (!m_seqById.contains(id))
        return notFound(id);
    return m_events.value(id);
}

Result<QueueCounts> MemoryJobStore::counts()
{
    std::lock_guard lock(m_mutex);
    QueueCounts counts;
    for (const auto &[seq, record] : m_jobsBySeq) {
        switch (record.state) {
        case JobState::Queued:
            ++counts.queued;
            break;
        case JobState::Running:
            ++counts.running;
            break;
        case JobState::Paused:
            ++counts.paused;
            break;
        case JobState::Succeeded:
            ++counts.succeeded;
            break;
        case JobState::Failed:
            ++counts.failed;
            break;
        case JobState::Canceled:
            ++counts.canceled;
            break;
        case JobState::Invalid:
            break;
        }
    }
    return counts;
}

Result<bool> MemoryJobStore::queuePaused()
{
    std::lock_guard lock(m_mutex);
    return m_queuePaused;
}

Result<void> MemoryJobStore::setQueuePaused(bool paused, qint64 nowMs)
{
    Q_UNUSED(nowMs)
    std::lock_guard lock(m_mutex);
    if (m_queuePaused != paused) {
        m_queuePaused = paused;
        ++m_rev;
    }
    return {};
}

Result<ChangeSet> MemoryJobStore::changesSince(qint64 rev)
{
    std::lock_guard lock(m_mutex);
    ChangeSet changes;
    changes.rev = m_rev;
    changes.queuePaused = m_queuePaused;
    changes.fullResync = rev < m_removedFloorRev;
    for (const auto &[seq, record] : m_jobsBySeq) {
        if (changes.fullResync || record.rev > rev)
            changes.changed.append(record);
    }
    for (const auto &[removedRev, id] : m_removed) {
        if (removedRev > rev)
            changes.removed.append(id);
    }
    return changes;
}

Result<qint64> MemoryJobStore::currentRev()
{
    std::lock_guard lock(m_mutex);
    return m_rev;
}

void MemoryJobStore::setExternalChangeListener(std::function<void()> listener)
{
    // Nothing outside this process can change a memory store.
    Q_UNUSED(listener)
}

} // namespace spool
