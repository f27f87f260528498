#pragma once

#include <QString>

#include "commandtable.h"
#include "job/jobkind.h"
#include "job/jobkindregistry.h"
#include "plugins/pluginhost.h"

// The words of `spoolctl help`, made from the command table and the kinds' parameter specs.
namespace spool::ctl::help {

// Whether `add KIND --from FILE` applies (a kind with a URL and a file name).
bool takesLists(const JobKind &kind);
// "maxAttempts" -> "max-attempts": a kind's parameter as an option.
QString optionName(const QString &paramName);
// "--out PATH", "--location-trusted" or "URL" (a positional one).
QString paramUsage(const ParamSpec &spec);
// "integer, 1 to 16384, default 1024, required"
QString paramFacts(const ParamSpec &spec);
// "--workers N"
QString optionUsage(const OptionHelp &option);

QString overview(const JobKindRegistry &kinds);
QString command(const CommandHelp &command, const JobKindRegistry &kinds);
QString kind(const JobKind &kind);
// `add plugin KIND --help`: a plugin's kind, its parameters given as --param NAME=VALUE.
QString pluginKind(const QString &plugin, const PluginKindInfo &kind);

} // namespace spool::ctl::help
