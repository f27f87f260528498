#include "jobrecord.h"

#include <QDateTime>
#include <QJsonDocument>

namespace spool {

QJsonValue isoTimestamp(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue(QJsonValue::Null);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString idString(const QUuid &id)
{
    return id.toString(QUuid::WithoutBraces);
}

QByteArray JobRecord::paramsJson() const
{
    return paramsText.isEmpty() ? QJsonDocument(params).toJson(QJsonDocument::Compact) : paramsText;
}

QJsonObject JobRecord::toJson() const
{
    const auto nullable = [](const QString &s) {
        return s.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(s);
    };
    double fraction = progress.fraction();
    if (state == JobState::Succeeded)
        fraction = 1.0;
    else if (!progress.totalKnown())
        fraction = 0.0;
    return QJsonObject {
        { QStringLiteral("id"), idString(id) },
        { QStringLiteral("kind"), kind },
        { QStringLiteral("state"), jobStateName(state) },
        { QStringLiteral("seq"), seq },
        { QStringLiteral("attempts"), attempts },
        { QStringLiteral("maxAttempts"), maxAttempts },
        { QStringLiteral("enqueuedAt"), isoTimestamp(enqueuedAtMs) },
        { QStringLiteral("startedAt"), isoTimestamp(startedAtMs) },
        { QStringLiteral("finishedAt"), isoTimestamp(finishedAtMs) },
        { QStringLiteral("notBefore"), isoTimestamp(notBeforeMs) },
        { QStringLiteral("progress"), fraction },
        { QStringLiteral("progressDone"), progress.done },
        { QStringLiteral("progressTotal"),
            progress.totalKnown() ? QJsonValue(progress.total) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("progressUnit"), progress.unit },
        { QStringLiteral("error"),
            error.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(error) },
        { QStringLiteral("output"), nullable(output.isEmpty() ? QString() : output) },
        { QStringLiteral("params"),
            paramsText.isEmpty() ? params : QJsonDocument::fromJson(paramsText).object() },
    };
}

QJsonObject JobEvent::toJson() const
{
    return QJsonObject {
        { QStringLiteral("at"), isoTimestamp(atMs) },
        { QStringLiteral("attempt"), attempt },
        { QStringLiteral("event"), event },
        { QStringLiteral("detail"),
            detail.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(detail) },
    };
}

int attemptShown(const JobRecord &record)
{
    const bool waiting = record.state == JobState::Queued || record.state == JobState::Paused;
    return waiting ? qMin(record.attempts + 1, record.maxAttempts) : record.attempts;
}

} // namespace spool
