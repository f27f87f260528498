#pragma once

#include <functional>
#include <memory>

#include "job/job.h"
#include "job/paramspec.h"

namespace spool {

// A kind of job: a parameter schema with an optional extra validator, and a factory.
struct JobKind
{
    QString name;
    QString description;
    QList<ParamSpec> params;
    // Checks beyond the schema (e.g. that a file exists); may normalize. Empty string: valid.
    std::function<QString(QJsonObject &params)> validate;
    std::function<std::unique_ptr<Job>()> create;
};

} // namespace spool
