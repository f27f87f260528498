#include "commandtable.h"

#include <algorithm>

namespace spool::ctl {

namespace {

OptionHelp json()
{
    return { QStringLiteral("json"), {}, QStringLiteral("print JSON instead of a table") };
}

CommandHelp jobCommand(const char *name, const char *summary, const char *details)
{
    return { QString::fromLatin1(name), QStringLiteral("ID"), QString::fromLatin1(summary),
        QString::fromLatin1(details)
            + QStringLiteral(" ID is the job's id or a unique prefix of "
                             "it (at least 4 characters)."),
        {} };
}

QList<CommandHelp> makeCommands()
{
    QList<CommandHelp> table;
    table.append({ QStringLiteral("add"), QStringLiteral("KIND [PARAMETERS]"),
        QStringLiteral("queue a job; prints its id"),
        QStringLiteral("Checks the parameters against the kind's schema and queues one job (or "
                       "one per line of --from's file, all or none). Nothing is written when a "
                       "parameter is wrong. Each kind's parameters: spoolctl add KIND --help."),
        { { QStringLiteral("max-attempts"), QStringLiteral("N"),
              QStringLiteral("attempts before the job fails, 1 to 1000 (default 5)") },
            { QStringLiteral("from"), QStringLiteral("FILE"),
                QStringLiteral("downloads: one job per line, URL and an optional file name") } } });
    table.append({ QStringLiteral("list"), {}, QStringLiteral("jobs in FIFO order"),
        QStringLiteral("One line per job: id, kind, state, progress, attempt, when it was "
                       "queued, and its output or error."),
        { json(),
            { QStringLiteral("state"), QStringLiteral("STATE"),
                QStringLiteral("only jobs in STATE (queued, running, paused, succeeded, failed, "
                               "canceled); may be repeated") } } });
    table.append(
        { QStringLiteral("show"), QStringLiteral("ID"), QStringLiteral("one job with its timeline"),
            QStringLiteral("The job's parameters, progress, attempts, output or error, and every "
                           "event of its life (queued, started on which runner, retried, ...)."),
            { json() } });
    table.append(jobCommand("cancel", "stop a job for good",
        "Stops a running job (its partial output is removed) or takes a queued one out of the "
        "queue; a canceled job can be retried."));
    CommandHelp pause = jobCommand("pause", "hold a job, or the whole queue",
        "Holds a job: a running one stops at its next checkpoint and keeps what it has done.");
    pause.options.append({ QStringLiteral("queue"), {},
        QStringLiteral("hold the whole queue instead: running jobs finish, no new one starts") });
    table.append(pause);
    CommandHelp resume = jobCommand("resume", "release a held job, or the whole queue",
        "Puts a paused job back in the queue where it was.");
    resume.options.append(
        { QStringLiteral("queue"), {}, QStringLiteral("release the whole queue instead") });
    table.append(resume);
    table.append(jobCommand("retry", "queue a failed or canceled job again",
        "Queues a failed or canceled job again with its attempts counted from zero."));
    table.append(jobCommand("remove", "forget a job",
        "Removes a finished job from the queue (its output file stays), or cancels and removes "
        "one that has not finished."));
    table.append({ QStringLiteral("run"), {}, QStringLiteral("run queued jobs in this process"),
        QStringLiteral("Runs the queue headlessly until stopped (SIGINT or SIGTERM: running jobs "
                       "go back to the queue). Any number of runners and apps may share one data "
                       "directory; a job runs in one of them at a time."),
        { { QStringLiteral("workers"), QStringLiteral("N"),
              QStringLiteral("jobs at once, 1 to 256 (default: one per core)") },
            { QStringLiteral("until-empty"), {},
                QStringLiteral("exit 0 when no job is queued or running") },
            { QStringLiteral("gil"), QStringLiteral("on|off"),
                QStringLiteral("legacy plugin jobs in this process under one lock (on), or each "
                               "in a worker process (off, the default)") },
            { QStringLiteral("plugin-mode"), QStringLiteral("PLUGIN=gil|process"),
                QStringLiteral("the same for one legacy plugin, over --gil; may be repeated") },
            { QStringLiteral("switch-interval"), QStringLiteral("MS"),
                QStringLiteral("how often a legacy job under the GIL lets another run, 1 to "
                               "1000 (default 5)") },
            { QStringLiteral("priority"), QStringLiteral("low|idle|normal"),
                QStringLiteral("the workers' CPU priority (default low: other programs first)") },
            { QStringLiteral("host-cap"), QStringLiteral("N"),
                QStringLiteral("at most N downloads from one host at once, 0 to 64 (0: no cap; "
                               "default 2)") },
            { QStringLiteral("lease-ms"), QStringLiteral("N"),
                QStringLiteral("how long a job stays this runner's without a heartbeat, 200 to "
                               "86400000 (default 30000)") },
            { QStringLiteral("quiet"), {}, QStringLiteral("print nothing per finished job") } } });
    table.append(
        { QStringLiteral("plugins"), {}, QStringLiteral("plugins found, their kinds, refusals"),
            QStringLiteral("Lists the plugins in Spool's plugin folders, with the kinds each adds, "
                           "or why it was refused."),
            { json(),
                { QStringLiteral("check"), QStringLiteral("FILE"),
                    QStringLiteral("read one plugin file's metadata and say whether this Spool "
                                   "would load it (exit 0) or why not (exit 2)") } } });
    table.append(
        { QStringLiteral("gil-stats"), {}, QStringLiteral("GIL waits, holds, handoffs per plugin"),
            QStringLiteral("Lock statistics of legacy plugin jobs that ran under the GIL here."),
            { json() } });
    table.append({ QStringLiteral("runners"), {},
        QStringLiteral("the runners working on the queue, here and on other machines"),
        QStringLiteral("Each runner (spoolctl run, or the app) reports itself every 10 seconds: "
                       "its host and pid, jobs running out of its workers, when it started and "
                       "when it was last heard of. One silent for 30 seconds is shown as silent; "
                       "its jobs go back to the queue when their leases expire."),
        { json() } });
    table.append(
        { QStringLiteral("prune"), {}, QStringLiteral("forget finished jobs older than a time"),
            QStringLiteral("Removes succeeded, failed and canceled jobs that finished before the "
                           "given time (their output files stay), a thousand per transaction, so "
                           "that a queue used for months stays small. Queued, running and paused "
                           "jobs are never touched."),
            { { QStringLiteral("finished-before"), QStringLiteral("WHEN"),
                QStringLiteral("an age (30d, 12h, 90m) or a local date or time (2026-11-01, "
                               "2026-11-01T08:00)") } } });
    table.append({ QStringLiteral("export"), {},
        QStringLiteral("write the queue's jobs as JSON Lines"),
        QStringLiteral("One job per line, as show --json prints it (with its timeline), in FIFO "
                       "order: to move jobs to another queue (spoolctl --queue URL import), or "
                       "to keep a record. Secret headers stay in this machine's keychain."),
        { { QStringLiteral("state"), QStringLiteral("STATE"),
              QStringLiteral("only jobs in STATE; may be repeated") },
            { QStringLiteral("out"), QStringLiteral("FILE"),
                QStringLiteral(
                    "write FILE (whole, or not at all) instead of standard output") } } });
    table.append({ QStringLiteral("import"), QStringLiteral("FILE"),
        QStringLiteral("add the jobs of an export to this queue"),
        QStringLiteral("Adds every job of FILE (- for standard input) at the back of the queue, "
                       "in the file's order, keeping ids, states, attempts and timelines; a job "
                       "that was running is queued again. Jobs already here are left as they "
                       "are. A line that is not a job stops the import before anything is "
                       "added."),
        {} });
    table.append({ QStringLiteral("help"), QStringLiteral("[COMMAND | add KIND]"),
        QStringLiteral("explain spoolctl, a command, or a kind's parameters"),
        QStringLiteral("The same as COMMAND --help and add KIND --help."),
        { { QStringLiteral("man"), {},
            QStringLiteral("print the whole manual as a man page (roff)") } } });
    table.append({ QStringLiteral("completion"), QStringLiteral("bash|zsh|fish"),
        QStringLiteral("print a shell completion script"),
        QStringLiteral("For example: spoolctl completion bash > "
                       "~/.local/share/bash-completion/completions/spoolctl (installed "
                       "packages put these in place already)."),
        {} });
    return table;
}

} // namespace

const QList<OptionHelp> &globalOptions()
{
    static const QList<OptionHelp> options {
        { QStringLiteral("data-dir"), QStringLiteral("DIR"),
            QStringLiteral("the queue's data directory (else $SPOOL_DATA_DIR, else the "
                           "platform's application data folder)") },
        { QStringLiteral("queue"), QStringLiteral("URL"),
            QStringLiteral("a shared queue on PostgreSQL (postgresql://HOST/DB, else "
                           "$SPOOL_QUEUE) instead of the one in the data directory; the "
                           "password comes from ~/.pgpass, never the URL") },
        { QStringLiteral("help"), {}, QStringLiteral("explain spoolctl (also -h)") },
        { QStringLiteral("version"), {}, QStringLiteral("print spoolctl's version") },
    };
    return options;
}

const QList<CommandHelp> &commands()
{
    static const QList<CommandHelp> table = makeCommands();
    return table;
}

const CommandHelp *findCommand(const QString &name)
{
    const auto &table = commands();
    const auto found = std::find_if(
        table.cbegin(), table.cend(), [&name](const CommandHelp &c) { return c.name == name; });
    return found == table.cend() ? nullptr : &*found;
}

void addOptions(QCommandLineParser &parser, const CommandHelp &command)
{
    for (const OptionHelp &option : command.options)
        parser.addOption(QCommandLineOption(option.name, option.description, option.valueName));
}

} // namespace spool::ctl
