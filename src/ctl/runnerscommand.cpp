// spoolctl runners: the runners working on the queue, on this machine and others.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "cli.h"
#include "commandtable.h"
#include "tableoutput.h"

namespace spool::ctl {

int Cli::runners(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("runners")));
    if (!parser.parse(QStringList { QStringLiteral("spoolctl") } + args))
        return usageError(QStringLiteral("runners: %1").arg(parser.errorText()));
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("runners: unexpected argument '%1'")
                              .arg(parser.positionalArguments().first()));
    auto store = openStore(false);
    if (!store)
        return fail(store.error());
    auto list = store.value()->runners();
    if (!list)
        return fail(list.error());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const RunnerInfo &r : std::as_const(list.value())) {
            array.append(QJsonObject { { QStringLiteral("host"), r.host },
                { QStringLiteral("pid"), r.pid }, { QStringLiteral("workers"), r.workers },
                { QStringLiteral("running"), r.running },
                { QStringLiteral("startedAt"), isoTimestamp(r.startedAtMs) },
                { QStringLiteral("lastSeen"), isoTimestamp(r.lastSeenAtMs) },
                { QStringLiteral("alive"), runnerSeemsAlive(r, now) } });
        }
        m_out << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return ExitOk;
    }
    QList<QStringList> rows { { QStringLiteral("HOST"), QStringLiteral("PID"),
        QStringLiteral("RUNNING"), QStringLiteral("STARTED"), QStringLiteral("LAST SEEN"),
        QStringLiteral("STATE") } };
    for (const RunnerInfo &r : std::as_const(list.value())) {
        rows.append(
            { r.host, QString::number(r.pid), QStringLiteral("%1/%2").arg(r.running).arg(r.workers),
                formatLocalTime(r.startedAtMs), formatLocalTime(r.lastSeenAtMs),
                runnerSeemsAlive(r, now) ? QStringLiteral("alive") : QStringLiteral("silent") });
    }
    printTable(m_out, rows);
    return ExitOk;
}

} // namespace spool::ctl
