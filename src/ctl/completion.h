#pragma once

#include <QString>

#include "job/jobkindregistry.h"

namespace spool::ctl {

// A completion script for `shell` (bash, zsh or fish) from the command table and the kinds'
// parameters; empty for another shell. Paths complete as files.
QString completionScript(const QString &shell, const JobKindRegistry &kinds);

} // namespace spool::ctl
