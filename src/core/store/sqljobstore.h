#pragma once

#include <functional>

#include "store/jobstore.h"

namespace spool {

class RowStore;
class SqlSession;

// What the SQL stores (SQLite, PostgreSQL) share: the lifecycle operations, written once on a
// RowStore (rowstore.h), and the runner registry. Each store runs them on its own thread.
class SqlJobStore : public JobStore
{
public:
    Result<QList<JobRecord>> enqueue(const QList<NewJob> &jobs, qint64 nowMs) override;
    Result<ClaimResult> claim(const ClaimRequest &request) override;
    Result<QList<LeaseStatus>> heartbeat(
        const QList<Heartbeat> &beats, qint64 nowMs, qint64 leaseMs) override;
    Result<QList<FinishResult>> finish(const QList<Completion> &completions, qint64 nowMs) override;
    // One transaction.
    Result<FinishAndClaimResult> finishAndClaim(
        const QList<Completion> &completions, qint64 nowMs, const ClaimRequest &request) override;
    Result<QList<JobRecord>> recoverAbandoned(qint64 nowMs) override;
    Result<QList<Result<CommandResult>>> commandMany(
        const QList<QUuid> &ids, JobCommand command, qint64 nowMs) override;
    Result<QList<JobRecord>> query(const JobQuery &query) override;
    Result<QList<QUuid>> findIds(const QString &prefix, int limit) override;
    Result<QList<JobEvent>> events(const QUuid &id) override;
    Result<ImportResult> importJobs(const QList<ExportedJob> &jobs, qint64 nowMs) override;
    Result<void> reportRunner(const RunnerInfo &runner) override;
    Result<void> forgetRunner(const QString &owner) override;
    Result<QList<RunnerInfo>> runners() override;

protected:
    using RowsFn = std::function<Error(RowStore &, SqlSession &)>;
    // Runs `fn` on the store's connection: in a write transaction, or in one snapshot.
    virtual Error withRows(bool write, const RowsFn &fn) = 0;
};

} // namespace spool
