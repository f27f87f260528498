#pragma once

#include <QJsonObject>
#include <QStringList>

#include "pluginhost.h"
#include "util/result.h"

// What a plugin says of itself (the metadata Qt's plugin loader reads from the library) and the
// NAME=VALUE words a user gives its jobs: both come from strangers, both are checked here.
namespace spool::pluginmetadata {

// The metadata's fields into `info`; the reason when they are not usable (empty: usable).
QString read(const QJsonObject &loaderData, PluginInfo &info);

// "k=v" words into the kind's parameters, checked against its schema. Paths become absolute.
Result<QJsonObject> parseArguments(const PluginKindInfo &kind, const QStringList &words);

} // namespace spool::pluginmetadata
