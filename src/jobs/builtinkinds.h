#pragma once

#include <QString>

namespace spool {

class JobKindRegistry;

struct BuiltinSettings
{
    QString dataDir; // the queue's data directory
    QString downloadDir; // empty: $SPOOL_DOWNLOAD_DIR, else the platform's download folder
};

// Every job kind built into Spool; the app, spoolctl and the tests register the same set.
void registerBuiltinKinds(JobKindRegistry &registry, const BuiltinSettings &settings);

// $SPOOL_DOWNLOAD_DIR, else the platform's download folder.
QString defaultDownloadDir();

} // namespace spool
