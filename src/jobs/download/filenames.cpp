#include "filenames.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTextBoundaryFinder>

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
    // No leading dot (a hidden file, "..") even behind white space: ". .x" is ".x" trimmed.
    clean = clean.trimmed();
    while (clean.startsWith(QLatin1Char('.')))
        clean = clean.mid(1).trimmed();
    while (clean.endsWith(QLatin1Char('.')) || clean.endsWith(QLatin1Char(' ')))
        clean.chop(1);
    if (clean.isEmpty())
        return QString();
    return shortened(clean, kMaxNameBytes);
}

QString shortened(const QString &name, int maxBytes)
{
    // Keep the extension when cutting an overlong name, and cut whole graphemes (never half a
    // surrogate pair, nor an accent from its letter), measured in the bytes that reach the disk.
    const QString suffix = QFileInfo(name).suffix();
    const qsizetype keep =
        suffix.size() < 16 && suffix.size() < name.size() ? suffix.size() + 1 : 0;
    QString base = name.left(name.size() - keep);
    const QString tail = name.right(keep);
    QTextBoundaryFinder graphemes(QTextBoundaryFinder::Grapheme, base);
    while (!base.isEmpty() && QFile::encodeName(base + tail).size() > maxBytes) {
        graphemes.toEnd();
        const qsizetype cut = graphemes.toPreviousBoundary();
        base.truncate(cut > 0 ? cut : 0);
        graphemes = QTextBoundaryFinder(QTextBoundaryFinder::Grapheme, base);
    }
    QString result = (base + tail).trimmed();
    while (!result.isEmpty() && QFile::encodeName(result).size() > maxBytes)
        result.chop(1); // only an extension over the limit is left: never more than promised
    if (!result.isEmpty() && result.back().isHighSurrogate())
        result.chop(1);
    return result;
}

QString fromUrl(const QUrl &url)
{
    const QString name = sanitize(url.fileName(QUrl::FullyDecoded));
    return name.isEmpty() ? QStringLiteral("download") : name;
}

} // namespace spool::filenames
