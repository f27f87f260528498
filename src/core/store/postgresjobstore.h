#pragma once

#include <memory>

#include "store/sqljobstore.h"

namespace spool {

// The shared queue: the jobs live in PostgreSQL (through Qt's QPSQL driver), and every machine
// that points at it runs, lists and changes the same queue. Same lifecycle code as the SQLite
// store (rowstore); claims are made one at a time across all connections so that caps hold
// across machines; changes reach other processes through LISTEN/NOTIFY, with polling while the
// server cannot be reached. A lost connection is opened again at the next request.
class PostgresJobStore final : public SqlJobStore
{
public:
    struct Options
    {
        // A libpq connection URI (postgresql://…) or key=value string; empty: libpq's defaults
        // (PG* variables, service file). Never with a password: libpq reads ~/.pgpass.
        QString url;
        QString schema = QStringLiteral("spool");
        bool createIfMissing = true; // false: a server without the schema is NotFound
        int changePollMs = 1000; // how often to look for changes while LISTEN is impossible
        int connectTimeoutS = 5;
    };

    static constexpr int kSchemaVersion = 7;

    static Result<std::unique_ptr<PostgresJobStore>> open(const Options &options);
    // Checks a queue URL without connecting: a one-line reason when it cannot be used.
    static Error checkUrl(const QString &url);
    // The URL as it may be shown: no password, ever.
    static QString displayUrl(const QString &url);
    ~PostgresJobStore() override;
    Q_DISABLE_COPY_MOVE(PostgresJobStore)

    QString location() const override;
    bool spansMachines() const override { return true; }
    Result<QList<JobRecord>> enqueue(const QList<NewJob> &jobs, qint64 nowMs) override;
    // On a connection of its own, beside the other writes (see Lane).
    Result<ClaimResult> claim(const ClaimRequest &request) override;
    // Claims go on a connection of their own, beside the finishes (and other writes) on the
    // main one: one with the other would make every slot's claim wait behind them. A slot's
    // ended jobs are committed by the runner's reporter while the slot claims (Scheduler).
    bool claimsCarryFinishes() const override { return false; }
    Result<ImportResult> importJobs(const QList<ExportedJob> &jobs, qint64 nowMs) override;
    Result<QueueCounts> counts() override;
    Result<bool> queuePaused() override;
    Result<void> setQueuePaused(bool paused, qint64 nowMs) override;
    Result<ChangeSet> changesSince(qint64 rev) override;
    Result<qint64> currentRev() override;
    Result<void> sharePreview(
        const QUuid &id, qint64 leaseToken, const QByteArray &image, qint64 nowMs) override;
    Result<QByteArray> sharedPreview(const QUuid &id) override;
    Result<bool> touchSharedFile(const QString &hash, qint64 nowMs) override;
    Result<void> addSharedFilePiece(
        const QString &hash, int index, const QByteArray &bytes, qint64 nowMs) override;
    Result<void> completeSharedFile(const SharedFile &file, qint64 nowMs) override;
    Result<QByteArray> sharedFilePiece(const QString &hash, int index) override;
    Result<void> nameSharedFile(const QString &name, const SharedFile &file, qint64 nowMs) override;
    Result<SharedFile> sharedFileNamed(const QString &name) override;
    Result<void> forgetSharedFileName(const QString &name) override;
    void setExternalChangeListener(std::function<void()> listener) override;
    // Requests waiting for the main connection while it runs one: those are then run together,
    // in one transaction. Lets a test line requests up.
    size_t waitingRequests() const;

protected:
    Error withRows(bool write, const RowsFn &fn) override;

private:
    void noteRowsAdded(qint64 count);
    Error tidySharedFiles(qint64 nowMs);

    class Private;
    explicit PostgresJobStore(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace spool
