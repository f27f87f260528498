#pragma once

#include <functional>

#include <QtGlobal>

namespace spool {

// What sleepInSteps needs from its caller; the clock and the sleep are parameters so that a
// test can move time on between two readings.
struct SleepSteps
{
    std::function<bool()> stop; // asked before each step
    std::function<qint64()> elapsedMs; // since the sleep began
    std::function<void(qint64)> sleepMs;
};

// Sleeps `ms` in steps of at most `stepMs`: true when the time is up, false as soon as `stop`
// says so.
bool sleepInSteps(qint64 ms, qint64 stepMs, const SleepSteps &how);

} // namespace spool
