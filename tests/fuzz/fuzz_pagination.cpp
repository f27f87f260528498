// A page of an API's answer and the --paginate json:PATH the user gave: the walker finds the
// next link or nothing, never more.
#include <QJsonDocument>

#include "fuzzinput.h"
#include "httpheaders.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::Fields in(data, size);
    const QJsonDocument page = QJsonDocument::fromJson(in.bytes(0));
    const QString path = in.text(1).isEmpty() ? QStringLiteral("links.next") : in.text(1);
    const QJsonValue value = http::jsonValueAt(page, path);
    if (!page.isObject())
        SPOOL_FUZZ_CHECK(value.isUndefined() || value.isNull(), path);
    const QUrl next =
        QUrl(QStringLiteral("http://127.0.0.1/p?page=1")).resolved(QUrl(value.toString()));
    SPOOL_FUZZ_CHECK(
        value.toString().isEmpty() || next.isValid() || !QUrl(value.toString()).isValid(),
        value.toString());
    return 0;
}
