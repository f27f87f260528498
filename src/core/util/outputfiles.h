#pragma once

#include <QFile>
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

// Opens `file` (at its fileName()) with `mode`, creating it, without following a symbolic link
// at that name: in a folder others can write to, a link planted at a predictable temporary name
// must not send the bytes (or a truncation) to another file. An error names the path.
Result<void> openForWriting(QFile &file, QIODevice::OpenMode mode);

// Writes all of `data` to `file` (opened by openForWriting; unbuffered, or with nothing in its
// buffer). An error names `path` and the system's reason ("No space left on device"), which
// QFile does not keep for a file it opened from a descriptor.
Result<void> writeAll(QFile &file, const QString &path, const char *data, qint64 size);

} // namespace spool::outputfiles
