// spoolctl prune: forgets finished jobs older than a time, so that a long-lived queue stays small.
#include <QDateTime>
#include <QRegularExpression>

#include "cli.h"
#include "commandtable.h"
#include "job/jobfiles.h"
#include "queue/jobgroups.h"
#include "tableoutput.h"

namespace spool::ctl {

namespace {

constexpr int kChunk = 1000; // jobs per transaction: other writers are never held up for long

// "30d", "12h", "90m" before now, or a local date ("2026-11-01") or time ("2026-11-01T08:00").
qint64 parseCutoff(const QString &text, qint64 nowMs)
{
    static const QRegularExpression age(QStringLiteral("^(\\d{1,6})([dhm])$"));
    if (const auto m = age.match(text); m.hasMatch()) {
        const qint64 unitMs = m.captured(2) == QLatin1String("d") ? 86'400'000
            : m.captured(2) == QLatin1String("h")                 ? 3'600'000
                                                                  : 60'000;
        return nowMs - m.captured(1).toLongLong() * unitMs;
    }
    QDateTime time = QDateTime::fromString(text, Qt::ISODate);
    if (!time.isValid())
        time = QDate::fromString(text, Qt::ISODate).startOfDay();
    return time.isValid() ? time.toMSecsSinceEpoch() : 0;
}

} // namespace

int Cli::prune(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("prune")));
    const QString beforeOption = QStringLiteral("finished-before");
    if (!parser.parse(QStringList { QStringLiteral("spoolctl") } + args))
        return usageError(QStringLiteral("prune: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("prune: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    if (!parser.isSet(beforeOption))
        return usageError(QStringLiteral("prune needs --finished-before (e.g. 30d or 2026-11-01)"));
    const qint64 cutoff =
        parseCutoff(parser.value(beforeOption), QDateTime::currentMSecsSinceEpoch());
    if (cutoff <= 0)
        return usageError(QStringLiteral("prune: --finished-before takes an age (30d, 12h, 90m) "
                                         "or a date (2026-11-01), not '%1'")
                              .arg(parser.value(beforeOption)));
    auto store = openStore(false);
    if (!store)
        return fail(store.error());
    JobQuery query;
    query.states = { JobState::Succeeded, JobState::Failed, JobState::Canceled };
    query.finishedBeforeMs = cutoff;
    query.limit = kChunk;
    qint64 removed = 0;
    for (;;) {
        auto old = store.value()->query(query);
        if (!old)
            return fail(old.error());
        // A finished part of a render still under way keeps its samples for the merge.
        auto ids = jobgroups::idsOfFinishedGroups(*store.value(), *m_registry, old.value());
        if (!ids)
            return fail(ids.error());
        if (ids->isEmpty())
            break;
        auto results = store.value()->commandMany(
            ids.value(), JobCommand::Forget, QDateTime::currentMSecsSinceEpoch());
        if (!results)
            return fail(results.error());
        qint64 round = 0;
        for (const auto &result : std::as_const(results.value())) {
            if (!result.ok() || !result.value().removed)
                continue;
            ++round;
            jobfiles::release(*m_registry, workRoot(), result.value().record, true);
        }
        removed += round;
        if (round == 0 || old->size() < kChunk)
            break; // nothing more would go (or another process is removing them too)
    }
    m_out << "removed " << removed << " finished jobs (finished before " << formatLocalTime(cutoff)
          << ")\n";
    m_out.flush();
    return ExitOk;
}

} // namespace spool::ctl
