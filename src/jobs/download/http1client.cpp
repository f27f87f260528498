#include "http1client.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <poll.h>
#include <sys/socket.h>

#include <QNetworkProxyFactory>

#include "httpconnection.h"
#include "httpresponseparser.h"
#include "job/job.h"
#include "responsesink.h"

namespace spool::http1 {

namespace {
using http::Connection;
using http::IoWaiter;
using http::NetError;

constexpr qsizetype kReadBuffer = 256 * 1024;

bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c));
        if (!ok)
            return false;
    }
    return true;
}

bool isFieldValue(const QByteArray &s)
{
    return !s.contains('\r') && !s.contains('\n') && !s.contains('\0');
}

// RFC 9110 9.2.2: a request that may be sent again when its connection closed unanswered.
bool isIdempotent(const QByteArray &method)
{
    return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE"
        || method == "OPTIONS";
}

// Fields as Qt's setRawHeader sets them: a later field replaces an earlier one of that name.
void setField(
    QList<QPair<QByteArray, QByteArray>> &fields, const QByteArray &name, const QByteArray &value)
{
    for (auto &field : fields) {
        if (field.first.compare(name, Qt::CaseInsensitive) == 0) {
            field = { name, value };
            return;
        }
    }
    fields.append({ name, value });
}

char *readBuffer()
{
    thread_local std::unique_ptr<char[]> buffer(new char[kReadBuffer]);
    return buffer.get();
}

// How one round trip on one connection ended.
enum class Trip {
    Done, // the result is set
    Unanswered, // the connection was closed before any byte of an answer: maybe stale
};

void failWith(FetchResult &result, ResponseSink &sink, const IoWaiter &waiter, NetError error)
{
    if (error.code == QNetworkReply::OperationCanceledError && waiter.stopRequested()) {
        sink.stop(FetchEnd::Stopped, QStringLiteral("stopped"));
        return;
    }
    if (result.end != FetchEnd::Invalid)
        return;
    result.end = FetchEnd::NetworkError;
    result.error = error.code;
    result.errorText = error.text;
}

struct ReadState
{
    http::ResponseParser parser;
    bool answered = false;
    bool headReported = false;
};

// The response read from the connection into the parser and on to the sink. A connection kept
// alive goes back to the pool once its response is whole.
Trip readResponse(Connection &connection, const FetchRequest &request, IoWaiter &waiter,
    ResponseSink &sink, FetchResult &result)
{
    ReadState state { http::ResponseParser(request.method == "HEAD") };
    const auto reportHead = [&] {
        if (state.headReported)
            return true;
        state.headReported = true;
        return sink.head(
            state.parser.status(), state.parser.reason(), request.url, state.parser.headers());
    };
    const auto onBody = [&](const char *data, qsizetype size) {
        // A read can hold many chunks: none is handed on after a stop.
        if (waiter.stopRequested())
            return sink.stop(FetchEnd::Stopped, QStringLiteral("stopped"));
        return reportHead() && sink.data(data, size);
    };
    char *const buffer = readBuffer();
    for (;;) {
        const ssize_t n = ::recv(connection.fd(), buffer, kReadBuffer, 0);
        if (n > 0) {
            state.answered = true;
            waiter.progressed();
            // Asked here too: a socket that always has bytes never reaches the wait below.
            if (waiter.stopRequested()) {
                sink.stop(FetchEnd::Stopped, QStringLiteral("stopped"));
                return Trip::Done;
            }
            if (!state.parser.feed(buffer, n, onBody)) {
                if (state.parser.failed())
                    failWith(result, sink, waiter,
                        { QNetworkReply::ProtocolFailure,
                            QStringLiteral("the server's answer is not valid HTTP: %1")
                                .arg(state.parser.error()) });
                return Trip::Done; // a handler refused, or the cap: the sink said why
            }
            if (state.parser.headComplete() && !reportHead())
                return Trip::Done;
            if (state.parser.complete()) {
                result.end = FetchEnd::Finished;
                if (state.parser.keepAlive())
                    http::ConnectionPool::forThisThread().keep(std::move(connection));
                return Trip::Done;
            }
            if (sink.errorBodyFull()) {
                result.end = FetchEnd::Finished; // the rest of an error page is not needed
                return Trip::Done;
            }
            continue;
        }
        if (n == 0) {
            if (!state.answered)
                return Trip::Unanswered;
            if (!state.parser.finishAtEnd()) {
                failWith(result, sink, waiter,
                    { QNetworkReply::RemoteHostClosedError, state.parser.error() });
                return Trip::Done;
            }
            if (reportHead())
                result.end = FetchEnd::Finished;
            return Trip::Done;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            const int failure = errno;
            if (!state.answered && failure == ECONNRESET)
                return Trip::Unanswered;
            failWith(result, sink, waiter,
                { QNetworkReply::RemoteHostClosedError,
                    QStringLiteral("the connection failed: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(failure))) });
            return Trip::Done;
        }
        switch (waiter.wait(connection.fd(), POLLIN)) {
        case IoWaiter::Outcome::Ready:
            break;
        case IoWaiter::Outcome::Stopped:
            sink.stop(FetchEnd::Stopped, QStringLiteral("stopped"));
            return Trip::Done;
        case IoWaiter::Outcome::TimedOut:
            failWith(result, sink, waiter,
                { QNetworkReply::OperationCanceledError,
                    QStringLiteral("no data from the server for %1 s")
                        .arg(waiter.timeoutMs() / 1000.0) });
            return Trip::Done;
        case IoWaiter::Outcome::Failed:
            failWith(result, sink, waiter,
                { QNetworkReply::UnknownNetworkError,
                    QString::fromLocal8Bit(std::strerror(errno)) });
            return Trip::Done;
        }
    }
}

} // namespace

bool handles(const FetchRequest &request)
{
    // Pages are read whole and welcome compression, which Qt asks for and inflates.
    if (!request.identityEncoding)
        return false;
    const QUrl &url = request.url;
    if (url.scheme().compare(QLatin1String("http"), Qt::CaseInsensitive) != 0
        || !url.userInfo().isEmpty() || url.host().isEmpty())
        return false;
    const QList<QNetworkProxy> proxies =
        QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(url));
    return proxies.isEmpty() || proxies.first().type() == QNetworkProxy::NoProxy
        || proxies.first().type() == QNetworkProxy::DefaultProxy;
}

std::optional<QString> requestMessage(const FetchRequest &request, QByteArray *message)
{
    if (!isToken(request.method))
        return QStringLiteral("the method \"%1\" is not valid")
            .arg(QString::fromLatin1(request.method));
    QByteArray target =
        request.url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (!target.startsWith('/'))
        target.prepend('/');
    QList<QPair<QByteArray, QByteArray>> fields;
    setField(fields, "Host", request.url.authority(QUrl::FullyEncoded).toLatin1());
    setField(fields, "User-Agent", "Spool/0.1");
    if (request.identityEncoding)
        setField(fields, "Accept-Encoding", "identity");
    if (request.resumeFrom > 0) {
        setField(fields, "Range", "bytes=" + QByteArray::number(request.resumeFrom) + '-');
        if (!request.ifRange.isEmpty())
            setField(fields, "If-Range", request.ifRange);
    }
    if (!request.ifNoneMatch.isEmpty())
        setField(fields, "If-None-Match", request.ifNoneMatch);
    if (!request.ifModifiedSince.isEmpty())
        setField(fields, "If-Modified-Since", request.ifModifiedSince);
    for (const auto &[name, value] : request.headers)
        setField(fields, name, value);
    for (const auto &[name, value] : request.credentials)
        setField(fields, name, value);
    const QByteArray &method = request.method;
    if (!request.body.isEmpty() || method == "POST" || method == "PUT" || method == "PATCH")
        setField(fields, "Content-Length", QByteArray::number(request.body.size()));

    message->clear();
    message->reserve(256 + request.body.size());
    *message += method + ' ' + target + " HTTP/1.1\r\n";
    for (const auto &[name, value] : std::as_const(fields)) {
        if (!isToken(name))
            return QStringLiteral("the header name \"%1\" is not valid")
                .arg(QString::fromLatin1(name));
        if (!isFieldValue(value))
            return QStringLiteral("the header %1 has a line break in its value")
                .arg(QString::fromLatin1(name));
        *message += name + ": " + value + "\r\n";
    }
    *message += "\r\n";
    *message += request.body;
    return std::nullopt;
}

void exchange(
    const FetchRequest &request, const JobContext &context, ResponseSink &sink, FetchResult &result)
{
    QByteArray message;
    if (const auto why = requestMessage(request, &message)) {
        result.end = FetchEnd::NetworkError;
        result.error = QNetworkReply::ProtocolInvalidOperationError;
        result.errorText = *why;
        return;
    }
    const QString host = request.url.host();
    const int port = request.url.port(80);
    const QByteArray origin = host.toLower().toUtf8() + ':' + QByteArray::number(port);
    IoWaiter waiter(request.transferTimeoutMs, [&context] { return context.shouldStop(); });
    for (int attempt = 0;; ++attempt) {
        Connection connection;
        if (auto kept = http::ConnectionPool::forThisThread().take(origin)) {
            connection = std::move(*kept);
        } else if (auto failed = http::connectTo(host, port, origin, waiter, &connection)) {
            failWith(result, sink, waiter, *failed);
            return;
        }
        const bool reused = connection.wasUsed();
        connection.markUsed();
        const bool mayRetry = reused && attempt == 0 && isIdempotent(request.method);
        if (auto failed = connection.sendAll(message, waiter)) {
            if (mayRetry && failed->code == QNetworkReply::RemoteHostClosedError)
                continue;
            failWith(result, sink, waiter, *failed);
            return;
        }
        if (readResponse(connection, request, waiter, sink, result) == Trip::Done)
            return;
        if (!mayRetry) {
            failWith(result, sink, waiter,
                { QNetworkReply::RemoteHostClosedError,
                    QStringLiteral("the server closed the connection without answering") });
            return;
        }
    }
}

} // namespace spool::http1
