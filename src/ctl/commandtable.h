#pragma once

#include <QCommandLineParser>
#include <QList>
#include <QString>

namespace spool::ctl {

// spoolctl's commands and their options, in one table: the parsers, `spoolctl help`, the man
// page and the shell completions are all made from it, so none of them can drift.
struct OptionHelp
{
    QString name; // without the dashes
    QString valueName; // empty for a switch
    QString description;
};

struct CommandHelp
{
    QString name;
    QString arguments; // what follows the command and its options, e.g. "ID"
    QString summary; // one line, for the overview
    QString details; // a paragraph, for `help COMMAND` and the man page
    QList<OptionHelp> options;
};

// Options accepted before the command.
const QList<OptionHelp> &globalOptions();
const QList<CommandHelp> &commands();
const CommandHelp *findCommand(const QString &name);
// The command's options, for its parser; `parser.isSet(name)` then finds each by name.
void addOptions(QCommandLineParser &parser, const CommandHelp &command);

} // namespace spool::ctl
