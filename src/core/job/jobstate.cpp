#include "jobstate.h"

namespace spool {

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return QStringLiteral("queued");
    case JobState::Running:
        return QStringLiteral("running");
    case JobState::Paused:
        return QStringLiteral("paused");
    case JobState::Succeeded:
        return QStringLiteral("succeeded");
    case JobState::Failed:
        return QStringLiteral("failed");
    case JobState::Canceled:
        return QStringLiteral("canceled");
    case JobState::Invalid:
        break;
    }
    return QStringLiteral("invalid");
}

JobState jobStateFromName(const QString &name)
{
    for (auto s : { JobState::Queued, JobState::Running, JobState::Paused, JobState::Succeeded,
             JobState::Failed, JobState::Canceled }) {
        if (jobStateName(s) == name)
            return s;
    }
    return JobState::Invalid;
}

bool isFinishedState(JobState state)
{
    return state == JobState::Succeeded || state == JobState::Failed || state == JobState::Canceled;
}

QString jobCommandName(JobCommand command)
{
    switch (command) {
    case JobCommand::Cancel:
        return QStringLiteral("cancel");
    case JobCommand::Pause:
        return QStringLiteral("pause");
    case JobCommand::Resume:
        return QStringLiteral("resume");
    case JobCommand::Retry:
        return QStringLiteral("retry");
    case JobCommand::Remove:
        return QStringLiteral("remove");
    case JobCommand::Forget:
        return QStringLiteral("forget");
    case JobCommand::Invalid:
        break;
    }
    return QString();
}

JobCommand jobCommandFromName(const QString &name)
{
    for (auto c : { JobCommand::Cancel, JobCommand::Pause, JobCommand::Resume, JobCommand::Retry,
             JobCommand::Remove }) {
        if (jobCommandName(c) == name)
            return c;
    }
    return JobCommand::Invalid;
}

} // namespace spool
