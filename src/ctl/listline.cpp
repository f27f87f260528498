#include "listline.h"

#include <QRegularExpression>

namespace spool::ctl {

std::optional<ListLine> parseListLine(const QString &text)
{
    const QString line = text.trimmed();
    if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
        return std::nullopt;
    static const QRegularExpression space(QStringLiteral("\\s"));
    const qsizetype at = line.indexOf(space);
    if (at < 0)
        return ListLine { line, QString() };
    return ListLine { line.left(at), line.mid(at).trimmed() };
}

} // namespace spool::ctl
