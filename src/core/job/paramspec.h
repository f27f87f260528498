#pragma once

#include <limits>

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include "util/result.h"

namespace spool {

enum class ParamType {
    Invalid = 0,
    Integer,
    String,
    Boolean,
    StringList,
    Path, // a string that spoolctl and the app make absolute before queueing
};

// One parameter of a job kind: its schema, and how spoolctl and the app ask for it.
struct ParamSpec
{
    QString name;
    ParamType type = ParamType::Invalid;
    QString description;
    QString valueName; // e.g. "N", "URL"
    bool required = false;
    bool positional = false; // given without an option name on the command line
    bool hidden = false; // set by the kind itself (prepare), never asked of the user
    // An Integer that the command line also takes as "auto": one per machine that runs the
    // queue now (at least 1, at most `maximum`).
    bool autoIsMachines = false;
    // An Integer parameter that "auto" never exceeds: its value, or its default (a render's parts
    // never outnumber its samples). Empty: none.
    QString autoAtMost;
    qint64 minimum = std::numeric_limits<qint64>::min();
    qint64 maximum = std::numeric_limits<qint64>::max();
    QJsonValue defaultValue { QJsonValue::Undefined }; // Undefined: no default
};

// Checks `params` against the schema: unknown names, types, ranges, required ones; fills in
// defaults. The message names the parameter and says what is wrong.
Result<QJsonObject> validateParams(
    const QString &kind, const QList<ParamSpec> &specs, const QJsonObject &params);

// Converts a command-line word to the parameter's JSON type.
Result<QJsonValue> paramFromText(const ParamSpec &spec, const QString &text);

} // namespace spool
