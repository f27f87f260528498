#pragma once

#include <mutex>

#include <QHash>
#include <QStringList>

#include "job/jobkind.h"

namespace spool {

// The job kinds this process can run. Filled at start-up, then read from any thread.
class JobKindRegistry final
{
public:
    JobKindRegistry();
    Q_DISABLE_COPY_MOVE(JobKindRegistry)

    Result<void> add(JobKind kind);
    // Null when unknown. The pointer stays valid as long as the registry.
    const JobKind *find(const QString &name) const;
    QStringList names() const;

    // The parameters, checked and normalized, or why they cannot be used.
    Result<QJsonObject> validate(const QString &kind, const QJsonObject &params) const;
    // What valid params become when queued: the jobs of a split job's parts, else themselves.
    QList<QJsonObject> expand(const QString &kind, const QJsonObject &params) const;
    // Just before the commit, in the process that queues them: the kind's prepare step, then on
    // a queue with a file shelf (one that spans machines) its share step. The job's params
    // first, then the further jobs of the kind that go with it (JobKind::share).
    static Result<QList<QJsonObject>> prepareToQueue(
        const JobKind &kind, const QJsonObject &params, FileShelf *shelf);
    // Whether prepareToQueue() would change anything: most kinds have neither step.
    static bool preparesToQueue(const JobKind &kind, const FileShelf *shelf)
    {
        return kind.prepare || (kind.share && shelf);
    }

private:
    const quint64 m_id; // unique in the process: a thread's cache of lookups names its registry
    mutable std::mutex m_mutex;
    QHash<QString, std::shared_ptr<const JobKind>> m_kinds;
};

} // namespace spool
