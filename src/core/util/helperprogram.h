#pragma once

#include <QString>

namespace spool {

// Where one of Spool's helper programs (spool-worker-host, spool-scene-reader) is: installed in
// ../libexec/spool relative to the running program, beside it, or in ../bin (the build tree's
// tests). Empty when none is there.
QString helperProgram(const QString &name);

} // namespace spool
