// spoolctl export: the queue's jobs as JSON Lines, to move them to another queue.
#include <QFile>

#include "cli.h"
#include "commandtable.h"
#include "store/jobexport.h"
#include "util/atomicfile.h"

namespace spool::ctl {

int Cli::exportJobs(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("export")));
    const QString stateOption = QStringLiteral("state"), outOption = QStringLiteral("out");
    if (!parser.parse(QStringList { QStringLiteral("spoolctl") } + args))
        return usageError(QStringLiteral("export: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("export: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    JobQuery query;
    for (const QString &name : parser.values(stateOption)) {
        const JobState state = jobStateFromName(name);
        if (state == JobState::Invalid)
            return usageError(QStringLiteral("export: unknown state '%1'").arg(name));
        query.states.append(state);
    }
    auto store = openStore(false);
    if (!store)
        return fail(store.error());
    auto records = store.value()->query(query);
    if (!records)
        return fail(records.error());
    QByteArray lines;
    for (const JobRecord &record : std::as_const(records.value())) {
        auto events = store.value()->events(record.id);
        if (!events && events.error().code != ErrorCode::NotFound)
            return fail(events.error());
        lines += jobexport::line(record, events ? events.value() : QList<JobEvent> {}) + '\n';
    }
    if (!parser.isSet(outOption)) {
        m_out << QString::fromUtf8(lines);
        m_out.flush();
        return ExitOk;
    }
    // All or nothing: a reader never finds half an export.
    QString error;
    if (!atomicfile::write(parser.value(outOption), lines, &error))
        return fail(makeError(ErrorCode::Storage, error));
    m_err << "spoolctl: exported " << records->size() << " jobs to " << parser.value(outOption)
          << '\n';
    m_err.flush();
    return ExitOk;
}

} // namespace spool::ctl
