#include "jobstore.h"

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

} // namespace spool
