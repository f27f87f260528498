#pragma once

#include <functional>
#include <memory>

#include "job/fileshelf.h"
#include "job/job.h"
#include "job/paramspec.h"
#include "progress/progress.h"

namespace spool {

// A kind of job: a parameter schema with an optional extra validator, and a factory.
struct JobKind
{
    QString name;
    QString description;
    QList<ParamSpec> params;
    // Checks beyond the schema (e.g. that a file exists); may normalize. Empty string: valid.
    // No side effects: it also runs for input that is then rejected.
    std::function<QString(QJsonObject &params)> validate;
    // Turns valid params into what is stored, in the process that queues the job, just before
    // the commit (e.g. moves secrets into the keychain and leaves a reference). Optional.
    std::function<Result<QJsonObject>(const QJsonObject &params)> prepare;
    // On a queue that spans machines, after prepare: stores the files the job reads on the
    // queue's shelf and names them in the params it returns first (a render's scene), so that a
    // runner needs no shared drive; any further params are jobs of this kind queued with it (a
    // render's delivery to the machine that queued it). Optional.
    std::function<Result<QList<QJsonObject>>(const QJsonObject &params, FileShelf &shelf)> share;
    // A job that failed for good (its own last attempt, or the last runner that held it died),
    // on a queue with a file shelf: tells whoever waits on it (a render's delivery). Called by
    // the runner that recorded the failure. Optional.
    std::function<void(const JobRecord &record, FileShelf &shelf)> failed;
    // The one machine (runner host name) that may run a job of this kind; empty: any. Optional.
    std::function<QString(const QJsonObject &params)> runsOn;
    // What the user should hear about a job that is queued anyway (a texture the renderer does
    // not use is missing), told where the job is queued from the command line. Optional.
    std::function<QStringList(const QJsonObject &params)> notes;
    // The jobs that valid params become when queued: several for a job split into parts that
    // run as jobs of their own (a render across machines). Optional: by default, one.
    std::function<QList<QJsonObject>(const QJsonObject &params)> expand;
    // The parameter (a string) that the jobs of one expanded job share: commands given to one of
    // them (cancel, pause, resume, retry, remove) act on them all. Empty: none.
    QString groupParam;
    // The network host a job of this kind talks to, for per-host limits; empty: none.
    std::function<QString(const QJsonObject &params)> host;
    // A short human name for a job of this kind ("report.pdf", "busy 500 ms"). Optional.
    std::function<QString(const QJsonObject &params)> title;
    // The name of the whole that a job of a group (groupParam) is part of ("terrain.png" for
    // its parts "terrain.png (part 1 of 2)"), given any member's params. Optional: the title.
    std::function<QString(const QJsonObject &params)> groupTitle;
    // The progress a job will report (its unit and total, nothing done), known before it starts:
    // a split job's row counts the parts that wait. Optional.
    std::function<Progress(const QJsonObject &params)> plannedProgress;
    // Deletes what a job left outside its work directory (a partial download) once it ended
    // without success or was removed. Optional.
    std::function<void(const JobRecord &record, const QString &workDir)> discard;
    // Deletes what a job kept outside its work directory for other jobs (a part's samples that
    // wait for a split render's merge) once the job itself is removed. Optional.
    std::function<void(const JobRecord &record)> removed;
    std::function<std::unique_ptr<Job>()> create;
};

} // namespace spool
