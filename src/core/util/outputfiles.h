#pragma once

#include <QFile>
#include <QJsonObject>
#include <QString>

#include "util/result.h"

namespace spool::outputfiles {

// The longest file name (one path component) ext4, XFS, btrfs and tmpfs take, in bytes.
constexpr qsizetype kMaxNameBytes = 255;

// Where a file being written for `finalPath` lives until it is complete: a hidden file in the
// same directory, so that the final rename is atomic. It fits whenever the final name does.
QString temporaryPathFor(const QString &finalPath, const QString &jobTag);

// Renames `from` to `desiredPath`, or to "name (1).ext", "name (2).ext"... if that exists:
// an existing file is never replaced. Returns the path used.
Result<QString> moveIntoPlace(const QString &from, const QString &desiredPath);

// A job's output moved into place as moveIntoPlace() does, with a note in the job's work folder
// written before the rename: an attempt killed between the rename and the queue hearing of it
// leaves a file the next attempt finds with deliveredBefore(), instead of writing a second one
// beside it ("name (1)"). With Existing::Replaced, a file at `desiredPath` is replaced instead
// (a newer version of a file the same download wrote before). `extra` is kept in the note for
// that next attempt (a download's validators): one file written per delivery, not two.
enum class Existing { Kept, Replaced };
Result<QString> deliver(const QString &from, const QString &desiredPath, const QString &workDir,
    Existing existing = Existing::Kept, const QJsonObject &extra = {});

// deliver()'s first step: notes which file is about to be moved, and where. Public so that a test
// can stop where a killed attempt would.
Result<void> noteDelivery(const QString &from, const QString &desiredPath, const QString &workDir,
    const QJsonObject &extra = {});

// The file an earlier attempt of this job moved into place, if it is still there as it was moved;
// empty if there was none, the rename never happened, or the file has gone or been replaced. The
// note's `extra` is given back for a found file, and for one whose rename never happened (it
// still waits where it was written, for the next attempt to finish).
QString deliveredBefore(const QString &workDir, QJsonObject *extra = nullptr);

// Removes the note deliver() left for the job whose work folder is `workDir` (the note is kept
// beside the folder): once the job is over, no attempt will look for it.
void forgetDelivery(const QString &workDir);

// Opens `file` (at its fileName()) with `mode`, creating it, without following a symbolic link
// at that name: in a folder others can write to, a link planted at a predictable temporary name
// must not send the bytes (or a truncation) to another file. An error names the path.
Result<void> openForWriting(QFile &file, QIODevice::OpenMode mode);

// Writes all of `data` to `file` (opened by openForWriting; unbuffered, or with nothing in its
// buffer). An error names `path` and the system's reason ("No space left on device"), which
// QFile does not keep for a file it opened from a descriptor.
Result<void> writeAll(QFile &file, const QString &path, const char *data, qint64 size);

} // namespace spool::outputfiles
