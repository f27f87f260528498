#include "helperprogram.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace spool {

QString helperProgram(const QString &name)
{
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &folder :
        { QStringLiteral("../libexec/spool"), QStringLiteral("."), QStringLiteral("../bin") }) {
        const QString candidate = here.filePath(folder + QLatin1Char('/') + name);
        if (QFileInfo(candidate).isExecutable())
            return QDir::cleanPath(candidate);
    }
    return {};
}

} // namespace spool
