#include "format.h"

#include <cmath>

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>

#include "progress/progressrate.h"

namespace spool::app::format {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("spool::app::format", text);
}
} // namespace

QString bytes(qint64 count)
{
    return QLocale().formattedDataSize(count, 1, QLocale::DataSizeIecFormat);
}

QString count(double value)
{
    // Exact up to 99,999; then three significant digits: a render counts samples in billions.
    if (std::abs(value) < 100000)
        return QLocale().toString(qint64(std::llround(value)));
    static const char *const prefixes[] = { "k", "M", "G", "T", "P" };
    int index = 0;
    value /= 1000;
    while (std::abs(value) >= 1000 && index < 4) {
        value /= 1000;
        ++index;
    }
    const int decimals = std::abs(value) < 10 ? 2 : std::abs(value) < 100 ? 1 : 0;
    return QStringLiteral("%1 %2").arg(
        QLocale().toString(value, 'f', decimals), QLatin1String(prefixes[index]));
}

QString amount(qint64 value, const QString &unit)
{
    if (unit == units::Bytes)
        return bytes(value);
    if (unit == units::Milliseconds)
        return duration(value);
    return QStringLiteral("%1 %2").arg(count(double(value)), unit);
}

QString rate(double perSecond, const QString &unit)
{
    if (perSecond < 0)
        return QString();
    if (unit == units::Bytes)
        return tr("%1/s").arg(bytes(qint64(perSecond)));
    if (unit == units::Milliseconds)
        return tr("%1×").arg(
            QLocale().toString(perSecond / 1000.0, 'f', 1)); // work time per wall time
    if (perSecond >= 100000)
        return tr("%1 %2/s").arg(count(perSecond), unit);
    return tr("%1 %2/s").arg(QLocale().toString(perSecond, 'f', perSecond < 10 ? 1 : 0), unit);
}

QString duration(qint64 ms)
{
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1 s").arg(QLocale().toString(ms / 1000.0, 'f', s < 10 ? 1 : 0));
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString eta(qint64 ms, bool totalKnown, double ratePerSecond)
{
    if (!totalKnown)
        return tr("unknown");
    if (ms >= ProgressRate::kNeverMs)
        return QStringLiteral("∞");
    if (ms >= 0)
        return duration(ms);
    if (ratePerSecond == 0)
        return QStringLiteral("∞");
    return QString();
}

QString timestamp(qint64 ms)
{
    if (ms <= 0)
        return QString();
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(ms);
    if (when.date() == QDate::currentDate())
        return QLocale().toString(when.time(), QStringLiteral("HH:mm:ss"));
    return QLocale().toString(when, QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString stateName(JobState state)
{
    switch (state) {
    case JobState::Queued:
        return tr("Queued");
    case JobState::Running:
        return tr("Running");
    case JobState::Paused:
        return tr("Paused");
    case JobState::Succeeded:
        return tr("Done");
    case JobState::Failed:
        return tr("Failed");
    case JobState::Canceled:
        return tr("Canceled");
    case JobState::Invalid:
        break;
    }
    return QString();
}

QString stateText(const JobRecord &record)
{
    QString text = stateName(record.state);
    if (record.state == JobState::Running) {
        if (record.control == JobControl::Pause)
            text = tr("Pausing");
        else if (record.control == JobControl::Cancel)
            text = tr("Canceling");
        else if (record.control == JobControl::Remove)
            text = tr("Removing");
    } else if (record.state == JobState::Queued && record.attempts > 0
        && record.notBeforeMs > QDateTime::currentMSecsSinceEpoch()) {
        text =
            tr("Retrying at %1")
                .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(record.notBeforeMs).time(),
                    QStringLiteral("HH:mm:ss")));
    }
    return text;
}

QString paramsText(const QJsonObject &params)
{
    QStringList lines;
    for (auto it = params.begin(); it != params.end(); ++it) {
        const QJsonValue v = it.value();
        QString value;
        if (v.isArray()) {
            QStringList items;
            for (const QJsonValue &item : v.toArray())
                items.append(item.toString());
            // A list of records (a render's files in a shared queue) says how many.
            value = items.join(QString()).isEmpty() && !items.isEmpty()
                ? QString::number(items.size())
                : items.join(QStringLiteral("; "));
        } else if (v.isString()) {
            value = v.toString();
        } else if (v.isBool()) {
            value = v.toBool() ? tr("yes") : tr("no");
        } else {
            value = QString::number(v.toDouble(), 'g', 15);
        }
        lines.append(QStringLiteral("%1: %2").arg(it.key(), value));
    }
    // One flowing paragraph: a line each would push the preview and timeline out of sight.
    return lines.join(QStringLiteral(" · "));
}

} // namespace spool::app::format
