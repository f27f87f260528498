#pragma once

#include <QByteArray>

#include "store/jobstore.h"

namespace spool::jobexport {

// One line of `spoolctl export` (JSON Lines): the job object of design.md, as `show --json`
// prints it, with its timeline in "events".
QByteArray line(const JobRecord &record, const QList<JobEvent> &events);
// Reads a line back; a one-line reason when it is not a job.
Result<ExportedJob> parse(const QByteArray &line);

} // namespace spool::jobexport
