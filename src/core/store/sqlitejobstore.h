#pragma once

#include <memory>

#include "store/jobstore.h"

namespace spool {

// How hard a commit tries to reach the disk.
enum class Durability {
    Invalid = 0,
    // WAL with synchronous=NORMAL: a crash of the process at any instant loses nothing; a power
    // loss may lose the last commits.
    Normal,
    // synchronous=FULL: every commit survives a power loss, at the cost of an fsync per commit.
    Full,
};

QString durabilityName(Durability durability);
Durability durabilityFromName(const QString &name);

// The embedded store: one SQLite database (WAL) in the data directory, shared safely by several
// processes. All SQL runs on the store's own thread; concurrent writers are grouped into one
// transaction (group commit), each in a savepoint so one failing request cannot undo another.
class SqliteJobStore final : public JobStore
{
public:
    struct Options
    {
        QString dataDir;
        bool createIfMissing = true; // false: a missing queue is reported as NotFound
        Durability durability = Durability::Normal;
        int busyTimeoutMs = 5000; // wait this long for another process's write lock per try
        int changePollMs = 200; // how often to look for other processes' commits
    };

    static constexpr int kSchemaVersion = 1;

    static Result<std::unique_ptr<SqliteJobStore>> open(const Options &options);
    ~SqliteJobStore() override;
    Q_DISABLE_COPY_MOVE(SqliteJobStore)

    QString location() const override;
    Result<QList<JobRecord>> enqueue(const QList<NewJob> &jobs, qint64 nowMs) override;
    Result<ClaimResult> claim(const ClaimRequest &request) override;
    Result<QList<LeaseStatus>> heartbeat(
        const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs) override;
    Result<QList<FinishResult>> finish(const QList<Completion> &completions, qint64 nowMs) override;
    Result<QList<JobRecord>> recoverAbandoned(qint64 nowMs) override;
    Result<QList<Result<CommandResult>>> commandMany(
        const QList<QUuid> &ids, JobCommand command, qint64 nowMs) override;
    Result<QList<JobRecord>> query(const JobQuery &query) override;
    Result<QList<QUuid>> findIds(const QString &prefix, int limit) override;
    Result<QList<JobEvent>> events(const QUuid &id) override;
    Result<QueueCounts> counts() override;
    Result<bool> queuePaused() override;
    Result<void> setQueuePaused(bool paused, qint64 nowMs) override;
    Result<ChangeSet> changesSince(qint64 rev) override;
    Result<qint64> currentRev() override;
    void setExternalChangeListener(std::function<void()> listener) override;

    // Runs PRAGMA integrity_check; "ok" when the file is sound.
    Result<QString> integrityCheck();

private:
    class Private;
    explicit SqliteJobStore(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace spool
