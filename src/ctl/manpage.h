#pragma once

#include <QString>

#include "job/jobkindregistry.h"

namespace spool::ctl {

// spoolctl(1) in roff, from the command table and the kinds' parameter specs (`spoolctl help
// --man`; the build installs its output as spoolctl.1).
QString manPage(const JobKindRegistry &kinds, const QString &version);

} // namespace spool::ctl
