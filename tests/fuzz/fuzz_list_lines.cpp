// The lines of `spoolctl add download --from FILE`, and the download parameters they become,
// checked by the download kind's schema as `spoolctl add` does.
#include "builtinkinds.h"
#include "fuzzinput.h"
#include "job/jobkindregistry.h"
#include "listline.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const auto registry = [] {
        auto r = std::make_shared<JobKindRegistry>();
        registerBuiltinKinds(*r,
            BuiltinSettings {
                QStringLiteral("/tmp/spool-fuzz"), QStringLiteral("/tmp/spool-fuzz") });
        return r;
    }();
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QString &raw : text.split(QLatin1Char('\n'))) {
        const auto line = ctl::parseListLine(raw);
        if (!line)
            continue;
        SPOOL_FUZZ_CHECK(!line->url.isEmpty() && !line->url.contains(QLatin1Char(' ')), line->url);
        QJsonObject params { { QStringLiteral("url"), line->url },
            { QStringLiteral("dir"), QStringLiteral("/tmp/spool-fuzz/out") } };
        if (!line->name.isEmpty())
            params.insert(QStringLiteral("name"), line->name);
        auto checked = registry->validate(QStringLiteral("download"), params);
        if (!checked)
            SPOOL_FUZZ_CHECK(!checked.error().message.isEmpty(), line->url);
    }
    return 0;
}
