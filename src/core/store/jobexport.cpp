#include "jobexport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace spool::jobexport {

QByteArray line(const JobRecord &record, const QList<JobEvent> &events)
{
    QJsonObject object = record.toJson();
    QJsonArray timeline;
    for (const JobEvent &event : events)
        timeline.append(event.toJson());
    object.insert(QStringLiteral("events"), timeline);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

namespace {

// An ISO 8601 timestamp or null, as isoTimestamp() writes it; false when it is neither.
bool readTime(const QJsonValue &value, qint64 *ms)
{
    *ms = 0;
    if (value.isNull() || value.isUndefined())
        return true;
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time.isValid())
        return false;
    *ms = time.toMSecsSinceEpoch();
    return true;
}

Error bad(const QString &why)
{
    return makeError(ErrorCode::InvalidInput, why);
}

Result<QList<JobEvent>> readEvents(const QJsonValue &value)
{
    QList<JobEvent> events;
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject e = item.toObject();
        JobEvent event;
        if (!readTime(e.value(QStringLiteral("at")), &event.atMs))
            return bad(QStringLiteral("an event's time is not an ISO 8601 timestamp"));
        event.attempt = e.value(QStringLiteral("attempt")).toInt();
        event.event = e.value(QStringLiteral("event")).toString();
        event.detail = e.value(QStringLiteral("detail")).toString();
        if (event.event.isEmpty())
            return bad(QStringLiteral("an event has no name"));
        events.append(event);
    }
    return events;
}

} // namespace

Result<ExportedJob> parse(const QByteArray &text)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (!doc.isObject())
        return bad(QStringLiteral("not a JSON object (%1)").arg(parseError.errorString()));
    const QJsonObject o = doc.object();
    JobRecord r;
    r.id = QUuid::fromString(o.value(QStringLiteral("id")).toString());
    if (r.id.isNull())
        return bad(QStringLiteral("no job id"));
    r.kind = o.value(QStringLiteral("kind")).toString();
    if (r.kind.isEmpty())
        return bad(QStringLiteral("job %1 has no kind").arg(idString(r.id)));
    r.state = jobStateFromName(o.value(QStringLiteral("state")).toString());
    if (r.state == JobState::Invalid)
        return bad(QStringLiteral("job %1 has no valid state").arg(idString(r.id)));
    if (!o.value(QStringLiteral("params")).isObject())
        return bad(QStringLiteral("job %1 has no parameters object").arg(idString(r.id)));
    r.params = o.value(QStringLiteral("params")).toObject();
    r.attempts = qMax(0, o.value(QStringLiteral("attempts")).toInt());
    r.maxAttempts = qBound(1, o.value(QStringLiteral("maxAttempts")).toInt(1), 1000);
    const bool times = readTime(o.value(QStringLiteral("enqueuedAt")), &r.enqueuedAtMs)
        && readTime(o.value(QStringLiteral("startedAt")), &r.startedAtMs)
        && readTime(o.value(QStringLiteral("finishedAt")), &r.finishedAtMs)
        && readTime(o.value(QStringLiteral("notBefore")), &r.notBeforeMs);
    if (!times)
        return bad(QStringLiteral("job %1 has a time that is not ISO 8601").arg(idString(r.id)));
    r.progress.done = o.value(QStringLiteral("progressDone")).toInteger();
    const QJsonValue total = o.value(QStringLiteral("progressTotal"));
    r.progress.total = total.isDouble() ? total.toInteger() : -1;
    r.progress.unit = o.value(QStringLiteral("progressUnit")).toString();
    r.error = o.value(QStringLiteral("error")).toString();
    r.output = o.value(QStringLiteral("output")).toString();
    auto events = readEvents(o.value(QStringLiteral("events")));
    if (!events)
        return bad(QStringLiteral("job %1: %2").arg(idString(r.id), events.error().message));
    return ExportedJob { r, events.value() };
}

} // namespace spool::jobexport
