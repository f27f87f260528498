#include "jobkindregistry.h"

#include <algorithm>
#include <array>
#include <atomic>

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

namespace {

std::atomic<quint64> g_registries { 0 };

// A thread's last few lookups. Every claim asks each admission policy, and each asks for the
// job's kind: hashing the name under the lock was a quarter of a no-op job's cost
// (bench_dispatch, perf). Kinds are never removed, so a kind found stays valid while its
// registry lives; the registry's id (not its address, which a new one may reuse) keys it.
struct FoundKind
{
    quint64 registry = 0;
    QString name;
    const JobKind *kind = nullptr;
};
constexpr int kFoundKinds = 4;
thread_local std::array<FoundKind, kFoundKinds> t_found;
thread_local int t_nextFound = 0;

} // namespace

JobKindRegistry::JobKindRegistry()
    : m_id(++g_registries)
{ }

const JobKind *JobKindRegistry::find(const QString &name) const
{
    for (const FoundKind &found : t_found) {
        if (found.registry == m_id && found.name == name)
            return found.kind;
    }
    const JobKind *kind = nullptr;
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_kinds.constFind(name);
        if (it == m_kinds.cend())
            return nullptr; // not kept: the kind may be added later
        kind = it->get();
    }
    t_found[t_nextFound] = FoundKind { m_id, name, kind };
    t_nextFound = (t_nextFound + 1) % kFoundKinds;
    return kind;
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
