#pragma once

// Runs the real spoolctl (SPOOLCTL_PATH) on a data directory and collects what it said.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStringList>

namespace spool::test {

struct CtlOutput
{
    int exitCode = -1; // -1: crashed, -2: timed out
    QString out;
    QString err;
};

inline CtlOutput runSpoolctl(const QString &dataDir, const QStringList &args, int timeoutMs = 30000)
{
    QProcess p;
    p.start(QStringLiteral(SPOOLCTL_PATH),
        QStringList { QStringLiteral("--data-dir"), dataDir } + args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return CtlOutput { -2, QString(), QStringLiteral("timed out") };
    }
    return CtlOutput { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
        QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

// `spoolctl list --json` as an array (empty when it failed).
inline QJsonArray listJobs(const QString &dataDir)
{
    const CtlOutput o = runSpoolctl(dataDir, { QStringLiteral("list"), QStringLiteral("--json") });
    return QJsonDocument::fromJson(o.out.toUtf8()).array();
}

// The timeline of one job (`spoolctl show ID --json`): objects with event, detail, attempt, at.
inline QJsonArray jobEvents(const QString &dataDir, const QString &id)
{
    const CtlOutput o =
        runSpoolctl(dataDir, { QStringLiteral("show"), id, QStringLiteral("--json") });
    return QJsonDocument::fromJson(o.out.toUtf8())
        .object()
        .value(QStringLiteral("events"))
        .toArray();
}

// Whether any event of the job has `text` in its detail.
inline bool timelineMentions(const QString &dataDir, const QString &id, const QString &text)
{
    for (const QJsonValue &event : jobEvents(dataDir, id)) {
        if (event.toObject().value(QStringLiteral("detail")).toString().contains(text))
            return true;
    }
    return false;
}

} // namespace spool::test
