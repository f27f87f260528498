#pragma once

#include <QString>
#include <QUrl>

#include "util/result.h"

namespace spool::filenames {

// A name that is safe as one file in a directory: no separators, no "..", no control or
// reserved characters, no leading dots, bounded length. Empty when nothing usable is left.
QString sanitize(const QString &proposed);

// `name` cut to at most `maxBytes` bytes on disk, keeping a short extension and cutting whole
// graphemes only.
QString shortened(const QString &name, int maxBytes);

// The last path segment of a URL, sanitized; "download" when there is none.
QString fromUrl(const QUrl &url);

} // namespace spool::filenames
