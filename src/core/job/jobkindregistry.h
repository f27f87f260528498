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
    JobKindRegistry() = default;
    Q_DISABLE_COPY_MOVE(JobKindRegistry)

    Result<void> add(JobKind kind);
    // Null when unknown. The pointer stays valid as long as the registry.
    const JobKind *find(const QString &name) const;
    QStringList names() const;

    // The parameters, checked and normalized, or why they cannot be used.
    Result<QJsonObject> validate(const QString &kind, const QJsonObject &params) const;
    // What valid params become when queued: the jobs of a split job's parts, else themselves.
    QList<QJsonObject> expand(const QString &kind, const QJsonObject &params) const;

private:
    mutable std::mutex m_mutex;
    QHash<QString, std::shared_ptr<const JobKind>> m_kinds;
};

} // namespace spool
