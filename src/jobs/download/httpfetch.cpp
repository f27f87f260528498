#include "httpfetch.h"

#include <memory>

#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include "job/job.h"

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

FetchResult HttpFetch::run(QNetworkAccessManager &network, const FetchRequest &request,
    const JobContext &context, const HeadHandler &onHead, const DataHandler &onData)
{
    FetchResult result;
    QNetworkRequest r(request.url);
    // Qt follows http and https redirects only (another scheme ends as the 3xx response) and
    // never from https down to http. (Qt 6.4's user-verified policy stops after two redirects.)
    r.setAttribute(
        QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    r.setMaximumRedirectsAllowed(kMaxRedirects);
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

    std::unique_ptr<QNetworkReply> reply(
        network.sendCustomRequest(r, request.method, request.body));
    QEventLoop loop;
    bool headSeen = false;
    bool successBody = false;
    QString refusal;

    const auto abortWith = [&](FetchEnd end, const QString &why) {
        if (result.end == FetchEnd::Invalid) {
            result.end = end;
            result.errorText = why;
        }
        reply->abort();
    };
    const auto readHead = [&] {
        if (headSeen)
            return true;
        headSeen = true;
        FetchHead &head = result.head;
        head.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        head.reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
        head.url = reply->url();
        head.headers = reply->rawHeaderPairs();
        bool ok = false;
        head.contentLength = head.header("Content-Length").toLongLong(&ok);
        if (!ok)
            head.contentLength = -1;
        if (head.status == 206) {
            static const QRegularExpression range(
                QStringLiteral(R"(bytes\s+(\d+)-(\d+)/(\d+|\*))"));
            const auto m = range.match(QString::fromLatin1(head.header("Content-Range")));
            if (m.hasMatch()) {
                head.rangeStart = m.captured(1).toLongLong();
                head.totalBytes =
                    m.captured(3) == QLatin1String("*") ? -1 : m.captured(3).toLongLong();
            }
        } else if (head.status == 200) {
            head.totalBytes = head.contentLength;
        }
        successBody = head.isSuccess();
        if (!successBody)
            return true;
        const qint64 expected = head.totalBytes >= 0 ? head.totalBytes : -1;
        if (request.maxBytes >= 0 && expected > request.maxBytes) {
            abortWith(FetchEnd::TooLarge,
                QStringLiteral("the response is %1 bytes, over the limit of %2 bytes")
                    .arg(expected)
                    .arg(request.maxBytes));
            return false;
        }
        if (onHead && !onHead(head, &refusal)) {
            abortWith(FetchEnd::Refused, refusal);
            return false;
        }
        return true;
    };

    QObject::connect(reply.get(), &QNetworkReply::readyRead, reply.get(), [&] {
        if (result.end != FetchEnd::Invalid || !readHead())
            return;
        QByteArray chunk;
        while (!(chunk = reply->read(kReadChunk)).isEmpty()) {
            if (!successBody) {
                if (result.errorBody.size() < kErrorBodyBytes)
                    result.errorBody += chunk.left(kErrorBodyBytes - result.errorBody.size());
                continue;
            }
            result.bodyBytes += chunk.size();
            if (request.maxBytes >= 0 && request.resumeFrom + result.bodyBytes > request.maxBytes) {
                abortWith(FetchEnd::TooLarge,
                    QStringLiteral("the response passed the limit of %1 bytes")
                        .arg(request.maxBytes));
                return;
            }
            if (onData && !onData(chunk.constData(), chunk.size(), &refusal)) {
                abortWith(FetchEnd::Refused, refusal);
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
            result.errorBody += reply->read(kErrorBodyBytes - result.errorBody.size());
            result.end = FetchEnd::Finished;
            return result;
        }
        result.end = FetchEnd::NetworkError;
        result.error = reply->error();
        result.errorText = reply->errorString();
        if (headSeen)
            return result;
        result.head.status = status;
        return result;
    }
    readHead();
    result.end = FetchEnd::Finished;
    return result;
}

} // namespace spool
