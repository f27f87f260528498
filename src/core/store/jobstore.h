#pragma once

#include <functional>
#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

#include "job/fileshelf.h"
#include "job/lifecycle.h"
#include "util/result.h"

namespace spool {

// The admission verdict for one candidate, from the queue's policies.
enum class Admission {
    Admit = 0,
    Skip, // not this job now; later ones may start
    SkipKind, // no job of this kind can start now
    Stop, // nothing can start now
};

// Rows a claim reads at once from a store of rows; also how far a claim that has jobs reads on
// past jobs turned down (ClaimRequest::maxJobs).
constexpr int kClaimPageSize = 64;

struct ClaimRequest
{
    QString owner;
    qint64 nowMs = 0;
    // Read once the claim may proceed (its connection and lock taken), for the time the claim
    // is made: the leases count from then. A lease counted from before a wait could end before
    // the claim commits, and another runner would take the job back at once. Unset: nowMs.
    std::function<qint64()> clock;
    qint64 leaseMs = 30000;
    // At most this many. A claim that has some stops after about kClaimPageSize jobs turned
    // down (Skip): filling a batch is not worth reading a capped host's whole backlog each time.
    int maxJobs = 1;
    // Told first of the jobs running in the store (of runningKinds), this runner's and every
    // other's, so that caps hold across runners (the claim is made while no other claim is).
    std::function<void(const JobRecord &)> seeRunning;
    // The kinds whose running jobs seeRunning must be told of (its policies count no others);
    // unset: every kind. Reading every running row made each claim cost more the more jobs ran.
    std::optional<QStringList> runningKinds;
    // Asked in FIFO order for each eligible queued job; an admitted job is claimed.
    std::function<Admission(const JobRecord &)> admit;
    // Where to start reading, asked once the claim holds the store's lock (after clock and
    // seeRunning), with what counts other processes' writes to the store (0 where the store does
    // not count them): only jobs queued after the place returned (a seq), the caller knowing that
    // none before it may start. Unset or 0: from the first job.
    std::function<qint64(qint64 othersWrites)> startAfter;
    // ClaimResult::nextWakeMs also when the claim takes maxJobs having passed over jobs turned
    // down one by one (Skip; by default only when it takes fewer: the next claim is soon then).
    bool wantsWake = false;

    qint64 timeOfClaim() const { return clock ? clock() : nowMs; }
};

struct ClaimResult
{
    QList<JobRecord> claimed;
    // Earliest not-before of a queued job that is not eligible yet (0: none): when to look again.
    qint64 nextWakeMs = 0;
    // nextWakeMs counts every such job from where the claim started to where it stopped reading.
    bool wakeCoversRead = false;
    // What startAfter was asked with and returned.
    qint64 othersWrites = 0;
    qint64 startedAfter = 0;
    // Jobs the claim chose but did not take: another transaction held them, or had changed them
    // since they were read (stores that read the queue unlocked). What the claim found of the
    // queue is then not all true.
    int lost = 0;
};

// What finishAndClaim did: the finishes were committed; the claim after them may have failed.
struct FinishAndClaimResult
{
    QList<FinishResult> finished;
    Result<ClaimResult> claim = ClaimResult {};
};

struct JobQuery
{
    QList<QUuid> ids; // empty: all
    QList<JobState> states; // empty: all
    qint64 limit = -1;
    qint64 finishedBeforeMs = 0; // > 0: only jobs that finished before then
    // Non-empty: only jobs whose params have this name with the string value `paramValue`
    // (the parts of one split job).
    QString paramName {};
    QString paramValue {};
    // The params as the store keeps them (JobRecord::paramsText) instead of parsed, where the
    // store keeps them as text: for a reader that holds many records and seldom reads params.
    bool paramsAsText = false;
};

// Whether `record` matches the query's parameter filter (true when it has none).
bool matchesParam(const JobQuery &query, const JobRecord &record);

struct ChangeSet
{
    qint64 rev = 0; // the store's revision this change set brings the reader to
    bool fullResync = false; // removals were forgotten: reload everything
    QList<JobRecord> changed; // in FIFO order
    QList<QUuid> removed;
    bool queuePaused = false;
};

struct QueueCounts
{
    qint64 queued = 0; // includes retries waiting for their not-before time
    qint64 running = 0;
    qint64 paused = 0;
    qint64 succeeded = 0;
    qint64 failed = 0;
    qint64 canceled = 0;

    qint64 active() const { return queued + running; }
    // The counter of one state (nullptr for Invalid).
    qint64 *of(JobState state);
    void adjust(JobState state, qint64 delta)
    {
        if (qint64 *counter = of(state))
            *counter += delta;
    }
    qint64 total() const { return queued + running + paused + succeeded + failed + canceled; }
    friend bool operator==(const QueueCounts &, const QueueCounts &) = default;
};

// A job as `spoolctl export` writes it and `import` reads it: the record and its timeline.
struct ExportedJob
{
    JobRecord record;
    QList<JobEvent> events;
};

struct ImportResult
{
    qint64 imported = 0;
    QList<QUuid> skipped; // ids the queue has already
};

// A runner working on the queue, as it last reported itself (the Runners view).
struct RunnerInfo
{
    QString owner; // the lease owner it writes into the jobs it holds
    QString host;
    qint64 pid = 0;
    int workers = 0;
    int running = 0; // counted by the store from the jobs this runner holds; not reported
    qint64 startedAtMs = 0;
    qint64 lastSeenAtMs = 0;
};

// Runners report themselves this often; one silent for three reports is taken for gone.
constexpr int kRunnerReportMs = 10000;
bool runnerSeemsAlive(const RunnerInfo &runner, qint64 nowMs);
// The machines with a live runner that has workers (for "auto": one part per machine).
int machinesRunning(const QList<RunnerInfo> &runners, qint64 nowMs);

struct CommandResult
{
    bool removed = false;
    JobRecord record; // the new version; when removed, the last one
};

// The queue's storage: narrow on purpose (enqueue, claim with lease, renew, finish, query,
// subscribe) so that the embedded store (SQLite) and the shared one (PostgreSQL) stand behind
// the same interface.
// Every method is thread-safe and blocking: call it from a worker or control thread, never from
// the GUI thread. Every change is committed before the method returns.
class JobStore
{
public:
    virtual ~JobStore() = default;

    // Where the data lives, for messages ("/home/u/.local/share/spool/spool.db", "memory").
    virtual QString location() const = 0;
    // Whether runners on several machines may share it (what one machine's runners know of the
    // others is worth keeping up to date).
    virtual bool spansMachines() const { return false; }

    // All in one transaction: either every job is queued or none is.
    virtual Result<QList<JobRecord>> enqueue(const QList<NewJob> &jobs, qint64 nowMs) = 0;
    virtual Result<ClaimResult> claim(const ClaimRequest &request) = 0;
    virtual Result<QList<LeaseStatus>> heartbeat(
        const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs) = 0;
    virtual Result<QList<FinishResult>> finish(
        const QList<Completion> &completions, qint64 nowMs) = 0;
    // A slot's jobs ended and it wants its next ones: finishes `completions`, then claims as
    // `request` asks, seeing the rows as the finishes left them (a cap they held is free). A store
    // may make both one transaction, which halves the commits of a runner of short jobs. An error
    // means nothing was finished; a failed claim alone is in the result's `claim`.
    virtual Result<FinishAndClaimResult> finishAndClaim(
        const QList<Completion> &completions, qint64 nowMs, const ClaimRequest &request);
    // Whether a runner should finish its ended jobs with its next claim (finishAndClaim) rather
    // than on their own, beside the claim (or before it, where they count against a cap).
    virtual bool claimsCarryFinishes() const { return true; }
    // Running jobs whose runner is gone go back to the queue (or fail, out of attempts).
    virtual Result<QList<JobRecord>> recoverAbandoned(qint64 nowMs) = 0;
    // One transaction for all: each id gets its own outcome (NotFound, InvalidState...), and
    // only a storage failure fails the whole call.
    virtual Result<QList<Result<CommandResult>>> commandMany(
        const QList<QUuid> &ids, JobCommand command, qint64 nowMs) = 0;
    Result<CommandResult> command(const QUuid &id, JobCommand command, qint64 nowMs);

    virtual Result<QList<JobRecord>> query(const JobQuery &query) = 0;
    // Ids that start with `prefix` (case-insensitive), for commands that accept a short id.
    virtual Result<QList<QUuid>> findIds(const QString &prefix, int limit) = 0;
    virtual Result<QList<JobEvent>> events(const QUuid &id) = 0;
    virtual Result<QueueCounts> counts() = 0;

    // Adds exported jobs in their order at the back of the queue, keeping their ids, states,
    // attempts and timelines; a job that was running is queued again. Ids already here are
    // skipped. One transaction.
    virtual Result<ImportResult> importJobs(const QList<ExportedJob> &jobs, qint64 nowMs) = 0;

    // The runner registry: a runner reports itself now and then, and forgets itself at exit.
    virtual Result<void> reportRunner(const RunnerInfo &runner) = 0;
    virtual Result<void> forgetRunner(const QString &owner) = 0;
    virtual Result<QList<RunnerInfo>> runners() = 0;

    // A small picture of a running job's progress (a render's preview, JPEG), for windows on
    // other machines: kept only while `leaseToken` holds the job. A store that does not span
    // machines keeps none (a window there reads the job's files).
    virtual Result<void> sharePreview(
        const QUuid &id, qint64 leaseToken, const QByteArray &image, qint64 nowMs)
    {
        Q_UNUSED(id);
        Q_UNUSED(leaseToken);
        Q_UNUSED(image);
        Q_UNUSED(nowMs);
        return {};
    }
    // The latest shared preview of a job; empty when there is none.
    virtual Result<QByteArray> sharedPreview(const QUuid &id)
    {
        Q_UNUSED(id);
        return QByteArray();
    }

    // Files kept in the queue by their content (FileShelf), in pieces of kSharedFilePiece bytes,
    // by stores that span machines; the others keep none. A file is there for readers only once
    // completeSharedFile named it: the pieces of an upload that stopped halfway are never read.
    static constexpr qint64 kSharedFilePiece = 4 * 1024 * 1024;
    // Whether the queue has the file; if it has, it keeps it at least kSharedFileGraceMs more
    // even while no job names it (the job about to be queued will).
    static constexpr qint64 kSharedFileGraceMs = 3600 * 1000;
    virtual Result<bool> touchSharedFile(const QString &hash, qint64 nowMs)
    {
        Q_UNUSED(hash);
        Q_UNUSED(nowMs);
        return false;
    }
    virtual Result<void> addSharedFilePiece(
        const QString &hash, int index, const QByteArray &bytes, qint64 nowMs)
    {
        Q_UNUSED(hash);
        Q_UNUSED(index);
        Q_UNUSED(bytes);
        Q_UNUSED(nowMs);
        return noSharedFiles();
    }
    virtual Result<void> completeSharedFile(const SharedFile &file, qint64 nowMs)
    {
        Q_UNUSED(file);
        Q_UNUSED(nowMs);
        return noSharedFiles();
    }
    // Names a complete file (FileShelf::putNamed); a name's file is kept while a job's
    // parameters contain the part of the name before its first '/'.
    virtual Result<void> nameSharedFile(const QString &name, const SharedFile &file, qint64 nowMs)
    {
        Q_UNUSED(name);
        Q_UNUSED(file);
        Q_UNUSED(nowMs);
        return noSharedFiles();
    }
    // The file named `name`; an empty hash when there is none.
    virtual Result<SharedFile> sharedFileNamed(const QString &name)
    {
        Q_UNUSED(name);
        return noSharedFiles();
    }
    virtual Result<void> forgetSharedFileName(const QString &name)
    {
        Q_UNUSED(name);
        return noSharedFiles();
    }
    // Piece `index` of a complete file; NotFound when the queue does not have it.
    virtual Result<QByteArray> sharedFilePiece(const QString &hash, int index)
    {
        Q_UNUSED(hash);
        Q_UNUSED(index);
        return noSharedFiles();
    }

    virtual Result<bool> queuePaused() = 0;
    virtual Result<void> setQueuePaused(bool paused, qint64 nowMs) = 0;

    // Subscribe: what changed after revision `rev` (0: everything).
    virtual Result<ChangeSet> changesSince(qint64 rev) = 0;
    virtual Result<qint64> currentRev() = 0;
    // Called (from a store thread) when another process or connection changed the data. Set it
    // before use; nullptr stops notifications.
    virtual void setExternalChangeListener(std::function<void()> listener) = 0;

protected:
    Error noSharedFiles() const;
};

} // namespace spool
