#include "builtinkinds.h"

#include "diagnostickinds.h"

namespace spool {

void registerBuiltinKinds(JobKindRegistry &registry)
{
    registerDiagnosticKinds(registry);
}

} // namespace spool
