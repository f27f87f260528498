#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QUuid>

#include "job/lifecycle.h"
#include "store/jobstore.h"
#include "util/result.h"

namespace spool {

class JobKindRegistry;

// The parts of a split job are one job to the user: a command given to one acts on all of them.
namespace jobgroups {

struct Expanded
{
    QList<QUuid> ids; // the named ones first, then the others of their groups
    qsizetype named = 0;
    QHash<QUuid, QString> groupOf; // for jobs that belong to a group
};

// The group a job of `kind` with `params` belongs to; empty when none.
QString groupOf(const JobKindRegistry &registry, const QString &kind, const QJsonObject &params);

// `ids` alone, each its own (Clear Finished takes finished jobs as they are).
Expanded ungrouped(const QList<QUuid> &ids);

// `ids` and every job that shares a group with one of them (JobKind::groupParam).
Result<Expanded> withGroups(
    JobStore &store, const JobKindRegistry &registry, const QList<QUuid> &ids);

// The failures worth telling for a command given to `expanded`: a named job's refusal, unless
// another job of its group took the command (cancel a render whose part 2 had already
// finished); never a refusal of a job that was not named.
QList<qsizetype> failuresToTell(
    const Expanded &expanded, const QList<Result<CommandResult>> &results);

// The ids of `finished` without the jobs whose group has a job that is not among them: a
// finished part's samples wait beside the output for its render's merge (a failed part may yet
// be retried), so Clear Finished, retention and prune take a render whole or not at all.
Result<QList<QUuid>> idsOfFinishedGroups(
    JobStore &store, const JobKindRegistry &registry, const QList<JobRecord> &finished);

} // namespace jobgroups
} // namespace spool
