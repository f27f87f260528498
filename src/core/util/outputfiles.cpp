#include "util/outputfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace spool::outputfiles {

QString temporaryPathFor(const QString &finalPath, const QString &jobTag)
{
    const QFileInfo info(finalPath);
    return info.dir().filePath(QStringLiteral(".%1.spool-%2.part").arg(info.fileName(), jobTag));
}

Result<QString> moveIntoPlace(const QString &from, const QString &desiredPath)
{
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

} // namespace spool::outputfiles
