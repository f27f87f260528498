#include "responsesink.h"

#include "httpheaders.h"

namespace spool {

namespace {
constexpr qint64 kErrorBodyBytes = 1024;
} // namespace

bool ResponseSink::stop(FetchEnd end, const QString &why)
{
    if (m_result.end == FetchEnd::Invalid) {
        m_result.end = end;
        m_result.errorText = why;
    }
    return false;
}

bool ResponseSink::head(int status, const QByteArray &reason, const QUrl &url,
    const QList<QPair<QByteArray, QByteArray>> &headers)
{
    m_headSeen = true;
    FetchHead &head = m_result.head;
    head.status = status;
    head.reason = reason;
    head.url = url;
    head.headers = headers;
    bool ok = false;
    head.contentLength = head.header("Content-Length").toLongLong(&ok);
    if (!ok)
        head.contentLength = -1;
    if (head.status == 206) {
        if (const auto range = http::parseContentRange(head.header("Content-Range"))) {
            head.rangeStart = range->first;
            head.totalBytes = range->total;
        }
    } else if (head.status == 200) {
        head.totalBytes = head.contentLength;
    }
    m_successBody = head.isSuccess();
    if (!m_successBody)
        return true;
    const qint64 expected = head.totalBytes >= 0 ? head.totalBytes : -1;
    if (m_request.maxBytes >= 0 && expected > m_request.maxBytes)
        return stop(FetchEnd::TooLarge,
            QStringLiteral("the response is %1 bytes, over the limit of %2 bytes")
                .arg(expected)
                .arg(m_request.maxBytes));
    QString refusal;
    if (m_onHead && !m_onHead(head, &refusal))
        return stop(FetchEnd::Refused, refusal);
    return true;
}

bool ResponseSink::errorBodyFull() const
{
    return !m_successBody && m_result.errorBody.size() >= kErrorBodyBytes;
}

bool ResponseSink::data(const char *bytes, qint64 size)
{
    if (!m_successBody) {
        const qint64 room = kErrorBodyBytes - m_result.errorBody.size();
        if (room > 0)
            m_result.errorBody.append(bytes, qsizetype(std::min(room, size)));
        return true;
    }
    m_result.bodyBytes += size;
    // A 200 to a resume request is the whole (maybe changed) file: it counts from zero.
    const qint64 before = m_result.head.status == 206 ? m_request.resumeFrom : 0;
    if (m_request.maxBytes >= 0 && before + m_result.bodyBytes > m_request.maxBytes)
        return stop(FetchEnd::TooLarge,
            QStringLiteral("the response passed the limit of %1 bytes").arg(m_request.maxBytes));
    QString refusal;
    if (m_onData && !m_onData(bytes, size, &refusal))
        return stop(FetchEnd::Refused, refusal);
    return true;
}

} // namespace spool
