#pragma once

#include <QString>

namespace spool::runneridentity {

// The name this machine goes by in a shared queue: $SPOOL_RUNNER_HOST, else its host name.
QString hostName();

// A lease owner names the runner that holds a job: "host|pid|processStartTicks|runnerUuid".
// The start time defends against pid reuse; the uuid tells runners of one process apart.
QString makeOwner();

// Marks a runner of this process as alive or gone (a runner that was torn down without
// releasing its jobs, as in a crash test, is then known dead at once).
void setRunnerAlive(const QString &owner, bool alive);

enum class Liveness {
    Unknown = 0, // another machine, or a platform without /proc: only the lease can tell
    Alive,
    Dead,
};

// Whether the owner of a lease still exists, judged without waiting for its lease to expire.
Liveness ownerLiveness(const QString &owner);

// The machine an owner runs on.
QString hostOf(const QString &owner);

// The short, human form of an owner ("host:pid").
QString describeOwner(const QString &owner);

} // namespace spool::runneridentity
