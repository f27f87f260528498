#pragma once

#include <functional>

#include <QByteArray>
#include <QString>

#include "util/result.h"

namespace spool {

// A file kept in a queue that spans machines, named by its content.
struct SharedFile
{
    QString hash; // BLAKE2b-256, lowercase hex
    qint64 size = 0;
};

// Files that jobs read, kept in the queue itself so that a runner on a machine without the
// submitter's disk can read them (a render's scene and the files it references). A file is
// stored once however many jobs read it.
class FileShelf
{
public:
    virtual ~FileShelf() = default;
    // Stores the file at `path` unless a file with its content is there already.
    virtual Result<SharedFile> put(const QString &path) = 0;
    // A local copy of `file`, fetched once and then kept on this machine: its path. Checked
    // against its hash before it is kept; `stopped` is asked between pieces.
    virtual Result<QString> fetch(const SharedFile &file, const std::function<bool()> &stopped) = 0;
    // Stores the file at `path` as put() does and gives it `name`, for a job that looks for it
    // by name (a render's delivery, for the samples of each part). Naming again replaces.
    virtual Result<SharedFile> putNamed(const QString &name, const QString &path) = 0;
    // Stores bytes a job made in memory (a part's samples): nothing written to disk first.
    virtual Result<SharedFile> putBytes(const QByteArray &bytes) = 0;
    // Gives a stored file `name`, as putNamed() does: a job may act between storing and naming
    // (before anyone looking for the name can find it).
    virtual Result<void> nameFile(const QString &name, const SharedFile &file) = 0;
    // The content of `file`, checked against its hash, in memory and not kept on this machine:
    // for a file read once (a part's samples, by the delivery). The caller bounds file.size.
    virtual Result<QByteArray> read(
        const SharedFile &file, const std::function<bool()> &stopped) = 0;
    // The file named `name`; an empty hash while there is none.
    virtual Result<SharedFile> named(const QString &name) = 0;
    // Takes the name away (the file stays while other names or jobs hold it).
    virtual Result<void> forget(const QString &name) = 0;
};

} // namespace spool
