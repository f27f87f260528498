#include "help.h"

#include <algorithm>
#include <limits>

#include <QJsonDocument>
#include <QStringList>

namespace spool::ctl::help {

namespace {

QString typeName(ParamType type)
{
    switch (type) {
    case ParamType::Integer:
        return QStringLiteral("integer");
    case ParamType::String:
        return QStringLiteral("text");
    case ParamType::Boolean:
        return QStringLiteral("switch");
    case ParamType::StringList:
        return QStringLiteral("text, repeatable");
    case ParamType::Path:
        return QStringLiteral("path");
    case ParamType::Invalid:
        break;
    }
    return QStringLiteral("?");
}

QString defaultText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("on") : QStringLiteral("off");
    if (value.isDouble())
        return QString::number(value.toInteger());
    return QString::fromUtf8(
        QJsonDocument::fromVariant(value.toVariant()).toJson(QJsonDocument::Compact));
}

constexpr qsizetype kWidth = 79;

// `text` wrapped at kWidth; continuation lines start at `column`, the first at `used`.
QString wrapped(const QString &text, qsizetype column, qsizetype used)
{
    QString out;
    const QStringList words = text.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (qsizetype i = 0; i < words.size(); ++i) {
        if (i > 0 && used + 1 + words.at(i).size() > kWidth) {
            out += QLatin1Char('\n') + QString(column, u' ');
            used = column;
        } else if (i > 0) {
            out += QLatin1Char(' ');
            ++used;
        }
        out += words.at(i);
        used += words.at(i).size();
    }
    return out;
}

// Two columns: what to type, and what it does.
QString rows(const QList<std::pair<QString, QString>> &items)
{
    constexpr qsizetype kColumn = 28;
    QString text;
    for (const auto &[left, right] : items) {
        QString line = QStringLiteral("  ") + left;
        line = line.size() + 2 > kColumn ? line + QLatin1Char('\n') + QString(kColumn, u' ')
                                         : line.leftJustified(kColumn);
        text += line + wrapped(right, kColumn, kColumn) + QLatin1Char('\n');
    }
    return text;
}

} // namespace

bool takesLists(const JobKind &kind)
{
    const auto has = [&kind](const char *name) {
        return std::any_of(kind.params.cbegin(), kind.params.cend(),
            [name](const ParamSpec &p) { return p.name == QLatin1String(name) && !p.hidden; });
    };
    return has("url") && has("name");
}

QString optionName(const QString &paramName)
{
    QString out;
    for (const QChar c : paramName) {
        if (c.isUpper()) {
            out += QLatin1Char('-');
            out += c.toLower();
        } else {
            out += c;
        }
    }
    return out;
}

QString paramUsage(const ParamSpec &spec)
{
    const QString value = spec.valueName.isEmpty() ? QStringLiteral("VALUE") : spec.valueName;
    if (spec.positional)
        return value;
    if (spec.type == ParamType::Boolean)
        return QStringLiteral("--") + optionName(spec.name);
    return QStringLiteral("--%1 %2").arg(optionName(spec.name), value);
}

QString paramFacts(const ParamSpec &spec)
{
    QStringList facts { typeName(spec.type) };
    const bool hasMin = spec.minimum != std::numeric_limits<qint64>::min();
    const bool hasMax = spec.maximum != std::numeric_limits<qint64>::max();
    if (hasMin && hasMax)
        facts << QStringLiteral("%1 to %2").arg(spec.minimum).arg(spec.maximum);
    else if (hasMin)
        facts << QStringLiteral("at least %1").arg(spec.minimum);
    else if (hasMax)
        facts << QStringLiteral("at most %1").arg(spec.maximum);
    if (!spec.defaultValue.isUndefined() && !spec.defaultValue.isNull())
        facts << QStringLiteral("default %1").arg(defaultText(spec.defaultValue));
    if (spec.required)
        facts << QStringLiteral("required");
    return facts.join(QStringLiteral(", "));
}

QString optionUsage(const OptionHelp &option)
{
    return option.valueName.isEmpty()
        ? QStringLiteral("--") + option.name
        : QStringLiteral("--%1 %2").arg(option.name, option.valueName);
}

QString overview(const JobKindRegistry &kinds)
{
    QString text =
        QStringLiteral("Usage: spoolctl [--data-dir DIR] [--queue URL] COMMAND [ARGUMENTS]\n\n"
                       "Spool's queue from the command line: queue jobs, watch them, "
                       "and run them headless.\n\nCommands:\n");
    QList<std::pair<QString, QString>> items;
    for (const CommandHelp &c : commands())
        items.append({ c.arguments.isEmpty() ? c.name : c.name + QLatin1Char(' ') + c.arguments,
            c.summary });
    text += rows(items);
    text += QStringLiteral("\nKinds of job (spoolctl add KIND --help lists the parameters):\n");
    items.clear();
    for (const QString &name : kinds.names())
        items.append({ name, kinds.find(name)->description });
    text += rows(items);
    text += QStringLiteral("\nOptions:\n");
    items.clear();
    for (const OptionHelp &option : globalOptions())
        items.append({ optionUsage(option), option.description });
    text += rows(items);
    text += QStringLiteral(
        "\nspoolctl help COMMAND (or COMMAND --help) explains a command.\n"
        "$SPOOL_DURABILITY=full makes every commit survive power loss.\n"
        "--queue URL (or $SPOOL_QUEUE) shares one PostgreSQL queue between machines.\n"
        "Exit status: 0 done, 2 bad usage or bad input (nothing written), 1 any other failure.\n");
    return text;
}

QString command(const CommandHelp &c, const JobKindRegistry &kinds)
{
    QString text = QStringLiteral("Usage: spoolctl [--data-dir DIR] %1%2%3\n\n")
                       .arg(c.name, c.options.isEmpty() ? QString() : QStringLiteral(" [OPTIONS]"),
                           c.arguments.isEmpty() ? QString() : QLatin1Char(' ') + c.arguments);
    text += c.summary.left(1).toUpper() + c.summary.mid(1) + QStringLiteral(".\n\n");
    text += wrapped(c.details, 0, 0) + QLatin1Char('\n');
    if (!c.options.isEmpty()) {
        QList<std::pair<QString, QString>> items;
        for (const OptionHelp &option : c.options)
            items.append({ optionUsage(option), option.description });
        text += QStringLiteral("\nOptions:\n") + rows(items);
    }
    if (c.name == QLatin1String("add")) {
        QList<std::pair<QString, QString>> items;
        for (const QString &name : kinds.names())
            items.append({ name, kinds.find(name)->description });
        text += QStringLiteral("\nKinds:\n") + rows(items);
    }
    return text;
}

QString kind(const JobKind &k)
{
    QStringList synopsis;
    QList<std::pair<QString, QString>> items;
    for (const ParamSpec &spec : k.params) {
        if (spec.hidden)
            continue;
        if (spec.positional)
            synopsis << spec.valueName;
        else if (spec.required)
            synopsis << paramUsage(spec);
        items.append({ paramUsage(spec),
            QStringLiteral("%1 (%2)").arg(spec.description, paramFacts(spec)) });
    }
    for (const OptionHelp &option : findCommand(QStringLiteral("add"))->options) {
        if (option.name == QLatin1String("from") && !takesLists(k))
            continue;
        items.append({ optionUsage(option), option.description });
    }
    QString text =
        QStringLiteral("Usage: spoolctl [--data-dir DIR] add %1 %2[OPTIONS]\n\n%3\n\n")
            .arg(k.name, synopsis.isEmpty() ? QString() : synopsis.join(QLatin1Char(' ')) + u' ',
                k.description);
    text += QStringLiteral("Parameters:\n") + rows(items);
    return text;
}

QString pluginKind(const QString &plugin, const PluginKindInfo &k)
{
    QList<std::pair<QString, QString>> items;
    for (const ParamSpec &spec : k.params) {
        items.append({ QStringLiteral("--param %1=%2")
                           .arg(spec.name,
                               spec.valueName.isEmpty() ? QStringLiteral("VALUE") : spec.valueName),
            QStringLiteral("%1 (%2)").arg(spec.description, paramFacts(spec)) });
    }
    for (const OptionHelp &option : findCommand(QStringLiteral("add"))->options) {
        if (option.name != QLatin1String("from"))
            items.append({ optionUsage(option), option.description });
    }
    return QStringLiteral("Usage: spoolctl [--data-dir DIR] add plugin %1 [--param NAME=VALUE]... "
                          "[OPTIONS]\n\n%2\nFrom the plugin %3; progress counts %4.\n\n")
               .arg(k.name, k.description, plugin, k.unit)
        + QStringLiteral("Parameters:\n") + rows(items);
}

} // namespace spool::ctl::help
