#include "filenames.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace spool::filenames {

namespace {
constexpr int kMaxNameBytes = 200;
}

QString sanitize(const QString &proposed)
{
    // Only the last component: "../../etc/passwd" and "C:\\x\\y" both become their file name.
    QString name = proposed;
    name.replace(QLatin1Char('\\'), QLatin1Char('/'));
    name = name.section(QLatin1Char('/'), -1);
    QString clean;
    clean.reserve(name.size());
    for (const QChar c : std::as_const(name)) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.category() == QChar::Other_Format)
            continue;
        if (QStringLiteral(":*?\"<>|").contains(c))
            clean += QLatin1Char('_');
        else
            clean += c;
    }
    clean = clean.trimmed();
    while (clean.startsWith(QLatin1Char('.')))
        clean.remove(0, 1);
    while (clean.endsWith(QLatin1Char('.')) || clean.endsWith(QLatin1Char(' ')))
        clean.chop(1);
    if (clean.isEmpty())
        return QString();
    // Keep the extension when cutting an overlong name.
    while (clean.toUtf8().size() > kMaxNameBytes) {
        const QString suffix = QFileInfo(clean).suffix();
        const qsizetype keep = suffix.size() < 16 ? suffix.size() + 1 : 0;
        clean.remove(clean.size() - keep - 1, 1);
    }
    return clean;
}

QString fromUrl(const QUrl &url)
{
    const QString name = sanitize(url.fileName(QUrl::FullyDecoded));
    return name.isEmpty() ? QStringLiteral("download") : name;
}

} // namespace spool::filenames
