#include "memoryjobstore.h"

#include <algorithm>
#include <tuple>

#include <QSet>

#include "job/jobtransitions.h"

namespace spool {

namespace {
constexpr qsizetype kMaxEventsPerJob = 1000;
constexpr size_t kMaxRemembered = 10000;

QUuid firstRepeated(const QList<NewJob> &jobs)
{
    QSet<QUuid> seen;
    for (const NewJob &job : jobs) {
        if (seen.contains(job.id))
            return job.id;
        seen.insert(job.id);
    }
    return {};
}

Error notFound(const QUuid &id)
{
    return makeError(ErrorCode::NotFound, QStringLiteral("no job with id %1").arg(idString(id)));
}
} // namespace

MemoryJobStore::Entry *MemoryJobStore::findLocked(const QUuid &id)
{
    return m_byId.value(id);
}

// Persists a modified record under a new revision. Its seq may have changed, in which case the
// entry moves and `entry` is invalid afterwards. Returns the saved version.
JobRecord MemoryJobStore::saveLocked(Entry &entry, qint64 oldSeq, JobState oldState)
{
    JobRecord &record = entry.record;
    record.rev = ++m_rev;
    countLocked(oldState, -1);
    countLocked(record.state, 1);
    m_queuedSeqs.erase(oldSeq);
    m_runningSeqs.erase(oldSeq);
    if (record.state == JobState::Queued)
        m_queuedSeqs.insert(record.seq);
    if (record.state == JobState::Running)
        m_runningSeqs.insert(record.seq);
    if (record.seq == oldSeq)
        return record;
    Entry moved = std::move(entry);
    m_jobsBySeq.erase(oldSeq);
    Entry &placed = m_jobsBySeq.emplace(moved.record.seq, std::move(moved)).first->second;
    m_byId.insert(placed.record.id, &placed);
    return placed.record;
}

void MemoryJobStore::countLocked(JobState state, int delta)
{
    m_counts.adjust(state, delta);
}

void MemoryJobStore::removeLocked(const QUuid &id)
{
    Entry *entry = m_byId.take(id);
    if (!entry)
        return;
    const qint64 seq = entry->record.seq;
    countLocked(entry->record.state, -1);
    m_queuedSeqs.erase(seq);
    m_runningSeqs.erase(seq);
    m_jobsBySeq.erase(seq);
    m_removed.emplace_back(++m_rev, id);
    if (m_removed.size() > kMaxRemembered) {
        const auto drop = m_removed.size() - kMaxRemembered / 2;
        m_removedFloorRev = m_removed[drop - 1].first;
        m_removed.erase(m_removed.begin(), m_removed.begin() + static_cast<std::ptrdiff_t>(drop));
    }
}

void MemoryJobStore::addEvents(Entry &entry, const QList<JobEvent> &events)
{
    if (events.isEmpty())
        return;
    entry.events.append(events);
    if (entry.events.size() > kMaxEventsPerJob)
        entry.events.remove(0, entry.events.size() - kMaxEventsPerJob);
}

Result<QList<JobRecord>> MemoryJobStore::enqueue(const QList<NewJob> &jobs, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    for (const NewJob &job : jobs) {
        if (m_byId.contains(job.id))
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("a job with id %1 exists already").arg(idString(job.id)));
    }
    const qint64 seqBefore = m_lastSeq;
    const qint64 revBefore = m_rev;
    const qsizetype idsBefore = m_byId.size();
    m_byId.reserve(idsBefore + jobs.size());
    QList<JobRecord> records;
    records.reserve(jobs.size());
    for (const NewJob &job : jobs) {
        Entry entry;
        entry.record = transitions::newRecord(job, ++m_lastSeq, nowMs);
        entry.record.rev = ++m_rev;
        const qint64 seq = entry.record.seq;
        m_queuedSeqs.insert(m_queuedSeqs.end(), seq);
        records.append(entry.record);
        Entry &placed = m_jobsBySeq.emplace_hint(m_jobsBySeq.end(), seq, std::move(entry))->second;
        m_byId.insert(job.id, &placed);
    }
    // Fewer ids than jobs: one came twice in the batch, which would leave a row no id finds.
    // Rare enough to undo rather than check each id against a set of the batch's.
    if (m_byId.size() != idsBefore + jobs.size()) {
        for (const NewJob &job : jobs)
            m_byId.remove(job.id);
        m_jobsBySeq.erase(m_jobsBySeq.upper_bound(seqBefore), m_jobsBySeq.end());
        m_queuedSeqs.erase(m_queuedSeqs.upper_bound(seqBefore), m_queuedSeqs.end());
        m_lastSeq = seqBefore;
        m_rev = revBefore;
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("a job with id %1 comes twice").arg(idString(firstRepeated(jobs))));
    }
    m_counts.queued += jobs.size();
    return records;
}

Result<ClaimResult> MemoryJobStore::claim(const ClaimRequest &request)
{
    std::lock_guard lock(m_mutex);
    const qint64 nowMs = request.timeOfClaim();
    ClaimResult result;
    if (request.seeRunning && !(request.runningKinds && request.runningKinds->isEmpty())) {
        for (qint64 seq : m_runningSeqs) {
            const JobRecord &record = m_jobsBySeq.at(seq).record;
            if (!request.runningKinds || request.runningKinds->contains(record.kind))
                request.seeRunning(record);
        }
    }
    result.wakeCoversRead = true; // from each job it reads
    if (request.startAfter)
        result.startedAfter = request.startAfter(0); // no other process writes here
    QList<QString> skippedKinds;
    int refusedSinceClaimed = 0; // a claim with jobs does not read on through a capped backlog
    for (auto it = m_queuedSeqs.upper_bound(result.startedAfter); it != m_queuedSeqs.end()
         && result.claimed.size() < request.maxJobs && refusedSinceClaimed < kClaimPageSize;) {
        Entry &entry = m_jobsBySeq.at(*it);
        JobRecord &record = entry.record;
        if (record.notBeforeMs > nowMs) {
            if (result.nextWakeMs == 0 || record.notBeforeMs < result.nextWakeMs)
                result.nextWakeMs = record.notBeforeMs;
            ++it;
            continue;
        }
        if (!skippedKinds.isEmpty() && skippedKinds.contains(record.kind)) {
            ++it;
            continue;
        }
        const Admission verdict = request.admit ? request.admit(record) : Admission::Admit;
        if (verdict == Admission::Stop)
            break;
        if (verdict == Admission::SkipKind)
            skippedKinds.append(record.kind);
        if (verdict == Admission::Skip && !result.claimed.isEmpty())
            ++refusedSinceClaimed;
        if (verdict != Admission::Admit) {
            ++it;
            continue;
        }
        const auto outcome = transitions::claim(record, request.owner, nowMs, request.leaseMs);
        record.rev = ++m_rev;
        --m_counts.queued;
        ++m_counts.running;
        addEvents(entry, outcome.events);
        // Grown as it went, the list copied every record claimed so far at each step (perf: 2%
        // of the slots' time with no-op jobs). Reserved at the first: most claims find none.
        if (result.claimed.isEmpty())
            result.claimed.reserve(
                qMin<qsizetype>(request.maxJobs, qsizetype(m_queuedSeqs.size())));
        result.claimed.append(record);
        m_runningSeqs.insert(record.seq);
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
        if (Entry *entry = findLocked(beat.id)) {
            const auto outcome =
                transitions::heartbeat(entry->record, beat, nowMs, leaseMs, &status);
            if (outcome.changed) {
                entry->record.rev = ++m_rev;
                addEvents(*entry, outcome.events);
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
    results.reserve(completions.size());
    for (const Completion &completion : completions) {
        FinishResult result;
        result.id = completion.id;
        Entry *entry = findLocked(completion.id);
        if (!entry) {
            result.error = makeError(ErrorCode::LeaseLost,
                QStringLiteral("job %1 was removed").arg(idString(completion.id)));
            results.append(result);
            continue;
        }
        const qint64 oldSeq = entry->record.seq;
        const auto outcome = transitions::complete(entry->record, completion, nowMs);
        result.error = outcome.error;
        if (outcome.deleteRecord) {
            result.record = entry->record;
            removeLocked(completion.id);
            result.removed = true;
        } else if (outcome.changed) {
            addEvents(*entry, outcome.events);
            result.record = saveLocked(*entry, oldSeq, JobState::Running);
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
    for (auto &[seq, entry] : m_jobsBySeq) {
        QString reason;
        if (!transitions::needsRecovery(entry.record, nowMs, &reason))
            continue;
        const auto outcome = transitions::recover(entry.record, nowMs, reason);
        if (outcome.deleteRecord) {
            toRemove.append(entry.record.id);
            continue;
        }
        addEvents(entry, outcome.events);
        recovered.append(saveLocked(entry, seq, JobState::Running));
    }
    for (const QUuid &id : toRemove)
        removeLocked(id);
    return recovered;
}

Result<QList<Result<CommandResult>>> MemoryJobStore::commandMany(
    const QList<QUuid> &ids, JobCommand command, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    QList<Result<CommandResult>> results;
    results.reserve(ids.size());
    for (const QUuid &id : ids)
        results.append(commandLocked(id, command, nowMs));
    return results;
}

Result<CommandResult> MemoryJobStore::commandLocked(
    const QUuid &id, JobCommand command, qint64 nowMs)
{
    Entry *entry = findLocked(id);
    if (!entry)
        return notFound(id);
    JobRecord updated = entry->record;
    const auto outcome =
        transitions::applyCommand(updated, command, nowMs, [this] { return ++m_lastSeq; });
    if (outcome.error.isError())
        return outcome.error;
    CommandResult result;
    if (!outcome.changed) {
        result.record = entry->record;
        return result;
    }
    if (outcome.deleteRecord) {
        result.record = updated;
        removeLocked(id);
        result.removed = true;
        return result;
    }
    const qint64 oldSeq = entry->record.seq;
    const JobState oldState = entry->record.state;
    entry->record = updated;
    addEvents(*entry, outcome.events);
    result.record = saveLocked(*entry, oldSeq, oldState);
    return result;
}

Result<QList<JobRecord>> MemoryJobStore::query(const JobQuery &query)
{
    std::lock_guard lock(m_mutex);
    QList<JobRecord> records;
    for (const auto &[seq, entry] : m_jobsBySeq) {
        if (query.limit >= 0 && records.size() >= query.limit)
            break;
        if (!query.ids.isEmpty() && !query.ids.contains(entry.record.id))
            continue;
        if (!query.states.isEmpty() && !query.states.contains(entry.record.state))
            continue;
        if (query.finishedBeforeMs > 0
            && (entry.record.finishedAtMs <= 0
                || entry.record.finishedAtMs >= query.finishedBeforeMs))
            continue;
        if (!matchesParam(query, entry.record))
            continue;
        records.append(entry.record);
    }
    return records;
}

Result<QList<QUuid>> MemoryJobStore::findIds(const QString &prefix, int limit)
{
    std::lock_guard lock(m_mutex);
    const QString lower = prefix.toLower();
    QList<QUuid> ids;
    for (auto it = m_byId.cbegin(); it != m_byId.cend() && ids.size() < limit; ++it) {
        if (idString(it.key()).startsWith(lower))
            ids.append(it.key());
    }
    return ids;
}

Result<QList<JobEvent>> MemoryJobStore::events(const QUuid &id)
{
    std::lock_guard lock(m_mutex);
    const Entry *entry = findLocked(id);
    if (!entry)
        return notFound(id);
    return transitions::timeline(entry->record, entry->derived, entry->events);
}

Result<QueueCounts> MemoryJobStore::counts()
{
    std::lock_guard lock(m_mutex);
    return m_counts;
}

Result<ImportResult> MemoryJobStore::importJobs(const QList<ExportedJob> &jobs, qint64 nowMs)
{
    std::lock_guard lock(m_mutex);
    ImportResult result;
    for (const ExportedJob &job : jobs) {
        if (m_byId.contains(job.record.id)) {
            result.skipped.append(job.record.id);
            continue;
        }
        Entry entry;
        entry.events = job.events;
        entry.record = transitions::imported(job.record, ++m_lastSeq, nowMs, &entry.events);
        entry.derived = transitions::derivedForImported(entry.record);
        entry.record.rev = ++m_rev;
        const qint64 seq = entry.record.seq;
        if (entry.record.state == JobState::Queued)
            m_queuedSeqs.insert(m_queuedSeqs.end(), seq);
        countLocked(entry.record.state, 1);
        Entry &placed = m_jobsBySeq.emplace_hint(m_jobsBySeq.end(), seq, std::move(entry))->second;
        m_byId.insert(placed.record.id, &placed);
        ++result.imported;
    }
    return result;
}

Result<void> MemoryJobStore::reportRunner(const RunnerInfo &runner)
{
    std::lock_guard lock(m_mutex);
    RunnerInfo &known = m_runners[runner.owner];
    const qint64 startedAt = known.owner.isEmpty() ? runner.startedAtMs : known.startedAtMs;
    known = runner;
    known.startedAtMs = startedAt;
    return {};
}

Result<void> MemoryJobStore::forgetRunner(const QString &owner)
{
    std::lock_guard lock(m_mutex);
    m_runners.remove(owner);
    return {};
}

Result<QList<RunnerInfo>> MemoryJobStore::runners()
{
    std::lock_guard lock(m_mutex);
    QList<RunnerInfo> list = m_runners.values();
    for (RunnerInfo &runner : list) {
        runner.running = 0;
        for (qint64 seq : m_runningSeqs)
            runner.running += m_jobsBySeq.at(seq).record.leaseOwner == runner.owner ? 1 : 0;
    }
    std::sort(list.begin(), list.end(), [](const RunnerInfo &a, const RunnerInfo &b) {
        return std::tie(a.host, a.pid) < std::tie(b.host, b.pid);
    });
    return list;
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
    for (const auto &[seq, entry] : m_jobsBySeq) {
        if (changes.fullResync || entry.record.rev > rev)
            changes.changed.append(entry.record);
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
