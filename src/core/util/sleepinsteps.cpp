#include "sleepinsteps.h"

#include <algorithm>

namespace spool {

bool sleepInSteps(qint64 ms, qint64 stepMs, const SleepSteps &how)
{
    stepMs = std::max<qint64>(1, stepMs);
    for (;;) {
        if (how.stop())
            return false;
        // One reading per step: with two, the time that passes between them could make the
        // step negative, and a negative sleep passed on as unsigned lasts for ever.
        const qint64 leftMs = ms - how.elapsedMs();
        if (leftMs <= 0)
            return true;
        how.sleepMs(std::min(stepMs, leftMs));
    }
}

} // namespace spool
