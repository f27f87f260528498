#include "jobgroups.h"

#include <algorithm>

#include <QSet>

#include "job/jobkindregistry.h"

namespace spool::jobgroups {

namespace {

// The group a job belongs to, and the parameter that names it; empty when none.
QString groupOf(const JobKindRegistry &registry, const JobRecord &record, QString *param)
{
    const JobKind *kind = registry.find(record.kind);
    if (!kind || kind->groupParam.isEmpty())
        return {};
    *param = kind->groupParam;
    return record.params.value(kind->groupParam).toString();
}

Result<QList<JobRecord>> jobsOfGroup(JobStore &store, const QString &param, const QString &group)
{
    JobQuery query;
    query.paramName = param;
    query.paramValue = group;
    return store.query(query);
}

} // namespace

QString groupOf(const JobKindRegistry &registry, const QString &kind, const QJsonObject &params)
{
    const JobKind *jobKind = registry.find(kind);
    if (!jobKind || jobKind->groupParam.isEmpty())
        return {};
    return params.value(jobKind->groupParam).toString();
}

Expanded ungrouped(const QList<QUuid> &ids)
{
    return Expanded { ids, ids.size(), {} };
}

Result<Expanded> withGroups(
    JobStore &store, const JobKindRegistry &registry, const QList<QUuid> &ids)
{
    Expanded expanded;
    expanded.ids = ids;
    expanded.named = ids.size();
    auto named = store.query(JobQuery { ids, {} });
    if (!named)
        return named.error();
    QSet<QUuid> seen(ids.cbegin(), ids.cend());
    QSet<QString> groups;
    for (const JobRecord &record : std::as_const(named.value())) {
        QString param;
        const QString group = groupOf(registry, record, &param);
        if (group.isEmpty())
            continue;
        expanded.groupOf.insert(record.id, group);
        if (groups.contains(group))
            continue;
        groups.insert(group);
        auto found = jobsOfGroup(store, param, group);
        if (!found)
            return found.error();
        for (const JobRecord &sibling : std::as_const(found.value())) {
            if (sibling.kind != record.kind)
                continue;
            expanded.groupOf.insert(sibling.id, group);
            if (!seen.contains(sibling.id)) {
                seen.insert(sibling.id);
                expanded.ids.append(sibling.id);
            }
        }
    }
    return expanded;
}

QList<qsizetype> failuresToTell(
    const Expanded &expanded, const QList<Result<CommandResult>> &results)
{
    QSet<QString> groupsThatTookIt;
    for (qsizetype i = 0; i < results.size(); ++i) {
        if (results.at(i).ok())
            groupsThatTookIt.insert(expanded.groupOf.value(expanded.ids.at(i)));
    }
    QList<qsizetype> tell;
    for (qsizetype i = 0; i < expanded.named && i < results.size(); ++i) {
        if (results.at(i).ok())
            continue;
        const QString group = expanded.groupOf.value(expanded.ids.at(i));
        if (group.isEmpty() || !groupsThatTookIt.contains(group))
            tell.append(i);
    }
    return tell;
}

Result<QList<QUuid>> idsOfFinishedGroups(
    JobStore &store, const JobKindRegistry &registry, const QList<JobRecord> &finished)
{
    QSet<QUuid> candidates;
    for (const JobRecord &record : finished)
        candidates.insert(record.id);
    QHash<QString, bool> wholeGroup; // every job of the group is among the candidates
    QList<QUuid> ids;
    ids.reserve(finished.size());
    for (const JobRecord &record : finished) {
        QString param;
        const QString group = groupOf(registry, record, &param);
        if (!group.isEmpty() && !wholeGroup.contains(group)) {
            auto found = jobsOfGroup(store, param, group);
            if (!found)
                return found.error();
            wholeGroup.insert(group,
                std::all_of(found->cbegin(), found->cend(),
                    [&](const JobRecord &sibling) { return candidates.contains(sibling.id); }));
        }
        if (group.isEmpty() || wholeGroup.value(group))
            ids.append(record.id);
    }
    return ids;
}

} // namespace spool::jobgroups
