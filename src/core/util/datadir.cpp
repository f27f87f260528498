#include "datadir.h"

#include <QDir>
#include <QStandardPaths>

namespace spool::datadir {

QString resolve(const QString &option)
{
    if (!option.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(option));
    const QString env = qEnvironmentVariable("SPOOL_DATA_DIR");
    if (!env.isEmpty())
        return QDir::cleanPath(QDir::current().absoluteFilePath(env));
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString databasePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("spool.db"));
}

} // namespace spool::datadir
