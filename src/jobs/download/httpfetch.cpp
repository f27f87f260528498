#include "httpfetch.h"

#include <algorithm>
#include <memory>

#include <QDateTime>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QTimer>

#include "http1client.h"
#include "httpheaders.h"
#include "job/job.h"
#include "responsesink.h"

namespace spool {

namespace {
constexpr int kStopPollMs = 25;
constexpr int kMaxRedirects = 20;
constexpr qint64 kErrorBodyBytes = 1024;
constexpr qint64 kReadChunk = 256 * 1024;
} // namespace

QByteArray FetchHead::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return QByteArray();
}

QNetworkAccessManager &HttpFetch::threadNetwork()
{
    // Owned by the thread that uses it and destroyed at its exit, on that thread.
    thread_local std::unique_ptr<QNetworkAccessManager> network = [] {
        auto manager = std::make_unique<QNetworkAccessManager>();
        manager->setAutoDeleteReplies(false);
        return manager;
    }();
    return *network;
}

bool HttpFetch::sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort = [](const QUrl &url) {
        return url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80;
    };
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0
        && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort(a)) == b.port(defaultPort(b));
}

namespace {

bool isRedirect(const FetchResult &r)
{
    const int status = r.head.status;
    return r.end == FetchEnd::Finished
        && (status == 301 || status == 302 || status == 303 || status == 307 || status == 308)
        && !r.head.header("Location").isEmpty();
}

// Cookies a server set during one fetch, sent back to the same host on the fetch's next hop:
// Qt's client does that (with a jar kept for the whole thread), and sign-in redirects need it.
// Kept for one fetch and one host only, so one job's cookies never reach another job.
class FetchCookies
{
public:
    void take(const FetchHead &head)
    {
        const QString host = head.url.host().toLower();
        for (const auto &[name, value] : head.headers) {
            if (name.compare("Set-Cookie", Qt::CaseInsensitive) != 0)
                continue;
            const QList<QByteArray> parts = value.split(';');
            const QByteArray pair = parts.first().trimmed();
            const qsizetype equals = pair.indexOf('=');
            if (equals <= 0)
                continue;
            const QByteArray cookie = pair.left(equals).trimmed();
            m_cookies.removeIf([&](const Cookie &c) { return c.host == host && c.name == cookie; });
            if (!expires(parts))
                m_cookies.append({ host, cookie, pair.mid(equals + 1).trimmed() });
        }
    }

    // The Cookie header for `url`, or empty.
    QByteArray headerFor(const QUrl &url) const
    {
        QByteArray header;
        for (const Cookie &c : m_cookies) {
            if (c.host != url.host().toLower())
                continue;
            if (!header.isEmpty())
                header += "; ";
            header += c.name + '=' + c.value;
        }
        return header;
    }

private:
    struct Cookie
    {
        QString host;
        QByteArray name;
        QByteArray value;
    };

    // Max-Age (first) or Expires says the cookie is gone (how servers clear one); an attribute
    // that does not read is ignored (RFC 6265 5.2).
    static bool expires(const QList<QByteArray> &parts)
    {
        qint64 expiresMs = -1;
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray attribute = parts[i].trimmed();
            const QByteArray lower = attribute.toLower();
            if (lower.startsWith("max-age=")) {
                bool ok = false;
                const qint64 seconds = attribute.mid(8).trimmed().toLongLong(&ok);
                if (ok)
                    return seconds <= 0;
            } else if (lower.startsWith("expires=")) {
                expiresMs = http::parseHttpDate(attribute.mid(8).trimmed());
            }
        }
        return expiresMs >= 0 && expiresMs <= QDateTime::currentMSecsSinceEpoch();
    }

    QList<Cookie> m_cookies;
};

// The fetch's cookies after those of the user's Cookie header (kept as a credential, on the
// hops that may carry it), or as a header of their own.
void addCookies(FetchRequest &request, const QByteArray &jar)
{
    for (auto *list : { &request.credentials, &request.headers }) {
        for (auto &[name, value] : *list) {
            if (name.compare("Cookie", Qt::CaseInsensitive) == 0) {
                value += "; " + jar;
                return;
            }
        }
    }
    request.headers.append({ "Cookie", jar });
}

FetchResult redirectError(QNetworkReply::NetworkError error, const QString &why)
{
    FetchResult result;
    result.end = FetchEnd::NetworkError;
    result.error = error;
    result.errorText = why;
    return result;
}

} // namespace

// Redirects are followed here rather than by Qt, which resends every header to any host (and
// whose user-verified policy in 6.4 stops after two redirects): credentials must stay with the
// origin the user named, as curl does since CVE-2018-1000007.
FetchResult HttpFetch::run(QNetworkAccessManager &network, const FetchRequest &request,
    const JobContext &context, const HeadHandler &onHead, const DataHandler &onData)
{
    FetchRequest hop = request;
    QString withheldFrom;
    FetchCookies cookies;
    for (int redirects = 0;; ++redirects) {
        const bool trusted =
            request.credentialsEverywhere || sameOrigin(hop.url, request.credentialOrigin);
        if (!trusted && !request.credentials.isEmpty())
            withheldFrom = hop.url
                               .adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment
                                   | QUrl::RemoveUserInfo)
                               .toString();
        hop.credentials = trusted ? request.credentials : QList<QPair<QByteArray, QByteArray>>();
        // A Host header of the user's names the host they asked for, not one a redirect chose.
        if (!sameOrigin(hop.url, request.url))
            hop.headers.removeIf(
                [](const auto &h) { return h.first.compare("Host", Qt::CaseInsensitive) == 0; });
        FetchRequest sent = hop;
        // Qt's own jar serves its hops; this client's hops get the fetch's cookies, after the
        // user's own Cookie header if they gave one.
        const bool ownClient = http1::handles(hop);
        if (const QByteArray jar = cookies.headerFor(hop.url); ownClient && !jar.isEmpty())
            addCookies(sent, jar);
        FetchResult result = exchange(network, sent, ownClient, context, onHead, onData);
        result.credentialsWithheldFrom = withheldFrom;
        if (ownClient && result.end == FetchEnd::Finished)
            cookies.take(result.head);
        if (!isRedirect(result))
            return result;
        const QUrl target =
            result.head.url.resolved(QUrl::fromEncoded(result.head.header("Location")));
        const QString scheme = target.scheme().toLower();
        if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
            return result; // not followed: the caller explains the 3xx
        if (redirects == kMaxRedirects)
            return redirectError(QNetworkReply::TooManyRedirectsError,
                QStringLiteral("too many redirects (more than %1)").arg(kMaxRedirects));
        if (hop.url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0
            && scheme == QLatin1String("http"))
            return redirectError(QNetworkReply::InsecureRedirectError,
                QStringLiteral("redirected from https down to http (%1)")
                    .arg(target.toDisplayString()));
        const int status = result.head.status;
        // As browsers and curl do: a 303, or a 301/302 after a POST, becomes a GET without a body.
        if (status == 303 || ((status == 301 || status == 302) && hop.method == "POST")) {
            if (hop.method != "HEAD")
                hop.method = "GET";
            hop.body.clear();
        }
        hop.url = target;
    }
}

FetchResult HttpFetch::exchange(QNetworkAccessManager &network, const FetchRequest &request,
    bool ownClient, const JobContext &context, const HeadHandler &onHead, const DataHandler &onData)
{
    FetchResult result;
    if (ownClient) {
        ResponseSink sink(request, onHead, onData, result);
        http1::exchange(request, context, sink, result);
        return result;
    }
    QNetworkRequest r(request.url);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setTransferTimeout(request.transferTimeoutMs);
    r.setHeader(QNetworkRequest::UserAgentHeader, QByteArrayLiteral("Spool/0.1"));
    if (request.identityEncoding)
        r.setRawHeader("Accept-Encoding", "identity");
    if (request.resumeFrom > 0) {
        r.setRawHeader("Range", "bytes=" + QByteArray::number(request.resumeFrom) + '-');
        if (!request.ifRange.isEmpty())
            r.setRawHeader("If-Range", request.ifRange);
    }
    if (!request.ifNoneMatch.isEmpty())
        r.setRawHeader("If-None-Match", request.ifNoneMatch);
    if (!request.ifModifiedSince.isEmpty())
        r.setRawHeader("If-Modified-Since", request.ifModifiedSince);
    for (const auto &[name, value] : request.headers)
        r.setRawHeader(name, value);
    for (const auto &[name, value] : request.credentials)
        r.setRawHeader(name, value);

    std::unique_ptr<QNetworkReply> reply(
        network.sendCustomRequest(r, request.method, request.body));
    QEventLoop loop;
    ResponseSink sink(request, onHead, onData, result);
    const auto abortWith = [&](FetchEnd end, const QString &why) {
        sink.stop(end, why);
        reply->abort();
    };
    const auto readHead = [&] {
        if (sink.headSeen())
            return true;
        const bool go =
            sink.head(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray(),
                reply->url(), reply->rawHeaderPairs());
        if (!go)
            reply->abort();
        return go;
    };

    QObject::connect(reply.get(), &QNetworkReply::readyRead, reply.get(), [&] {
        if (result.end != FetchEnd::Invalid || !readHead())
            return;
        QByteArray chunk;
        while (!(chunk = reply->read(kReadChunk)).isEmpty()) {
            if (!sink.data(chunk.constData(), chunk.size())) {
                reply->abort();
                return;
            }
        }
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer stopCheck;
    QObject::connect(&stopCheck, &QTimer::timeout, &loop, [&] {
        if (context.shouldStop())
            abortWith(FetchEnd::Stopped, QStringLiteral("stopped"));
    });
    stopCheck.start(kStopPollMs);
    if (!reply->isFinished())
        loop.exec();
    stopCheck.stop();

    if (result.end != FetchEnd::Invalid)
        return result;
    if (reply->error() != QNetworkReply::NoError) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        // An HTTP error status is a finished response, not a network failure.
        if (status >= 300 && reply->error() > QNetworkReply::UnknownNetworkError
            && reply->error() != QNetworkReply::TooManyRedirectsError) {
            readHead();
            const QByteArray rest = reply->read(kErrorBodyBytes);
            sink.data(rest.constData(), rest.size());
            result.end = FetchEnd::Finished;
            return result;
        }
        result.end = FetchEnd::NetworkError;
        result.error = reply->error();
        result.errorText = reply->errorString();
        if (sink.headSeen())
            return result;
        result.head.status = status;
        return result;
    }
    readHead();
    result.end = FetchEnd::Finished;
    return result;
}

} // namespace spool
