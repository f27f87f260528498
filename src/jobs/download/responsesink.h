#pragma once

#include "httpfetch.h"

namespace spool {

// What every HTTP path does with a response as it arrives: the final head into the result, the
// size cap, the caller's handlers for a success body, and the start of an error body kept for
// the message. A false return means: stop the exchange, `result.end` says why.
class ResponseSink final
{
public:
    ResponseSink(const FetchRequest &request, const HttpFetch::HeadHandler &onHead,
        const HttpFetch::DataHandler &onData, FetchResult &result)
        : m_request(request)
        , m_onHead(onHead)
        , m_onData(onData)
        , m_result(result)
    { }

    bool head(int status, const QByteArray &reason, const QUrl &url,
        const QList<QPair<QByteArray, QByteArray>> &headers);
    bool data(const char *bytes, qint64 size);
    bool stop(FetchEnd end, const QString &why);

    bool headSeen() const { return m_headSeen; }
    bool successBody() const { return m_successBody; }
    // An error body past what the message keeps: no need to read the rest.
    bool errorBodyFull() const;

private:
    const FetchRequest &m_request;
    const HttpFetch::HeadHandler &m_onHead;
    const HttpFetch::DataHandler &m_onData;
    FetchResult &m_result;
    bool m_headSeen = false;
    bool m_successBody = false;
};

} // namespace spool
