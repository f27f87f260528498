#include "httpheaders.h"

#include <limits>

#include <QDateTime>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QTimeZone>

namespace spool::http {

qint64 parseHttpDate(const QByteArray &value)
{
    const QString text = QString::fromLatin1(value).simplified();
    const QLocale c = QLocale::c();
    // IMF-fixdate, obsolete RFC 850, and asctime (single-digit days padded with a space).
    for (const QString &format : { QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"),
             QStringLiteral("dddd, dd-MMM-yy HH:mm:ss 'GMT'"),
             QStringLiteral("ddd MMM d HH:mm:ss yyyy") }) {
        QDateTime parsed = c.toDateTime(text, format);
        if (!parsed.isValid())
            continue;
        if (parsed.date().year() < 1970)
            parsed = parsed.addYears(100); // two-digit years of RFC 850
        parsed.setTimeZone(QTimeZone::utc());
        return parsed.toMSecsSinceEpoch();
    }
    return -1;
}

QByteArray formatHttpDate(qint64 msSinceEpoch)
{
    return QLocale::c()
        .toString(QDateTime::fromMSecsSinceEpoch(msSinceEpoch, QTimeZone::utc()),
            QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"))
        .toLatin1();
}

std::optional<ContentRange> parseContentRange(const QByteArray &value)
{
    static const QRegularExpression form(
        QStringLiteral(R"(^\s*bytes\s+(\d{1,18})-(\d{1,18})/(\d{1,18}|\*)\s*$)"));
    const auto m = form.match(QString::fromLatin1(value));
    if (!m.hasMatch())
        return std::nullopt;
    ContentRange range;
    range.first = m.captured(1).toLongLong();
    range.last = m.captured(2).toLongLong();
    range.total = m.captured(3) == QLatin1String("*") ? -1 : m.captured(3).toLongLong();
    if (range.last < range.first || (range.total >= 0 && range.last >= range.total))
        return std::nullopt;
    return range;
}

QJsonValue jsonValueAt(const QJsonDocument &doc, const QString &path)
{
    QJsonValue value = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue();
    for (const QString &key : path.split(QLatin1Char('.'))) {
        if (!value.isObject())
            return QJsonValue();
        value = value.toObject().value(key);
    }
    return value;
}

qint64 retryAfterMs(const QByteArray &value, qint64 nowMs)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return -1;
    bool ok = false;
    const qint64 seconds = trimmed.toLongLong(&ok);
    if (ok) {
        // A server may send any number: saturate rather than overflow (the scheduler caps it).
        constexpr qint64 maxSeconds = std::numeric_limits<qint64>::max() / 1000;
        return seconds >= 0 ? qMin(seconds, maxSeconds) * 1000 : -1;
    }
    const qint64 at = parseHttpDate(trimmed);
    if (at < 0)
        return -1;
    return qMax<qint64>(0, at - nowMs);
}

QUrl linkNext(const QByteArray &linkHeader, const QUrl &base)
{
    // link-value = "<" URI-Reference ">" *( ";" link-param ); values are comma-separated, and a
    // URI may itself contain commas, so parse by the angle brackets.
    const QString text = QString::fromLatin1(linkHeader);
    static const QRegularExpression entry(QStringLiteral(R"re(<([^>]*)>\s*((?:;\s*[^;,]+)*))re"));
    static const QRegularExpression rel(
        QStringLiteral(R"re(;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+)))re"),
        QRegularExpression::CaseInsensitiveOption);
    for (auto it = entry.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QRegularExpressionMatch r = rel.match(m.captured(2));
        if (!r.hasMatch())
            continue;
        const QString rels = r.captured(1).isEmpty() ? r.captured(2) : r.captured(1);
        if (rels.split(QLatin1Char(' '), Qt::SkipEmptyParts)
                .contains(QLatin1String("next"), Qt::CaseInsensitive))
            return base.resolved(QUrl(m.captured(1).trimmed()));
    }
    return QUrl();
}

namespace {

// Servers send raw UTF-8 in filename="..." though HTTP says ISO-8859-1: as browsers do, take
// the bytes as UTF-8 when they are valid UTF-8, else as Latin-1.
QString utf8OrLatin1(const QByteArray &raw)
{
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = utf8(raw);
    return utf8.hasError() ? QString::fromLatin1(raw) : decoded;
}

} // namespace

QString contentDispositionFileName(const QByteArray &value)
{
    const QString text = QString::fromLatin1(value);
    // filename*=charset'lang'percent-encoded (RFC 6266 / 8187) wins over filename=.
    static const QRegularExpression extended(
        QStringLiteral(R"re(filename\*\s*=\s*([^']*)'[^']*'([^;\s]+))re"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch ext = extended.match(text);
    if (ext.hasMatch()) {
        const QByteArray raw = QByteArray::fromPercentEncoding(ext.captured(2).toLatin1());
        if (ext.captured(1).compare(QLatin1String("utf-8"), Qt::CaseInsensitive) == 0)
            return QString::fromUtf8(raw);
        return QString::fromLatin1(raw);
    }
    static const QRegularExpression quoted(
        QStringLiteral(R"re(filename\s*=\s*"((?:[^"\\]|\\.)*)")re"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch q = quoted.match(text);
    if (q.hasMatch()) {
        QString name = q.captured(1);
        static const QRegularExpression escape(QStringLiteral(R"re(\\(.))re"));
        return utf8OrLatin1(name.replace(escape, QStringLiteral("\\1")).toLatin1());
    }
    static const QRegularExpression token(QStringLiteral(R"re(filename\s*=\s*([^;\s]+))re"),
        QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch t = token.match(text);
    return t.hasMatch() ? utf8OrLatin1(t.captured(1).toLatin1()) : QString();
}

bool isSensitiveHeader(const QByteArray &name)
{
    const QByteArray lower = name.trimmed().toLower();
    if (lower == "authorization" || lower == "proxy-authorization" || lower == "cookie")
        return true;
    for (const char *word : { "token", "secret", "password", "api-key", "apikey", "auth" }) {
        if (lower.contains(word))
            return true;
    }
    return false;
}

} // namespace spool::http
