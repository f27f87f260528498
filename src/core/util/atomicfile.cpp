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

bool writeMakingFolder(const QString &path, const QByteArray &data, QString *error)
{
    if (write(path, data, error))
        return true;
    const QString folder = QFileInfo(path).absolutePath();
    if (QFileInfo(folder).isDir())
        return false;
    if (!QDir().mkpath(folder)) {
        if (error)
            *error = QStringLiteral("cannot create the folder %1").arg(folder);
        return false;
    }
    return write(path, data, error);
}

namespace {

bool writeInPlace(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size()
        && file.flush();
}

} // namespace

bool writeInPlaceMakingFolder(const QString &path, const QByteArray &data)
{
    if (writeInPlace(path, data))
        return true;
    const QString folder = QFileInfo(path).absolutePath();
    return !QFileInfo(folder).isDir() && QDir().mkpath(folder) && writeInPlace(path, data);
}

} // namespace spool::atomicfile
