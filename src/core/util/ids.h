#pragma once

#include <QUuid>

namespace spool {

// A random (version 4) UUID for a new job. QUuid::createUuid() asks the kernel for every id (a
// system call each); this draws from a per-thread generator seeded once from the system source.
QUuid newJobId();

} // namespace spool
