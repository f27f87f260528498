#include "retrypolicy.h"

#include <algorithm>
#include <cmath>

namespace spool {

qint64 RetryPolicy::ceilingMs(int failedAttempts) const
{
    const int exponent = std::max(0, failedAttempts - 1);
    const double ceiling = static_cast<double>(baseDelayMs) * std::pow(factor, exponent);
    return static_cast<qint64>(std::min(ceiling, static_cast<double>(maxDelayMs)));
}

qint64 RetryPolicy::delayMs(int failedAttempts, double unitRandom) const
{
    const qint64 ceiling = ceilingMs(failedAttempts);
    const double r = std::clamp(unitRandom, 0.0, 1.0);
    return ceiling / 2 + static_cast<qint64>(r * static_cast<double>(ceiling - ceiling / 2));
}

} // namespace spool
