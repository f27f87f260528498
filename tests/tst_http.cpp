// Spool's own HTTP/1.1 client for plain http: the response parser on bytes a server could send,
// and the client's connections against the fault server on 127.0.0.1.
#include <atomic>
#include <sys/socket.h>
#include <unistd.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include "faultserver.h"
#include "httpconnection.h"
#include "httpfetch.h"
#include "httpresponseparser.h"
#include "job/job.h"

using namespace spool;
using namespace spool::test;

namespace {

// What a parse made of a response, fed whole or in pieces of `step` bytes.
struct Parsed
{
    bool ok = false;
    int status = 0;
    QByteArray body;
    bool completeBeforeEnd = false;
    bool keepAlive = false;
    QString error;
};

Parsed parse(const QByteArray &response, bool bodiless, qsizetype step)
{
    http::ResponseParser parser(bodiless);
    Parsed out;
    const auto onBody = [&](const char *data, qsizetype size) {
        out.body.append(data, size);
        return true;
    };
    bool ok = true;
    for (qsizetype at = 0; ok && at < response.size(); at += step)
        ok = parser.feed(response.constData() + at, std::min(step, response.size() - at), onBody);
    out.completeBeforeEnd = parser.complete();
    out.keepAlive = parser.keepAlive();
    if (ok && !parser.complete())
        ok = parser.finishAtEnd();
    out.ok = ok;
    out.status = parser.status();
    out.error = parser.error();
    return out;
}

// A job's context for a fetch made by the test itself: only the stop flag matters.
class StopFlagContext final : public JobContext
{
public:
    std::atomic<bool> stop { false };

    QUuid id() const override { return {}; }
    const QJsonObject &params() const override { return m_params; }
    int attempt() const override { return 1; }
    Progress resumeProgress() const override { return {}; }
    void setProgress(qint64, qint64) override { }
    void setProgressUnit(const QString &) override { }
    JobControl stopRequested() const override
    {
        return stop ? JobControl::Pause : JobControl::None;
    }
    bool sleepFor(qint64) override { return !stop; }
    void log(const QString &) override { }
    QString workDir() const override { return {}; }

private:
    QJsonObject m_params;
};

struct Fetched
{
    FetchResult result;
    QByteArray body;
};

Fetched fetch(const FetchRequest &request)
{
    StopFlagContext context;
    Fetched out;
    out.result = HttpFetch::run(HttpFetch::threadNetwork(), request, context, {},
        [&](const char *data, qint64 size, QString *) {
            out.body.append(data, size);
            return true;
        });
    return out;
}

Fetched fetch(const QString &url, const QByteArray &method = "GET", int timeoutMs = 30000)
{
    FetchRequest request;
    request.url = QUrl(url);
    request.method = method;
    request.transferTimeoutMs = timeoutMs;
    return fetch(request);
}

// A header of a request in the fault server's log (undefined when it was not sent).
QJsonValue headerOf(const QJsonValue &entry, const QString &name)
{
    return entry.toObject().value(QStringLiteral("headers")).toObject().value(name);
}

QByteArray expectedContent(qint64 size, int seed = 0)
{
    QByteArray out;
    out.reserve(size);
    for (qint64 i = 0; i < size; ++i)
        out.append(char(((i % 251) * 7 + seed) % 251));
    return out;
}

QJsonArray requestsTo(const FaultServer &server, const QString &path)
{
    QJsonArray matching;
    for (const QJsonValue &entry : server.log())
        if (entry.toObject().value(QStringLiteral("path")).toString() == path)
            matching.append(entry);
    return matching;
}

int peerOf(const QJsonValue &entry)
{
    return entry.toObject().value(QStringLiteral("peer")).toInt();
}

} // namespace

class TestHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void responsesAreFramedAsSent_data();
    void responsesAreFramedAsSent();
    void requestCarriesItsFieldsAndRefusesLineBreaks();
    void poolGivesBackOnlyOpenConnections();
    void keptAliveConnectionCarriesTheNextRequest();
    void connectionTheServerClosedIsNotUsed();
    void requestMetByACloseIsSentAgainOnce();
    void postMetByACloseIsNotSentAgain();
    void chunkedBodyArrivesWhole();
    void cookiesSetOnARedirectGoToTheNextHop();
    void userCookiesAndTheFetchsGoTogether();
    void hostHeaderStaysWithItsOrigin();
    void noBodyBytesAfterAStop_data();
    void noBodyBytesAfterAStop();
    void silentServerTimesOut();
    void stopEndsAFetchMidBody();

private:
    std::unique_ptr<FaultServer> m_server;
};

void TestHttp::initTestCase()
{
    m_server = std::make_unique<FaultServer>();
    QVERIFY2(
        m_server->isRunning(), "the fault server did not start (python3 " FAULT_SERVER_PATH ")");
}

void TestHttp::responsesAreFramedAsSent_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("bodiless");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("completeBeforeEnd");
    QTest::addColumn<bool>("keepAlive");
    QTest::addColumn<QString>("error"); // empty: parsed well

    const QByteArray ok = "HTTP/1.1 200 OK\r\n";
    const QByteArray chunked = ok + "Transfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("length") << ok + "Content-Length: 5\r\n\r\nhello" << false << 200
                            << QByteArray("hello") << true << true << QString();
    QTest::newRow("chunked, extension, trailer")
        << chunked + "1;a=b\r\nh\r\n4\r\nello\r\n0\r\nX-T: y\r\n\r\n"
        << false << 200 << QByteArray("hello") << true << true << QString();
    QTest::newRow("until close") << ok + "\r\nhello" << false << 200 << QByteArray("hello") << false
                                 << false << QString();
    QTest::newRow("HEAD") << ok + "Content-Length: 5\r\n\r\n"
                          << true << 200 << QByteArray() << true << true << QString();
    QTest::newRow("204") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << 204
                         << QByteArray() << true << true << QString();
    QTest::newRow("304 with a length")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n") << false << 304
        << QByteArray() << true << true << QString();
    QTest::newRow("100 Continue first")
        << "HTTP/1.1 100 Continue\r\n\r\n" + ok + "Content-Length: 2\r\n\r\nok" << false << 200
        << QByteArray("ok") << true << true << QString();
    QTest::newRow("folded header") << ok + "X-A: one\r\n two\r\nContent-Length: 2\r\n\r\nok"
                                   << false << 200 << QByteArray("ok") << true << true << QString();
    QTest::newRow("bare LF") << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\nok") << false
                             << 200 << QByteArray("ok") << true << true << QString();
    QTest::newRow("empty line first") << "\r\n" + ok + "Content-Length: 2\r\n\r\nok" << false << 200
                                      << QByteArray("ok") << true << true << QString();
    QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
                              << false << 200 << QByteArray("ok") << true << false << QString();
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok")
        << false << 200 << QByteArray("ok") << true << true << QString();
    QTest::newRow("Connection: close")
        << ok + "Connection: close\r\nContent-Length: 2\r\n\r\nok" << false << 200
        << QByteArray("ok") << true << false << QString();
    QTest::newRow("same length twice")
        << ok + "Content-Length: 2\r\nContent-Length: 2\r\n\r\nok" << false << 200
        << QByteArray("ok") << true << true << QString();
    QTest::newRow("both framings")
        << ok + "Content-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
        << false << 200 << QByteArray("ok") << true << false << QString();
    QTest::newRow("bytes after the response")
        << ok + "Content-Length: 2\r\n\r\nokJUNK" << false << 200 << QByteArray("ok") << true
        << false << QString();

    QTest::newRow("conflicting lengths")
        << ok + "Content-Length: 2\r\nContent-Length: 3\r\n\r\nok" << false << 200 << QByteArray()
        << false << false << QStringLiteral("conflicting Content-Length");
    QTest::newRow("negative length") << ok + "Content-Length: -1\r\n\r\n"
                                     << false << 200 << QByteArray() << false << false
                                     << QStringLiteral("Content-Length is not a valid size");
    QTest::newRow("not HTTP") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n") << false << 0 << QByteArray()
                              << false << false << QStringLiteral("not an HTTP/1.x response");
    QTest::newRow("HTTP/2") << QByteArray("HTTP/2 200\r\n\r\n") << false << 0 << QByteArray()
                            << false << false << QStringLiteral("not an HTTP/1.x response");
    QTest::newRow("bad chunk size") << chunked + "zz\r\n"
                                    << false << 200 << QByteArray() << false << false
                                    << QStringLiteral("chunk's size is not valid");
    QTest::newRow("huge chunk size") << chunked + "ffffffffffffffff\r\n"
                                     << false << 200 << QByteArray() << false << false
                                     << QStringLiteral("chunk's size is not valid");
    QTest::newRow("chunk longer than its size") << chunked + "2\r\nabc\r\n0\r\n\r\n"
                                                << false << 200 << QByteArray("ab") << false
                                                << false << QStringLiteral("longer than its size");
    QTest::newRow("short body") << ok + "Content-Length: 10\r\n\r\nhello" << false << 200
                                << QByteArray("hello") << false << false
                                << QStringLiteral("closed after 5 of 10 bytes");
    QTest::newRow("short chunked body")
        << chunked + "5\r\nhel" << false << 200 << QByteArray("hel") << false << false
        << QStringLiteral("middle of a chunked body");
    QTest::newRow("headers cut off") << ok + "Content-Le" << false << 200 << QByteArray() << false
                                     << false << QStringLiteral("middle of the response headers");
    QTest::newRow("no answer") << QByteArray() << false << 0 << QByteArray() << false << true
                               << QStringLiteral("without answering");
    QTest::newRow("headers too large")
        << ok + "X-Big: " + QByteArray(70000, 'a') + "\r\n\r\n"
        << false << 200 << QByteArray() << false << false << QStringLiteral("over 64 KiB");
    QTest::newRow("switching protocols")
        << QByteArray("HTTP/1.1 101 Switching Protocols\r\n\r\n") << false << 101 << QByteArray()
        << false << false << QStringLiteral("switched protocols");
    QTest::newRow("header without a name")
        << ok + ": x\r\n\r\n"
        << false << 200 << QByteArray() << false << false << QStringLiteral("has no name");
}

void TestHttp::responsesAreFramedAsSent()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, bodiless);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, completeBeforeEnd);
    QFETCH(bool, keepAlive);
    QFETCH(QString, error);
    // Whole, and a byte at a time: where a read ends must not change what is parsed.
    for (const qsizetype step : { std::max<qsizetype>(response.size(), 1), qsizetype(1) }) {
        const Parsed parsed = parse(response, bodiless, step);
        QVERIFY2(parsed.error.contains(error), qPrintable(parsed.error));
        QCOMPARE(parsed.ok, error.isEmpty());
        QCOMPARE(parsed.status, status);
        QCOMPARE(parsed.body, body);
        if (parsed.ok) {
            QCOMPARE(parsed.completeBeforeEnd, completeBeforeEnd);
            QCOMPARE(parsed.keepAlive, keepAlive);
        }
    }
}

void TestHttp::requestCarriesItsFieldsAndRefusesLineBreaks()
{
    const Fetched echoed = fetch(m_server->url(QStringLiteral("/echo?x=1%202")), "PUT");
    QCOMPARE(echoed.result.end, FetchEnd::Finished);
    QCOMPARE(echoed.result.head.status, 200);
    QVERIFY2(echoed.body.contains("\"method\": \"PUT\""), echoed.body.constData());
    QVERIFY2(echoed.body.contains("\"User-Agent\": \"Spool/0.1\""), echoed.body.constData());
    QCOMPARE(requestsTo(*m_server, QStringLiteral("/echo?x=1%202")).size(), 1);

    FetchRequest request;
    request.url = QUrl(m_server->url(QStringLiteral("/echo")));
    request.headers = { { "X-Evil", "a\r\nX-Injected: yes" } };
    const FetchResult refused = fetch(request).result;
    QCOMPARE(refused.end, FetchEnd::NetworkError);
    QVERIFY2(
        refused.errorText.contains(QLatin1String("line break")), qPrintable(refused.errorText));
}

void TestHttp::poolGivesBackOnlyOpenConnections()
{
    int open[2], closed[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, open), 0);
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, closed), 0);
    auto &pool = http::ConnectionPool::forThisThread();
    pool.keep(http::Connection(open[0], "open:1"));
    pool.keep(http::Connection(closed[0], "closed:1"));
    ::close(closed[1]); // the server's end goes while the connection is idle

    QVERIFY(!pool.take("closed:1")); // its end of file is seen, and it is dropped
    QVERIFY(!pool.take("other:1"));
    const std::optional<http::Connection> kept = pool.take("open:1");
    QVERIFY(kept);
    QCOMPARE(kept->fd(), open[0]);
    QVERIFY(!pool.take("open:1")); // taken once
    ::close(open[1]);
}

void TestHttp::keptAliveConnectionCarriesTheNextRequest()
{
    const QString first = QStringLiteral("/file?size=1000&seed=1&keep=a");
    const QString second = QStringLiteral("/file?size=2000&seed=2&keep=a");
    const Fetched one = fetch(m_server->url(first));
    const Fetched two = fetch(m_server->url(second));
    QCOMPARE(one.body, expectedContent(1000, 1));
    QCOMPARE(two.body, expectedContent(2000, 2));
    const QJsonArray a = requestsTo(*m_server, first);
    const QJsonArray b = requestsTo(*m_server, second);
    QCOMPARE(a.size(), 1);
    QCOMPARE(b.size(), 1);
    QCOMPARE(peerOf(b.first()), peerOf(a.first())); // one connection
}

void TestHttp::connectionTheServerClosedIsNotUsed()
{
    // The server closes after its answer without saying so, as after an idle timeout.
    const QString first = QStringLiteral("/file?size=100&closeafter=1&keep=b");
    const QString second = QStringLiteral("/file?size=300&seed=4&keep=b");
    QCOMPARE(fetch(m_server->url(first)).body, expectedContent(100));
    const Fetched two = fetch(m_server->url(second));
    QCOMPARE(two.result.end, FetchEnd::Finished);
    QCOMPARE(two.body, expectedContent(300, 4));
    const QJsonArray answered = requestsTo(*m_server, second);
    QVERIFY(!answered.isEmpty());
    QCOMPARE(answered.last().toObject().value(QStringLiteral("dropped")).toBool(), false);
    QVERIFY(peerOf(answered.last()) != peerOf(requestsTo(*m_server, first).first()));
}

void TestHttp::requestMetByACloseIsSentAgainOnce()
{
    // The server reads the next request on the kept connection and closes without an answer.
    const QString first = QStringLiteral("/file?size=100&dropnext=1&keep=c");
    const QString second = QStringLiteral("/file?size=500&seed=5&keep=c");
    QCOMPARE(fetch(m_server->url(first)).body, expectedContent(100));
    const Fetched two = fetch(m_server->url(second));
    QCOMPARE(two.result.end, FetchEnd::Finished);
    QCOMPARE(two.body, expectedContent(500, 5));
    const QJsonArray sent = requestsTo(*m_server, second);
    QCOMPARE(sent.size(), 2);
    QCOMPARE(sent.at(0).toObject().value(QStringLiteral("dropped")).toBool(), true);
    QCOMPARE(sent.at(1).toObject().value(QStringLiteral("dropped")).toBool(), false);
}

void TestHttp::postMetByACloseIsNotSentAgain()
{
    // A POST may have done its work before the close: sending it again is the caller's call.
    const QString first = QStringLiteral("/file?size=100&dropnext=1&keep=d");
    const QString second = QStringLiteral("/echo?keep=d");
    QCOMPARE(fetch(m_server->url(first)).body, expectedContent(100));
    const Fetched two = fetch(m_server->url(second), "POST");
    QCOMPARE(two.result.end, FetchEnd::NetworkError);
    QCOMPARE(two.result.error, QNetworkReply::RemoteHostClosedError);
    QVERIFY2(two.result.errorText.contains(QLatin1String("without answering")),
        qPrintable(two.result.errorText));
    QCOMPARE(requestsTo(*m_server, second).size(), 1);
}

void TestHttp::chunkedBodyArrivesWhole()
{
    const Fetched got = fetch(m_server->url(QStringLiteral("/file?size=300000&seed=6&chunked=1")));
    QCOMPARE(got.result.end, FetchEnd::Finished);
    QCOMPARE(got.result.head.status, 200);
    QCOMPARE(got.result.head.contentLength, -1);
    QCOMPARE(got.body.size(), 300000);
    QCOMPARE(got.body, expectedContent(300000, 6));
}

void TestHttp::cookiesSetOnARedirectGoToTheNextHop()
{
    const QString path = QStringLiteral("/cookie?size=700&seed=7");
    const Fetched got = fetch(m_server->url(path));
    QCOMPARE(got.result.end, FetchEnd::Finished);
    QCOMPARE(got.body, expectedContent(700, 7));
    const QJsonArray sent = requestsTo(*m_server, path);
    QCOMPARE(sent.size(), 2);
    QVERIFY(headerOf(sent.at(0), QStringLiteral("Cookie")).isUndefined());
    QCOMPARE(headerOf(sent.at(1), QStringLiteral("Cookie")).toString(), QStringLiteral("k=v"));

    // Another fetch (another job) starts without them: it is redirected again.
    QCOMPARE(fetch(m_server->url(path)).body, expectedContent(700, 7));
    QCOMPARE(requestsTo(*m_server, path).size(), 4);
}

void TestHttp::userCookiesAndTheFetchsGoTogether()
{
    // The user's Cookie (a credential, for its origin) does not keep the sign-in cookie away.
    const QString path = QStringLiteral("/cookie?size=800&seed=8");
    FetchRequest request;
    request.url = QUrl(m_server->url(path));
    request.credentials = { { "Cookie", "u=1" } };
    request.credentialOrigin = request.url;
    const Fetched got = fetch(request);
    QCOMPARE(got.result.end, FetchEnd::Finished);
    QCOMPARE(got.body, expectedContent(800, 8));
    const QJsonArray sent = requestsTo(*m_server, path);
    QCOMPARE(sent.size(), 2);
    QCOMPARE(headerOf(sent.at(0), QStringLiteral("Cookie")).toString(), QStringLiteral("u=1"));
    QCOMPARE(headerOf(sent.at(1), QStringLiteral("Cookie")).toString(), QStringLiteral("u=1; k=v"));
}

void TestHttp::hostHeaderStaysWithItsOrigin()
{
    // As curl: a Host header the user gave is not sent to the host a redirect leads to.
    FaultServer other;
    QVERIFY(other.isRunning());
    const QString target = other.url(QStringLiteral("/echo?host=1"));
    FetchRequest request;
    request.url = QUrl(m_server->url(
        QStringLiteral("/redirect?to=") + QString::fromLatin1(QUrl::toPercentEncoding(target))));
    request.headers = { { "Host", "named.example" } };
    const Fetched got = fetch(request);
    QCOMPARE(got.result.end, FetchEnd::Finished);
    QCOMPARE(got.result.head.url, QUrl(target));
    const QJsonObject echoed = QJsonDocument::fromJson(got.body).object();
    QCOMPARE(echoed.value(QStringLiteral("headers")).toObject().value(QStringLiteral("Host")),
        QJsonValue(QUrl(target).authority()));
    const QJsonArray first = m_server->requestsTo(QStringLiteral("/redirect?to="));
    QCOMPARE(first.size(), 1);
    QCOMPARE(headerOf(first.first(), QStringLiteral("Host")),
        QJsonValue(QStringLiteral("named.example")));
}

void TestHttp::noBodyBytesAfterAStop_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("with a length") << QStringLiteral("/file?size=20000000&keep=g");
    // Many chunks in one read: none is handed on after the stop.
    QTest::newRow("chunked") << QStringLiteral("/file?size=20000000&chunked=1&keep=h");
}

void TestHttp::noBodyBytesAfterAStop()
{
    // A body that arrives faster than it is written: the socket is never empty, and the stop
    // must still be seen at the next read.
    QFETCH(QString, query);
    FetchRequest request;
    request.url = QUrl(m_server->url(query));
    StopFlagContext context;
    int callsAfterTheStop = 0;
    const FetchResult result = HttpFetch::run(
        HttpFetch::threadNetwork(), request, context, {}, [&](const char *, qint64, QString *) {
            if (context.stop)
                ++callsAfterTheStop;
            context.stop = true;
            // Slow to write this chunk: the server fills the socket meanwhile, so the next read
            // finds bytes and never reaches the wait where a stop was seen before.
            QThread::msleep(200);
            return true;
        });
    QCOMPARE(result.end, FetchEnd::Stopped);
    QCOMPARE(callsAfterTheStop, 0);
}

void TestHttp::silentServerTimesOut()
{
    // 16 KiB, then 3 s of silence: a 300 ms transfer timeout ends it, with the reason.
    const Fetched got =
        fetch(m_server->url(QStringLiteral("/file?size=20000&drip=3000&keep=e")), "GET", 300);
    QCOMPARE(got.result.end, FetchEnd::NetworkError);
    QCOMPARE(got.result.error, QNetworkReply::OperationCanceledError);
    QVERIFY2(got.result.errorText.contains(QLatin1String("no data from the server")),
        qPrintable(got.result.errorText));
    QCOMPARE(got.body.size(), 16384);
}

void TestHttp::stopEndsAFetchMidBody()
{
    FetchRequest request;
    request.url = QUrl(m_server->url(QStringLiteral("/file?size=200000&drip=200&keep=f")));
    StopFlagContext context;
    qint64 received = 0;
    const FetchResult result = HttpFetch::run(HttpFetch::threadNetwork(), request, context, {},
        [&](const char *, qint64 size, QString *) {
            received += size;
            context.stop = true; // asked to stop once the body has started
            return true;
        });
    QCOMPARE(result.end, FetchEnd::Stopped);
    QVERIFY(received > 0);
    QVERIFY(received < 200000);
}

QTEST_GUILESS_MAIN(TestHttp)
#include "tst_http.moc"
