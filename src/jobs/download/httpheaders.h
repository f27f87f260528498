#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QString>
#include <QUrl>

namespace spool::http {

// Retry-After as milliseconds from `nowMs`: delta-seconds or an HTTP-date (RFC 9110 5.6.7:
// IMF-fixdate, RFC 850 and asctime forms). -1 when absent or unreadable.
qint64 retryAfterMs(const QByteArray &value, qint64 nowMs);

// An HTTP-date as milliseconds since the epoch, or -1.
qint64 parseHttpDate(const QByteArray &value);
QByteArray formatHttpDate(qint64 msSinceEpoch);

// The target of rel="next" in a Link header (RFC 8288), resolved against `base`; empty if none.
QUrl linkNext(const QByteArray &linkHeader, const QUrl &base);

// The file name a Content-Disposition header proposes (filename* preferred over filename), not
// yet sanitized; empty if none.
QString contentDispositionFileName(const QByteArray &value);

// A 206's Content-Range, "bytes FIRST-LAST/TOTAL" (TOTAL "*": unknown, -1).
struct ContentRange
{
    qint64 first = -1;
    qint64 last = -1;
    qint64 total = -1;
};
// Nothing when malformed or inconsistent (LAST before FIRST, LAST past TOTAL, a number that does
// not fit in 63 bits): such a range cannot say where the body goes.
std::optional<ContentRange> parseContentRange(const QByteArray &value);

// The value at a dotted path ("links.next") of a JSON document (--paginate json:PATH).
QJsonValue jsonValueAt(const QJsonDocument &doc, const QString &path);

// Headers whose values are credentials: kept out of the database, logs and lists.
bool isSensitiveHeader(const QByteArray &name);

} // namespace spool::http
