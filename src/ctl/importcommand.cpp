// spoolctl import: adds the jobs of an export (JSON Lines) to this queue.
#include <QDateTime>
#include <QFile>

#include "cli.h"
#include "commandtable.h"
#include "store/jobexport.h"

namespace spool::ctl {

namespace {

// Every line, or the first line that is not a job (nothing is imported then).
Result<QList<ExportedJob>> readExport(QIODevice &in, const QString &name)
{
    QList<ExportedJob> jobs;
    int number = 0;
    while (!in.atEnd()) {
        const QByteArray text = in.readLine().trimmed();
        ++number;
        if (text.isEmpty())
            continue;
        auto job = jobexport::parse(text);
        if (!job)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("%1 line %2: %3").arg(name).arg(number).arg(job.error().message));
        jobs.append(job.value());
    }
    return jobs;
}

} // namespace

int Cli::importJobs(const QStringList &args)
{
    QCommandLineParser parser;
    addOptions(parser, *findCommand(QStringLiteral("import")));
    if (!parser.parse(QStringList { QStringLiteral("spoolctl") } + args))
        return usageError(QStringLiteral("import: %1").arg(parser.errorText()));
    if (parser.positionalArguments().size() != 1)
        return usageError(QStringLiteral("import needs one file (- for standard input)"));
    const QString path = parser.positionalArguments().first();
    QFile file;
    const bool opened = path == QLatin1String("-")
        ? file.open(stdin, QIODevice::ReadOnly)
        : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened)
        return fail(makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString())));
    auto jobs = readExport(file, path == QLatin1String("-") ? QStringLiteral("stdin") : path);
    if (!jobs)
        return fail(jobs.error());
    auto store = openStore(true);
    if (!store)
        return fail(store.error());
    auto result = store.value()->importJobs(jobs.value(), QDateTime::currentMSecsSinceEpoch());
    if (!result)
        return fail(result.error());
    m_out << "imported " << result->imported << " jobs";
    if (!result->skipped.isEmpty())
        m_out << "; " << result->skipped.size() << " were here already (left as they are)";
    m_out << '\n';
    m_out.flush();
    return ExitOk;
}

} // namespace spool::ctl
