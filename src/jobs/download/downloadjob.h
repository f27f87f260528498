#pragma once

#include <QString>

#include "job/job.h"

namespace spool {

// The log line of a download that the server answered "not modified": the file it already had
// is the result (the app says "up to date" instead of "received 0 bytes").
inline const QString kNotModifiedNote = QStringLiteral("not modified since the last download");

struct DownloadSettings
{
    QString dataDir; // validators of earlier downloads, the secrets fallback
    QString downloadDir; // where files go when the job names no place
    qint64 maxBytes = 64LL << 30; // the largest response accepted (a parameter can lower it)
    int transferTimeoutMs = 30000; // no byte for this long: the attempt fails (and is retried)
};

// Fetches one URL (or a chain of pages) into a file. Resumable: the partial file and what is
// needed to continue it survive a pause, a crash or a restart.
class DownloadJob final : public Job
{
public:
    explicit DownloadJob(DownloadSettings settings)
        : m_settings(std::move(settings))
    { }
    JobResult run(JobContext &context) override;

    // Deletes what a canceled, failed or removed download leaves behind (its partial file).
    static void discard(const JobRecord &record, const QString &workDir);

private:
    DownloadSettings m_settings;
};

} // namespace spool
