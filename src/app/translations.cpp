#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace spool::app {

QList<QTranslator *> installTranslations(QCoreApplication *app, const QLocale &locale)
{
    QList<QTranslator *> installed;
    const auto install = [&](const QLocale &language, const QString &name, const QString &dir) {
        auto *translator = new QTranslator(app);
        if (!translator->load(language, name, QStringLiteral("_"), dir)) {
            delete translator;
            return;
        }
        QCoreApplication::installTranslator(translator);
        installed.append(translator);
    };
    // The last installed is asked first: the English plurals only where nothing else answers.
    install(QLocale(QLocale::English), QStringLiteral("spool"), QStringLiteral(":/i18n"));
    install(locale, QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    if (locale.language() != QLocale::English)
        install(locale, QStringLiteral("spool"), QStringLiteral(":/i18n"));
    return installed;
}

} // namespace spool::app
