#pragma once

#include <QList>

class QCoreApplication;
class QLocale;
class QTranslator;

namespace spool::app {

// Installs the app's strings for `locale` on `app` (which owns them): Spool's, then Qt's
// (standard buttons and dialogs), over an English base that holds only plural forms ("1 job",
// "2 jobs"), which a source text cannot spell for every count. Returns what it installed.
QList<QTranslator *> installTranslations(QCoreApplication *app, const QLocale &locale);

} // namespace spool::app
