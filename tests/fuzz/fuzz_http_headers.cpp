// HTTP response headers a server controls: Retry-After, HTTP dates, Link, Content-Disposition
// (down to the name on disk) and Content-Range.
#include "filenames.h"
#include "fuzzinput.h"
#include "httpheaders.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray value(reinterpret_cast<const char *>(data), qsizetype(size));
    constexpr qint64 now = 1764547200000; // 2025-12-01
    const qint64 retry = http::retryAfterMs(value, now);
    SPOOL_FUZZ_CHECK(retry >= -1, QString::number(retry));

    const qint64 date = http::parseHttpDate(value);
    if (date >= 0) {
        // What Spool sends back (If-Modified-Since) reads as the same second.
        const qint64 again = http::parseHttpDate(http::formatHttpDate(date));
        SPOOL_FUZZ_CHECK(again == date / 1000 * 1000, QString::number(date));
    }

    // May be invalid (a target that is no URL): the download job fails on that, naming it.
    (void)http::linkNext(value, QUrl(QStringLiteral("http://127.0.0.1:8080/a/b")));

    const QString proposed = http::contentDispositionFileName(value);
    const QString name = filenames::sanitize(proposed);
    SPOOL_FUZZ_CHECK(!name.contains(QLatin1Char('/')) && !name.contains(QChar(0)), name);
    SPOOL_FUZZ_CHECK(name != QLatin1String(".") && name != QLatin1String(".."), name);

    if (const auto range = http::parseContentRange(value)) {
        SPOOL_FUZZ_CHECK(
            range->first >= 0 && range->last >= range->first, QString::fromLatin1(value));
        SPOOL_FUZZ_CHECK(
            range->total == -1 || range->last < range->total, QString::fromLatin1(value));
    }
    (void)http::isSensitiveHeader(value);
    return 0;
}
