#pragma once

#include <QtGlobal>

namespace spool {

// Automatic retries: exponential backoff with "equal jitter" (half fixed, half random), so that
// jobs failing together do not come back together, yet none comes back too soon.
struct RetryPolicy
{
    int maxAttempts = 5;
    qint64 baseDelayMs = 1000;
    qint64 maxDelayMs = 5 * 60 * 1000;
    double factor = 2.0;

    // The upper bound of the delay after `failedAttempts` failures (1 for the first).
    qint64 ceilingMs(int failedAttempts) const;
    // The delay: in [ceiling/2, ceiling]; `unitRandom` is uniform in [0, 1).
    qint64 delayMs(int failedAttempts, double unitRandom) const;
};

} // namespace spool
