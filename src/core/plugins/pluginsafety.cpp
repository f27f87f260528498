#include "pluginsafety.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QFileInfo>

namespace spool::pluginsafety {

namespace {

// Why one path on the way is unsafe, or empty.
QString unsafe(const QString &path, const struct stat &st)
{
    const uid_t me = ::geteuid();
    if (st.st_uid != me && st.st_uid != 0)
        return QStringLiteral("%1 belongs to another user (uid %2), who could change the plugin")
            .arg(path)
            .arg(st.st_uid);
    const bool stickyFolder = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !stickyFolder)
        return QStringLiteral("%1 is writable by other users (mode %2): refused; chmod go-w it")
            .arg(path)
            .arg(st.st_mode & 07777, 4, 8, QLatin1Char('0'));
    return {};
}

} // namespace

QString refusal(const QString &file)
{
    QString path = file;
    for (;;) {
        struct stat st
        {
        };
        if (::stat(QFile::encodeName(path).constData(), &st) != 0)
            return QStringLiteral("cannot check who may change %1: %2")
                .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        if (QString why = unsafe(path, st); !why.isEmpty())
            return why;
        const QString parent = QFileInfo(path).path();
        if (parent == path)
            return {};
        path = parent;
    }
}

} // namespace spool::pluginsafety
