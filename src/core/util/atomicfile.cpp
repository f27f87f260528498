#include "atomicfile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

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

bool writeInPlace(const QString &path, const QByteArray &data, QString *error)
{
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size()
        && file.flush())
        return true;
    if (error)
        *error = file.errorString();
    return false;
}

} // namespace

bool writeInPlaceMakingFolder(const QString &path, const QByteArray &data, QString *error)
{
    return writeInPlace(path, data, error)
        || (madeMissingFolderOf(path, error) && writeInPlace(path, data, error));
}

} // namespace spool::atomicfile
