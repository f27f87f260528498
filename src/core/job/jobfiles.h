#pragma once

#include <QString>

#include "job/jobrecord.h"

namespace spool {

class JobKindRegistry;

namespace jobfiles {

// A job's work directory: partial files and resume state, kept across attempts and restarts.
QString workDir(const QString &workRoot, const QUuid &id);

// After a job reached `record.state`, or was removed: a job that will not run again loses its
// work directory, and one that ended without success also what its kind left elsewhere.
// `onDisk` false: the job is known to have kept nothing in the work root (WorkFiles), which is
// then not looked at. True if it released anything.
bool release(const JobKindRegistry &registry, const QString &workRoot, const JobRecord &record,
    bool removed, bool onDisk = true);

} // namespace jobfiles
} // namespace spool
