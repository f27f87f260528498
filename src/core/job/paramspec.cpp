#include "paramspec.h"

#include <cmath>

#include <QJsonArray>

namespace spool {

namespace {

Error invalid(const QString &message)
{
    return makeError(ErrorCode::InvalidInput, message);
}

QString rangeText(const ParamSpec &spec)
{
    constexpr qint64 lowest = std::numeric_limits<qint64>::min();
    constexpr qint64 highest = std::numeric_limits<qint64>::max();
    if (spec.minimum != lowest && spec.maximum != highest)
        return QStringLiteral("between %1 and %2").arg(spec.minimum).arg(spec.maximum);
    if (spec.minimum != lowest)
        return QStringLiteral("at least %1").arg(spec.minimum);
    return QStringLiteral("at most %1").arg(spec.maximum);
}

Result<QJsonValue> checkValue(const QString &kind, const ParamSpec &spec, const QJsonValue &value)
{
    const QString where = QStringLiteral("%1 parameter '%2'").arg(kind, spec.name);
    switch (spec.type) {
    case ParamType::Integer: {
        const double d = value.toDouble(std::nan(""));
        if (!value.isDouble() || std::isnan(d) || d != std::floor(d)
            || std::abs(d) > 9.007199254740992e15)
            return invalid(QStringLiteral("%1 must be a whole number").arg(where));
        const auto n = static_cast<qint64>(d);
        if (n < spec.minimum || n > spec.maximum)
            return invalid(
                QStringLiteral("%1 must be %2 (got %3)").arg(where, rangeText(spec)).arg(n));
        return QJsonValue(n);
    }
    case ParamType::String:
    case ParamType::Path:
        if (!value.isString())
            return invalid(QStringLiteral("%1 must be a string").arg(where));
        if (spec.required && value.toString().isEmpty())
            return invalid(QStringLiteral("%1 must not be empty").arg(where));
        return value;
    case ParamType::Boolean:
        if (!value.isBool())
            return invalid(QStringLiteral("%1 must be true or false").arg(where));
        return value;
    case ParamType::StringList: {
        if (!value.isArray())
            return invalid(QStringLiteral("%1 must be a list of strings").arg(where));
        for (const QJsonValue &item : value.toArray()) {
            if (!item.isString())
                return invalid(QStringLiteral("%1 must be a list of strings").arg(where));
        }
        return value;
    }
    case ParamType::Invalid:
        break;
    }
    return invalid(QStringLiteral("%1 has no type").arg(where));
}

} // namespace

Result<QJsonObject> validateParams(
    const QString &kind, const QList<ParamSpec> &specs, const QJsonObject &params)
{
    for (auto it = params.begin(); it != params.end(); ++it) {
        // Hidden parameters are the kind's own (set by prepare), never accepted from outside.
        const bool known = std::any_of(specs.begin(), specs.end(),
            [&](const ParamSpec &s) { return s.name == it.key() && !s.hidden; });
        if (!known)
            return invalid(QStringLiteral("%1 has no parameter '%2'").arg(kind, it.key()));
    }
    QJsonObject result;
    for (const ParamSpec &spec : specs) {
        if (spec.hidden)
            continue;
        QJsonValue value = params.value(spec.name);
        if (value.isUndefined() || value.isNull()) {
            if (spec.required)
                return invalid(QStringLiteral("%1 needs parameter '%2'").arg(kind, spec.name));
            if (spec.defaultValue.isUndefined())
                continue;
            value = spec.defaultValue;
        }
        Result<QJsonValue> checked = checkValue(kind, spec, value);
        if (!checked)
            return checked.error();
        result.insert(spec.name, checked.value());
    }
    return result;
}

Result<QJsonValue> paramFromText(const ParamSpec &spec, const QString &text)
{
    switch (spec.type) {
    case ParamType::Integer: {
        bool ok = false;
        const qint64 n = text.trimmed().toLongLong(&ok);
        if (!ok)
            return invalid(QStringLiteral("'%1' is not a whole number").arg(text));
        return QJsonValue(n);
    }
    case ParamType::String:
    case ParamType::Path:
        return QJsonValue(text);
    case ParamType::Boolean: {
        const QString t = text.trimmed().toLower();
        if (t == QLatin1String("true") || t == QLatin1String("yes") || t == QLatin1String("1"))
            return QJsonValue(true);
        if (t == QLatin1String("false") || t == QLatin1String("no") || t == QLatin1String("0"))
            return QJsonValue(false);
        return invalid(QStringLiteral("'%1' is not true or false").arg(text));
    }
    case ParamType::StringList:
        return QJsonValue(QJsonArray { text });
    case ParamType::Invalid:
        break;
    }
    return invalid(QStringLiteral("parameter '%1' has no type").arg(spec.name));
}

} // namespace spool
