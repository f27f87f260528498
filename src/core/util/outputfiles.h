#pragma once

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

} // namespace spool::outputfiles
