#pragma once

#include <functional>

#include <QJsonArray>
#include <QJsonObject>

#include "job/fileshelf.h"

namespace spool::render::sharedscene {

// What a render may put on a shared queue's shelf: the scene and every file it reads.
constexpr qint64 kMaxBytes = 1024LL * 1024 * 1024;

// On a shared queue, unless the render reads its scene from shared storage ("inputs":
// "shared-path"): stores the scene and the files it references on the shelf and lists them
// in the params ("files": the path of each below their common folder, its hash and size).
Result<QJsonObject> share(const QJsonObject &params, FileShelf &shelf);

struct Fetched
{
    QString scene; // the model file to read, inside the folder given
    qint64 bytes = 0;
};
// On a runner: lays the listed files out in `dir` as they were on the machine that queued the
// render, fetching what this machine does not have yet.
Result<Fetched> fetch(const QJsonArray &files, FileShelf &shelf, const QString &dir,
    const std::function<bool()> &stopped);

} // namespace spool::render::sharedscene
