#include "jobkindregistry.h"

#include <algorithm>

namespace spool {

Result<void> JobKindRegistry::add(JobKind kind)
{
    if (kind.name.isEmpty() || !kind.create)
        return makeError(
            ErrorCode::InvalidInput, QStringLiteral("a job kind needs a name and a factory"));
    std::lock_guard lock(m_mutex);
    if (m_kinds.contains(kind.name))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("job kind '%1' is registered already").arg(kind.name));
    const QString name = kind.name;
    m_kinds.insert(name, std::make_shared<const JobKind>(std::move(kind)));
    return {};
}

const JobKind *JobKindRegistry::find(const QString &name) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_kinds.constFind(name);
    return it == m_kinds.cend() ? nullptr : it->get();
}

QStringList JobKindRegistry::names() const
{
    std::lock_guard lock(m_mutex);
    QStringList list = m_kinds.keys();
    std::sort(list.begin(), list.end());
    return list;
}

Result<QJsonObject> JobKindRegistry::validate(const QString &kind, const QJsonObject &params) const
{
    const JobKind *jobKind = find(kind);
    if (!jobKind) {
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("unknown kind '%1' (known kinds: %2)")
                .arg(kind, names().join(QStringLiteral(", "))));
    }
    Result<QJsonObject> checked = validateParams(kind, jobKind->params, params);
    if (!checked || !jobKind->validate)
        return checked;
    const QString problem = jobKind->validate(checked.value());
    if (!problem.isEmpty())
        return makeError(ErrorCode::InvalidInput, problem);
    return checked;
}

QList<QJsonObject> JobKindRegistry::expand(const QString &kind, const QJsonObject &params) const
{
    const JobKind *jobKind = find(kind);
    if (!jobKind || !jobKind->expand)
        return { params };
    return jobKind->expand(params);
}

Result<QList<QJsonObject>> JobKindRegistry::prepareToQueue(
    const JobKind &kind, const QJsonObject &params, FileShelf *shelf)
{
    Result<QJsonObject> prepared = params;
    if (kind.prepare)
        prepared = kind.prepare(params);
    if (!prepared)
        return prepared.error();
    if (!kind.share || !shelf)
        return QList<QJsonObject> { prepared.value() };
    auto shared = kind.share(prepared.value(), *shelf);
    if (shared && shared->isEmpty())
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("the kind %1 gave no job to queue").arg(kind.name));
    return shared;
}

} // namespace spool
