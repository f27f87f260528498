#pragma once

namespace spool {

class JobKindRegistry;

// The diagnostic kinds: "busy" (CPU-bound for N ms of its own CPU time) and "sleep" (waits N ms
// without using CPU). Both report progress in ms and resume where a pause left them.
void registerDiagnosticKinds(JobKindRegistry &registry);

} // namespace spool
