#pragma once

#include <functional>

#include <QByteArray>
#include <QList>
#include <QNetworkReply>
#include <QPair>
#include <QUrl>

class QNetworkAccessManager;

namespace spool {

class JobContext;

struct FetchRequest
{
    QUrl url;
    QByteArray method = "GET";
    QList<QPair<QByteArray, QByteArray>> headers;
    // Authorization, cookies, API keys: sent only to URLs of `credentialOrigin` (scheme, host and
    // port), never after a redirect to another origin, unless `credentialsEverywhere` (the user's
    // explicit opt-in, like curl's --location-trusted).
    QList<QPair<QByteArray, QByteArray>> credentials;
    QUrl credentialOrigin;
    bool credentialsEverywhere = false;
    QByteArray body;
    qint64 resumeFrom = 0; // > 0: ask for the rest (Range), if still the same (If-Range)
    QByteArray ifRange;
    QByteArray ifNoneMatch; // conditional re-fetch
    QByteArray ifModifiedSince;
    qint64 maxBytes = -1; // the largest resource accepted, enforced while streaming
    int transferTimeoutMs = 30000; // no byte for this long: give up
    bool identityEncoding = true; // byte ranges refer to the bytes on the wire: no gzip
};

// The final response's status line and headers (after redirects).
struct FetchHead
{
    int status = 0;
    QByteArray reason;
    QUrl url;
    qint64 contentLength = -1;
    qint64 rangeStart = -1; // a 206's Content-Range start
    qint64 totalBytes = -1; // the whole resource, when known
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const;
    bool isSuccess() const { return status >= 200 && status < 300; }
};

enum class FetchEnd {
    Invalid = 0,
    Finished, // the response arrived whole (whatever its status)
    NetworkError, // connection refused or reset, timeout, truncated body, TLS failure...
    Stopped, // the job was asked to stop
    TooLarge, // over maxBytes
    Refused, // a handler refused it (could not write, wrong range...)
};

struct FetchResult
{
    FetchEnd end = FetchEnd::Invalid;
    FetchHead head;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QString errorText;
    qint64 bodyBytes = 0; // bytes of a success body handed to the data handler
    QByteArray errorBody; // the start of a non-2xx body, for the message
    QString credentialsWithheldFrom; // the origin credentials were kept from, if any
};

// One HTTP exchange on the calling thread's event loop: redirects (at most 20, http and https
// only, never from https down to http, credentials only within their origin), TLS verification,
// a transfer timeout, the size cap, and a stop check every 25 ms. Success bodies stream to
// `onData` as they arrive; `onHead` sees the final response first.
class HttpFetch final
{
public:
    using HeadHandler = std::function<bool(const FetchHead &head, QString *why)>;
    using DataHandler = std::function<bool(const char *data, qint64 size, QString *why)>;

    static FetchResult run(QNetworkAccessManager &network, const FetchRequest &request,
        const JobContext &context, const HeadHandler &onHead, const DataHandler &onData);

    // Same scheme, host and port (RFC 6454), the rule for where credentials may go.
    static bool sameOrigin(const QUrl &a, const QUrl &b);

    // The network manager of the calling (worker) thread: connections are kept alive and reused
    // by the next download to the same host.
    static QNetworkAccessManager &threadNetwork();

private:
    // One request and its response, without following a redirect: through Spool's own client
    // (http1::handles, asked once per hop by run()) or Qt's.
    static FetchResult exchange(QNetworkAccessManager &network, const FetchRequest &request,
        bool ownClient, const JobContext &context, const HeadHandler &onHead,
        const DataHandler &onData);
};

} // namespace spool
