#pragma once

namespace spool {

class JobKindRegistry;

// Every job kind built into Spool; the app, spoolctl and the tests register the same set.
void registerBuiltinKinds(JobKindRegistry &registry);

} // namespace spool
