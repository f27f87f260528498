#pragma once

#include <memory>

#include "store/sqljobstore.h"

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
class SqliteJobStore final : public SqlJobStore
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

    static constexpr int kSchemaVersion = 4;

    static Result<std::unique_ptr<SqliteJobStore>> open(const Options &options);
    ~SqliteJobStore() override;
    Q_DISABLE_COPY_MOVE(SqliteJobStore)

    QString location() const override;
    Result<QueueCounts> counts() override;
    Result<bool> queuePaused() override;
    Result<void> setQueuePaused(bool paused, qint64 nowMs) override;
    Result<ChangeSet> changesSince(qint64 rev) override;
    Result<qint64> currentRev() override;
    void setExternalChangeListener(std::function<void()> listener) override;

    // Runs PRAGMA integrity_check; "ok" when the file is sound.
    Result<QString> integrityCheck();

protected:
    Error withRows(bool write, const RowsFn &fn) override;

private:
    class Private;
    explicit SqliteJobStore(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace spool
