// What a plugin library says of itself (its metadata JSON, read by Qt's plugin loader before the
// library is loaded) and the NAME=VALUE words a user gives its jobs, checked against the schema
// that metadata declares.
#include <QJsonDocument>

#include "fuzzinput.h"
#include "plugins/pluginmetadata.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz::Fields in(data, size);
    const QJsonObject loaderData = QJsonDocument::fromJson(in.bytes(0)).object();
    PluginInfo info;
    const QString refusal = pluginmetadata::read(loaderData, info);
    if (!refusal.isEmpty()) {
        SPOOL_FUZZ_CHECK(!refusal.contains(QLatin1Char('\n')), refusal); // one line
        return 0;
    }
    SPOOL_FUZZ_CHECK(!info.name.isEmpty() && !info.kinds.isEmpty(), info.name);
    const QStringList words = in.text(1).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const PluginKindInfo &kind : std::as_const(info.kinds)) {
        auto params = pluginmetadata::parseArguments(kind, words);
        if (!params)
            SPOOL_FUZZ_CHECK(!params.error().message.isEmpty(), kind.name);
    }
    return 0;
}
