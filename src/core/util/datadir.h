#pragma once

#include <QString>

namespace spool::datadir {

// The data directory: the explicit option, else $SPOOL_DATA_DIR, else the platform's
// application-data location. The app and spoolctl resolve it the same way.
QString resolve(const QString &option);

QString databasePath(const QString &dataDir);

} // namespace spool::datadir
