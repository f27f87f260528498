#pragma once

#include <QString>
#include <QUrl>

#include "util/result.h"

namespace spool::filenames {

// A name that is safe as one file in a directory: no separators, no "..", no control or
// reserved characters, no leading dots, bounded length. Empty when nothing usable is left.
QString sanitize(const QString &proposed);

// The last path segment of a URL, sanitized; "download" when there is none.
QString fromUrl(const QUrl &url);

// Where a file being written for `finalPath` lives until it is complete: a hidden file in the
// same directory, so that the final rename is atomic.
QString temporaryPathFor(const QString &finalPath, const QString &jobTag);

// Renames `from` to `desiredPath`, or to "name (1).ext", "name (2).ext"... if that exists:
// an existing file is never replaced. Returns the path used.
Result<QString> moveIntoPlace(const QString &from, const QString &desiredPath);

} // namespace spool::filenames
