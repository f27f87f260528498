#include "util/outputfiles.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace spool::outputfiles {

QString temporaryPathFor(const QString &finalPath, const QString &jobTag)
{
    // The temporary name must fit wherever the final one does: a long final name is shortened
    // in it (the job's tag keeps it unique), never the other way round.
    const QFileInfo info(finalPath);
    const QString decoration = QStringLiteral(".spool-%1.part").arg(jobTag);
    QString name = info.fileName();
    const qsizetype room = kMaxNameBytes - 1 - QFile::encodeName(decoration).size();
    while (!name.isEmpty() && QFile::encodeName(name).size() > room)
        name.chop(1);
    if (!name.isEmpty() && name.back().isHighSurrogate())
        name.chop(1);
    return info.dir().filePath(QLatin1Char('.') + name + decoration);
}

namespace {

// Why a file that should be in `folder` is not there: the folder went, or the file did.
Error goneWhileRunning(const QString &file)
{
    const QString folder = QFileInfo(file).absolutePath();
    if (!QFileInfo(folder).isDir())
        return makeError(ErrorCode::Storage,
            QStringLiteral("the folder %1 was removed while the job ran").arg(folder));
    return makeError(
        ErrorCode::Storage, QStringLiteral("%1 was removed while the job ran").arg(file));
}

} // namespace

Result<QString> moveIntoPlace(const QString &from, const QString &desiredPath)
{
    if (!QFileInfo::exists(from))
        return goneWhileRunning(from);
    const QFileInfo desired(desiredPath);
    const QString base = desired.completeBaseName();
    const QString suffix =
        desired.suffix().isEmpty() ? QString() : QLatin1Char('.') + desired.suffix();
    for (int n = 0; n < 10000; ++n) {
        const QString candidate = n == 0
            ? desiredPath
            : desired.dir().filePath(QStringLiteral("%1 (%2)%3").arg(base).arg(n).arg(suffix));
        if (QFileInfo::exists(candidate))
            continue;
        // QFile::rename refuses to replace an existing file (renameat2 RENAME_NOREPLACE on
        // Linux), so a file appearing between the check and the rename is not lost either.
        QFile file(from);
        if (file.rename(candidate))
            return candidate;
        if (!QFileInfo::exists(candidate))
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot move %1 to %2: %3")
                    .arg(from, candidate, file.errorString()));
    }
    return makeError(ErrorCode::Storage, QStringLiteral("no free name for %1").arg(desiredPath));
}

Result<void> openForWriting(QFile &file, QIODevice::OpenMode mode)
{
    int flags =
        O_CREAT | O_CLOEXEC | O_NOFOLLOW | (mode.testFlag(QIODevice::ReadOnly) ? O_RDWR : O_WRONLY);
    if (mode.testFlag(QIODevice::Append))
        flags |= O_APPEND;
    if (mode.testFlag(QIODevice::Truncate))
        flags |= O_TRUNC;
    const int fd = ::open(QFile::encodeName(file.fileName()).constData(), flags, 0666);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT && !QFileInfo(QFileInfo(file.fileName()).absolutePath()).isDir())
            return makeError(ErrorCode::Storage,
                QStringLiteral("the folder %1 does not exist (any more)")
                    .arg(QFileInfo(file.fileName()).absolutePath()));
        if (error == ELOOP)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("%1 is a symbolic link: Spool does not write through links it "
                               "did not make")
                    .arg(file.fileName()));
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write %1: %2")
                .arg(file.fileName(), QString::fromLocal8Bit(std::strerror(error))));
    }
    if (!file.open(fd, mode, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    }
    return {};
}

Result<void> writeAll(QFile &file, const QString &path, const char *data, qint64 size)
{
    while (size > 0) {
        const ssize_t written = ::write(file.handle(), data, size_t(size));
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0) {
            const int error = written < 0 ? errno : ENOSPC; // 0 for a non-empty write: full
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot write %1: %2")
                    .arg(path, QString::fromLocal8Bit(std::strerror(error))));
        }
        data += written;
        size -= written;
    }
    return {};
}

} // namespace spool::outputfiles
