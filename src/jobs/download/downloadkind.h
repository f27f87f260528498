#pragma once

#include "downloadjob.h"

namespace spool {

class JobKindRegistry;

// The "download" job kind: an HTTP(S) GET (or any method, with headers and a body) into a file,
// resumable, polite to servers, and careful with names and credentials.
void registerDownloadKind(JobKindRegistry &registry, const DownloadSettings &settings);

} // namespace spool
