#pragma once

#include <QByteArray>
#include <QString>

namespace spool::atomicfile {

// Replaces `path` with `data` so that a reader (or a process killed mid-way) sees the old or the
// new content, never a mix: written beside it, then renamed over it. Without fsync: it survives
// a crash of any process, not a power loss. Returns false (and leaves `path` alone) on error.
bool write(const QString &path, const QByteArray &data, QString *error = nullptr);

// Not atomic: truncates `path` and writes `data` in its place, making the file's folder when the
// write finds it missing (callers that write into one folder again and again pay no mkdir for
// each file). A reader may see a torn file, so only for files whose every reader refuses content
// that does not parse whole and can do without it (a cache, a delivery's note). A new file and a
// rename fewer a write.
bool writeInPlaceMakingFolder(
    const QString &path, const QByteArray &data, QString *error = nullptr);

// All of `data` to the open descriptor `fd`, again after EINTR and short writes; false with
// errno set when it cannot (ENOSPC for a write that took nothing).
bool writeFully(int fd, const char *data, qint64 size);

} // namespace spool::atomicfile
