#include "pluginmetadata.h"

#include <algorithm>

#include <QDir>
#include <QJsonArray>
#include <QRegularExpression>

#include "spool/plugin.h"
#include "util/oneline.h"

namespace spool::pluginmetadata {

namespace {

const QString kIidPrefix = QStringLiteral("org.spool.JobPlugin/");

Result<ParamType> paramType(const QString &name)
{
    if (name == QLatin1String("string"))
        return ParamType::String;
    if (name == QLatin1String("path"))
        return ParamType::Path;
    if (name == QLatin1String("integer"))
        return ParamType::Integer;
    if (name == QLatin1String("boolean"))
        return ParamType::Boolean;
    if (name == QLatin1String("list"))
        return ParamType::StringList;
    return makeError(
        ErrorCode::InvalidInput, QStringLiteral("unknown parameter type '%1'").arg(name));
}

QString readFields(const QJsonObject &loaderData, PluginInfo &info)
{
    const QString iid = loaderData.value(QStringLiteral("IID")).toString();
    if (!iid.startsWith(kIidPrefix))
        return QStringLiteral("not a Spool job plugin (interface '%1')").arg(iid);
    const QString major = iid.mid(kIidPrefix.size());
    if (major != QString::number(SPOOL_SDK_VERSION_MAJOR))
        return QStringLiteral("built for SDK %1, this Spool has SDK %2")
            .arg(major)
            .arg(SPOOL_SDK_VERSION_MAJOR);
    const QJsonObject meta = loaderData.value(QStringLiteral("MetaData")).toObject();
    info.name = meta.value(QStringLiteral("name")).toString();
    info.version = meta.value(QStringLiteral("version")).toString();
    info.sdkVersion = meta.value(QStringLiteral("sdkVersion")).toString();
    info.threadSafe = meta.value(QStringLiteral("threadSafe")).toBool(false);
    if (info.name.isEmpty())
        return QStringLiteral("its metadata has no name");
    const QStringList sdk = info.sdkVersion.split(QLatin1Char('.'));
    bool majorOk = false, minorOk = false;
    const int sdkMajor = sdk.value(0).toInt(&majorOk);
    const int sdkMinor = sdk.value(1).toInt(&minorOk);
    if (sdk.size() != 2 || !majorOk || !minorOk)
        return QStringLiteral("its metadata has no valid sdkVersion (MAJOR.MINOR)");
    if (sdkMajor != SPOOL_SDK_VERSION_MAJOR)
        return QStringLiteral("built for SDK %1, this Spool has SDK %2.%3")
            .arg(info.sdkVersion)
            .arg(SPOOL_SDK_VERSION_MAJOR)
            .arg(SPOOL_SDK_VERSION_MINOR);
    if (sdkMinor > SPOOL_SDK_VERSION_MINOR)
        return QStringLiteral("built for SDK %1, newer than this Spool's %2.%3")
            .arg(info.sdkVersion)
            .arg(SPOOL_SDK_VERSION_MAJOR)
            .arg(SPOOL_SDK_VERSION_MINOR);
    static const QRegularExpression kindName(QStringLiteral("^[a-z][a-z0-9-]*$"));
    const QJsonArray kinds = meta.value(QStringLiteral("kinds")).toArray();
    if (kinds.isEmpty())
        return QStringLiteral("its metadata lists no job kinds");
    for (const QJsonValue &k : kinds) {
        const QJsonObject o = k.toObject();
        PluginKindInfo kind;
        kind.name = o.value(QStringLiteral("name")).toString();
        if (!kindName.match(kind.name).hasMatch())
            return QStringLiteral("kind name '%1' is not lower-case letters, digits and '-'")
                .arg(kind.name);
        kind.description = o.value(QStringLiteral("description")).toString();
        kind.unit = o.value(QStringLiteral("unit")).toString(QStringLiteral("items"));
        for (const QJsonValue &p : o.value(QStringLiteral("params")).toArray()) {
            const QJsonObject po = p.toObject();
            ParamSpec spec;
            spec.name = po.value(QStringLiteral("name")).toString();
            auto type = paramType(po.value(QStringLiteral("type")).toString());
            if (spec.name.isEmpty() || !type)
                return QStringLiteral("kind '%1': %2")
                    .arg(kind.name,
                        spec.name.isEmpty() ? QStringLiteral("a parameter has no name")
                                            : type.error().message);
            spec.type = type.value();
            spec.description = po.value(QStringLiteral("description")).toString();
            spec.valueName = spec.name.toUpper();
            spec.required = po.value(QStringLiteral("required")).toBool(false);
            if (po.contains(QStringLiteral("minimum")))
                spec.minimum = po.value(QStringLiteral("minimum")).toInteger();
            if (po.contains(QStringLiteral("maximum")))
                spec.maximum = po.value(QStringLiteral("maximum")).toInteger();
            spec.defaultValue = po.value(QStringLiteral("default"));
            kind.params.append(spec);
        }
        info.kinds.append(kind);
    }
    return {};
}

} // namespace

QString read(const QJsonObject &loaderData, PluginInfo &info)
{
    // The refusals quote the library's own text: keep them one line.
    return oneLine(readFields(loaderData, info));
}

Result<QJsonObject> parseArguments(const PluginKindInfo &kind, const QStringList &words)
{
    QJsonObject values;
    for (const QString &word : words) {
        const qsizetype eq = word.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return makeError(
                ErrorCode::InvalidInput, QStringLiteral("'%1' is not NAME=VALUE").arg(word));
        const QString name = word.left(eq);
        const auto spec = std::find_if(kind.params.cbegin(), kind.params.cend(),
            [&](const ParamSpec &s) { return s.name == name; });
        if (spec == kind.params.cend())
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("plugin kind '%1' has no parameter '%2'").arg(kind.name, name));
        auto value = paramFromText(*spec, word.mid(eq + 1));
        if (!value)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("--param %1: %2").arg(name, value.error().message));
        if (spec->type == ParamType::Path)
            value = QJsonValue(QDir::current().absoluteFilePath(value->toString()));
        values.insert(name, value.value());
    }
    return validateParams(kind.name, kind.params, values);
}

} // namespace spool::pluginmetadata
