#include "jobstore.h"

#include <QJsonDocument>
#include <QSet>

namespace spool {

qint64 *QueueCounts::of(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return &queued;
    case JobState::Running:
        return &running;
    case JobState::Paused:
        return &paused;
    case JobState::Succeeded:
        return &succeeded;
    case JobState::Failed:
        return &failed;
    case JobState::Canceled:
        return &canceled;
    case JobState::Invalid:
        break;
    }
    return nullptr;
}

bool runnerSeemsAlive(const RunnerInfo &runner, qint64 nowMs)
{
    return nowMs - runner.lastSeenAtMs < 3 * kRunnerReportMs;
}

int machinesRunning(const QList<RunnerInfo> &runners, qint64 nowMs)
{
    QSet<QString> hosts;
    for (const RunnerInfo &runner : runners) {
        if (runner.workers > 0 && runnerSeemsAlive(runner, nowMs))
            hosts.insert(runner.host);
    }
    return int(hosts.size());
}

Result<CommandResult> JobStore::command(const QUuid &id, JobCommand command, qint64 nowMs)
{
    auto results = commandMany({ id }, command, nowMs);
    if (!results)
        return results.error();
    return results->first();
}

Result<FinishAndClaimResult> JobStore::finishAndClaim(
    const QList<Completion> &completions, qint64 nowMs, const ClaimRequest &request)
{
    auto finished = finish(completions, nowMs);
    if (!finished)
        return finished.error();
    return FinishAndClaimResult { std::move(finished.value()), claim(request) };
}

bool matchesParam(const JobQuery &query, const JobRecord &record)
{
    if (query.paramName.isEmpty())
        return true;
    const QJsonObject params = record.paramsText.isEmpty()
        ? record.params
        : QJsonDocument::fromJson(record.paramsText).object();
    const QJsonValue value = params.value(query.paramName);
    return value.isString() && value.toString() == query.paramValue;
}

Error JobStore::noSharedFiles() const
{
    return makeError(ErrorCode::InvalidInput,
        QStringLiteral("%1 keeps no files: a job whose files were stored in a shared queue runs "
                       "only from that queue")
            .arg(location()));
}

} // namespace spool
