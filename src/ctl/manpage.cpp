#include "manpage.h"

#include "commandtable.h"
#include "help.h"

namespace spool::ctl {

namespace {

// Text as roff reads it: backslashes escaped, hyphens as minus signs (so options can be copied
// and searched), no line starting with a control character.
QString roff(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\e"))
        .replace(QLatin1Char('-'), QStringLiteral("\\-"));
    if (text.startsWith(QLatin1Char('.')) || text.startsWith(QLatin1Char('\'')))
        text.prepend(QStringLiteral("\\&"));
    return text;
}

QString optionItem(const OptionHelp &option)
{
    QString head = QStringLiteral("\\fB\\-\\-%1\\fR").arg(roff(option.name));
    if (!option.valueName.isEmpty())
        head += QStringLiteral(" \\fI%1\\fR").arg(roff(option.valueName));
    return QStringLiteral(".TP\n%1\n%2\n").arg(head, roff(option.description));
}

QString paramItem(const ParamSpec &spec)
{
    const QString usage = help::paramUsage(spec);
    QString head;
    if (spec.positional) {
        head = QStringLiteral("\\fI%1\\fR").arg(roff(usage));
    } else {
        const QString value = usage.section(QLatin1Char(' '), 1);
        head = QStringLiteral("\\fB%1\\fR").arg(roff(usage.section(QLatin1Char(' '), 0, 0)));
        if (!value.isEmpty())
            head += QStringLiteral(" \\fI%1\\fR").arg(roff(value));
    }
    return QStringLiteral(".TP\n%1\n%2 (%3)\n")
        .arg(head, roff(spec.description), roff(help::paramFacts(spec)));
}

QString commandsSection()
{
    QString text = QStringLiteral(".SH COMMANDS\n");
    for (const CommandHelp &c : commands()) {
        text += QStringLiteral(".SS \"%1%2\"\n")
                    .arg(roff(c.name),
                        c.arguments.isEmpty() ? QString() : QLatin1Char(' ') + roff(c.arguments));
        text += roff(c.details) + QLatin1Char('\n');
        for (const OptionHelp &option : c.options)
            text += optionItem(option);
    }
    return text;
}

QString kindsSection(const JobKindRegistry &kinds)
{
    QString text = QStringLiteral(".SH KINDS\nThe parameters of each kind of job, for \\fBadd\\fR. "
                                  "Plugins add kinds of their own: \\fBspoolctl add \\fIKIND\\fB "
                                  "\\-\\-help\\fR lists theirs.\n");
    for (const QString &name : kinds.names()) {
        const JobKind *kind = kinds.find(name);
        text += QStringLiteral(".SS %1\n%2\n").arg(roff(name), roff(kind->description));
        for (const ParamSpec &spec : kind->params) {
            if (!spec.hidden)
                text += paramItem(spec);
        }
    }
    return text;
}

} // namespace

QString manPage(const JobKindRegistry &kinds, const QString &version)
{
    QString text =
        QStringLiteral(".TH SPOOLCTL 1 \"\" \"Spool %1\" \"User Commands\"\n").arg(roff(version));
    text += QStringLiteral(
        ".SH NAME\nspoolctl \\- Spool's job queue from the command line\n"
        ".SH SYNOPSIS\n.B spoolctl\n[\\fB\\-\\-data\\-dir\\fR \\fIDIR\\fR] \\fICOMMAND\\fR "
        "[\\fIARGUMENTS\\fR]\n"
        ".SH DESCRIPTION\n\\fBspoolctl\\fR queues downloads, renders and plugin jobs, shows and "
        "controls them, and runs the queue headless. It shares its queue with the Spool app "
        "(\\fBspool\\fR(1)) and with other runners on the same data directory: a job runs in one "
        "of them at a time, and a runner that dies gives its jobs back.\n"
        ".SH OPTIONS\n");
    for (const OptionHelp &option : globalOptions())
        text += optionItem(option);
    text += commandsSection();
    text += kindsSection(kinds);
    text += QStringLiteral(
        ".SH ENVIRONMENT\n"
        ".TP\n.B SPOOL_DATA_DIR\nthe data directory when \\fB\\-\\-data\\-dir\\fR is not given\n"
        ".TP\n.B SPOOL_DURABILITY\n\\fBfull\\fR makes every commit survive power loss; the "
        "default, \\fBnormal\\fR, survives a crash of any process\n"
        ".TP\n.B SPOOL_QUEUE\nthe shared queue when \\fB\\-\\-queue\\fR is not given\n"
        ".TP\n.B SPOOL_RUNNER_HOST\nthe name this machine gives itself in a shared queue "
        "(default: its host name)\n"
        ".SH EXIT STATUS\n0 done; 2 bad usage or bad input, with a one\\-line reason and nothing "
        "written; 1 any other failure.\n"
        ".SH EXAMPLES\n.nf\n"
        "spoolctl add download https://example.org/data.json \\-\\-dir ~/Downloads\n"
        "spoolctl add render model.glb \\-\\-out model.png \\-\\-samples 64\n"
        "spoolctl run \\-\\-until\\-empty\n.fi\n"
        ".SH SEE ALSO\n\\fBspool\\fR(1)\n");
    return text;
}

} // namespace spool::ctl
