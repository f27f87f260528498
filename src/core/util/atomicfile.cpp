#include "atomicfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace spool::atomicfile {

bool write(const QString &path, const QByteArray &data, QString *error)
{
    const QString temporary = path + QStringLiteral(".new");
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(data) != data.size()
        || !file.flush()) {
        if (error)
            *error = file.errorString();
        file.remove();
        return false;
    }
    file.close();
    // rename(2) replaces atomically; QFile::rename refuses to replace an existing file.
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData())
        != 0) {
        if (error)
            *error = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(temporary);
        return false;
    }
    return true;
}

bool writeFully(int fd, const char *data, qint64 size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC; // nothing written of a non-empty write: full
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

namespace {

// True when the folder of `path` was missing and is made now: the write that failed may be tried
// again.
bool madeMissingFolderOf(const QString &path, QString *error)
{
    const QString folder = QFileInfo(path).absolutePath();
    if (QFileInfo(folder).isDir())
        return false;
    if (QDir().mkpath(folder))
        return true;
    if (error)
        *error = QStringLiteral("cannot create the folder %1").arg(folder);
    return false;
}

// Plain open(2) and write(2): QFile adds a stat of the file it opened, and this runs twice for
// each small download.
bool writeInPlace(const QString &path, const QByteArray &data, QString *error)
{
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    bool written = fd >= 0 && writeFully(fd, data.constData(), data.size());
    int why = errno;
    if (fd >= 0 && ::close(fd) != 0 && written) {
        written = false;
        why = errno;
    }
    if (!written && error)
        *error = QString::fromLocal8Bit(std::strerror(why));
    return written;
}

} // namespace

bool writeInPlaceMakingFolder(const QString &path, const QByteArray &data, QString *error)
{
    return writeInPlace(path, data, error)
        || (madeMissingFolderOf(path, error) && writeInPlace(path, data, error));
}

} // namespace spool::atomicfile
