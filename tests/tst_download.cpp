// The download kind against a real HTTP server on 127.0.0.1 with fault modes
// (tests/servers/faultserver.py), run through the real queue.
#include <csignal>
#include <limits>

#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include "builtinkinds.h"
#include "downloadstate.h"
#include "faultserver.h"
#include "filenames.h"
#include "httpheaders.h"
#include "queue/jobqueueimpl.h"
#include "store/memoryjobstore.h"
#include "testkit.h"
#include "util/datadir.h"
#include "util/ids.h"
#include "util/outputfiles.h"

using namespace spool;
using namespace spool::test;

namespace {

QByteArray expectedContent(qint64 size, int seed = 0)
{
    QByteArray period(251, Qt::Uninitialized);
    for (int i = 0; i < 251; ++i)
        period[i] = char((i * 7 + seed) % 251);
    QByteArray out;
    out.reserve(size);
    while (out.size() < size)
        out += period.left(size - out.size());
    return out;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QString header(const QJsonValue &request, const QString &name)
{
    const QJsonObject headers = request.toObject().value(QStringLiteral("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        if (it.key().compare(name, Qt::CaseInsensitive) == 0)
            return it.value().toString();
    }
    return QString();
}

} // namespace

class TestDownload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void sanitizedNamesStayInside_data();
    void sanitizedNamesStayInside();
    void contentRangeIsChecked_data();
    void contentRangeIsChecked();
    void retryAfterIsParsed_data();
    void retryAfterIsParsed();
    void plainDownload_data();
    void plainDownload();
    void missingFoldersAreMade();
    void namesAreSanitized_data();
    void namesAreSanitized();
    void longNamesFitAndFailOnce();
    void neverOverwrites();
    void clientErrorsFailAtOnce();
    void serverErrorsAreRetried();
    void retryAfterIsHonoured_data();
    void retryAfterIsHonoured();
    void interruptedBodiesResume_data();
    void interruptedBodiesResume();
    void serverThatCannotResumeRestartsCleanly_data();
    void serverThatCannotResumeRestartsCleanly();
    void pauseKeepsThePartialAndCancelRemovesIt();
    void redirectsAreLimited_data();
    void redirectsAreLimited();
    void sizeCapIsEnforced_data();
    void sizeCapIsEnforced();
    void paginationWritesJsonLines_data();
    void paginationWritesJsonLines();
    void paginationResumesAtTheFailedPage();
    void notModifiedKeepsTheFile();
    void tornValidatorEntryCountsAsNone();
    void notModifiedNeverStandsForAnotherFile_data();
    void notModifiedNeverStandsForAnotherFile();
    void checksumMismatchFails();
    void unaskedEncodingIsSavedAsSent();
    void credentialsStayOutOfTheQueue();
    void credentialsStayWithTheirOrigin_data();
    void credentialsStayWithTheirOrigin();
    void paginationLoopStops();
    void plantedLinkIsNotFollowed_data();
    void plantedLinkIsNotFollowed();
    void killedAttemptsOutputIsFoundNotWrittenTwice_data();
    void killedAttemptsOutputIsFoundNotWrittenTwice();
    void canceledJobLeavesNoNoteBehind();
    void killedAttemptsValidatorsAreKept_data();
    void killedAttemptsValidatorsAreKept();
    void killedReplacementStillReplaces_data();
    void killedReplacementStillReplaces();
    void unusableNextLinkFails_data();
    void unusableNextLinkFails();
    void methodHeadersAndBody();
    void tlsErrorsFailWithTheReason();
    void killedRunnerResumesFromThePartialFile();
    void listOfUrlsIsOneTransaction();

private:
    JobRecord runJob(const QJsonObject &params, int maxAttempts = 5, int timeoutMs = 20000);
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }
    QString outDir() const { return m_dir->filePath(QStringLiteral("out")); }
    QStringList leftovers() const;
    QStringList workLeftovers() const; // what is in the queue's work folder
    // A download of `url` to `out` (3 attempts), queued while the queue is paused, so that the
    // test can lay out what an earlier attempt left; null if the queue would not pause.
    QUuid queueHeld(const QJsonObject &params);
    QString workDirOf(const QUuid &id) const; // as the queue names it

    std::unique_ptr<FaultServer> m_server;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<MemoryJobStore> m_store;
    std::unique_ptr<JobQueueImpl> m_queue;
    std::unique_ptr<Recorder> m_recorder;
};

void TestDownload::initTestCase()
{
    qputenv("SPOOL_SECRETS", "file"); // no keychain service on a test machine
    m_server = std::make_unique<FaultServer>();
    QVERIFY2(
        m_server->isRunning(), "the fault server did not start (python3 " FAULT_SERVER_PATH ")");
}

void TestDownload::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(QDir().mkpath(outDir()));
    auto registry = std::make_shared<JobKindRegistry>();
    registerBuiltinKinds(*registry, BuiltinSettings { dataDir(), outDir() });
    QueueConfig config;
    config.workers = 2;
    config.retry.baseDelayMs = 50;
    config.workRoot = QDir(dataDir()).filePath(QStringLiteral("work"));
    m_store = std::make_shared<MemoryJobStore>();
    m_queue = std::make_unique<JobQueueImpl>(m_store, registry, config);
    m_recorder = std::make_unique<Recorder>(m_queue.get());
    m_queue->start();
}

void TestDownload::cleanup()
{
    m_recorder.reset();
    m_queue.reset();
    m_store.reset();
    m_dir.reset();
}

JobRecord TestDownload::runJob(const QJsonObject &params, int maxAttempts, int timeoutMs)
{
    auto id = m_queue->enqueue(QStringLiteral("download"), params, maxAttempts);
    if (!id) {
        qWarning("%s", qPrintable(id.error().message));
        return {};
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs && !isFinishedState(m_recorder->state(id.value())))
        QTest::qWait(20);
    return m_recorder->record(id.value());
}

QUuid TestDownload::queueHeld(const QJsonObject &params)
{
    m_queue->setQueuePaused(true);
    if (!QTest::qWaitFor([this] { return m_recorder->queuePaused; }))
        return {};
    auto id = m_queue->enqueue(QStringLiteral("download"), params, 3);
    return id ? id.value() : QUuid();
}

QString TestDownload::workDirOf(const QUuid &id) const
{
    return QDir(QDir(dataDir()).filePath(QStringLiteral("work"))).filePath(idString(id));
}

QStringList TestDownload::workLeftovers() const
{
    return QDir(QDir(dataDir()).filePath(QStringLiteral("work")))
        .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
}

QStringList TestDownload::leftovers() const
{
    return QDir(outDir()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

void TestDownload::sanitizedNamesStayInside_data()
{
    QTest::addColumn<QString>("proposed");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("report.pdf") << QStringLiteral("report.pdf");
    QTest::newRow("traversal") << QStringLiteral("../../etc/passwd") << QStringLiteral("passwd");
    QTest::newRow("hidden") << QStringLiteral(".bashrc") << QStringLiteral("bashrc");
    QTest::newRow("only dots") << QStringLiteral("..") << QString();
    // Found by fuzz_file_names: dots behind control characters and spaces stayed leading.
    QTest::newRow("dots behind spaces")
        << QString::fromLatin1("\x2e\x1f\x2e\x7f \x2e\x1f\x2e\x7f (\x2e(\x2e")
        << QStringLiteral("(.(");
    QTest::newRow("dot space dot") << QStringLiteral(". .x") << QStringLiteral("x");
}

void TestDownload::sanitizedNamesStayInside()
{
    QFETCH(QString, proposed);
    QFETCH(QString, expected);
    QCOMPARE(filenames::sanitize(proposed), expected);
}

void TestDownload::contentRangeIsChecked_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("first"); // -1: refused
    QTest::addColumn<qint64>("total");
    QTest::newRow("whole") << QByteArray("bytes 0-99/100") << qint64(0) << qint64(100);
    QTest::newRow("tail") << QByteArray("bytes 50-99/100") << qint64(50) << qint64(100);
    QTest::newRow("unknown total") << QByteArray("bytes 5-9/*") << qint64(5) << qint64(-1);
    QTest::newRow("spaces") << QByteArray("  bytes  5-9/10 ") << qint64(5) << qint64(10);
    QTest::newRow("last before first") << QByteArray("bytes 9-5/10") << qint64(-1) << qint64(-1);
    QTest::newRow("last past total") << QByteArray("bytes 5-10/10") << qint64(-1) << qint64(-1);
    // Before, toLongLong() made 0 of a number too long for 64 bits: the body went to offset 0.
    QTest::newRow("overflow") << QByteArray("bytes 99999999999999999999-99999999999999999999/*")
                              << qint64(-1) << qint64(-1);
    QTest::newRow("unsatisfied form") << QByteArray("bytes */100") << qint64(-1) << qint64(-1);
    QTest::newRow("other unit") << QByteArray("items 0-1/2") << qint64(-1) << qint64(-1);
    QTest::newRow("empty") << QByteArray() << qint64(-1) << qint64(-1);
}

void TestDownload::contentRangeIsChecked()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, first);
    QFETCH(qint64, total);
    const auto range = http::parseContentRange(header);
    QCOMPARE(range.has_value(), first >= 0);
    if (range) {
        QCOMPARE(range->first, first);
        QCOMPARE(range->total, total);
    }
}

void TestDownload::retryAfterIsParsed_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<qint64>("ms"); // -1: none
    QTest::newRow("seconds") << QByteArray(" 120 ") << qint64(120000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    QTest::newRow("date in the past") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << qint64(0);
    QTest::newRow("date") << QByteArray("Mon, 01 Dec 2025 00:01:00 GMT") << qint64(60000);
    // Found by fuzz_http_headers: seconds * 1000 overflowed (UB) for a number this large.
    QTest::newRow("huge") << QByteArray("44444444444444441")
                          << std::numeric_limits<qint64>::max() / 1000 * 1000;
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
}

void TestDownload::retryAfterIsParsed()
{
    QFETCH(QByteArray, header);
    QFETCH(qint64, ms);
    constexpr qint64 now = 1764547200000; // 2025-12-01 00:00:00 UTC
    QCOMPARE(http::retryAfterMs(header, now), ms);
}

void TestDownload::plainDownload_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<qint64>("size");
    QTest::newRow("with Content-Length")
        << QStringLiteral("/file?size=300000&seed=3") << qint64(300000);
    QTest::newRow("without Content-Length")
        << QStringLiteral("/file?size=300000&seed=3&cl=0") << qint64(300000);
    QTest::newRow("empty") << QStringLiteral("/file?size=0") << qint64(0);
}

// A download into folders that do not exist yet makes them, as `curl --create-dirs` does.
void TestDownload::missingFoldersAreMade()
{
    const QString folder = QDir(outDir()).filePath(QStringLiteral("new/deeper"));
    const JobRecord r =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=1000")) },
            { QStringLiteral("dir"), folder } });
    QVERIFY2(r.state == JobState::Succeeded, qPrintable(r.error));
    QCOMPARE(r.output, QDir(folder).filePath(QStringLiteral("file")));
    QCOMPARE(readFile(r.output), expectedContent(1000));
    QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot),
        QStringList { QStringLiteral("file") });
}

void TestDownload::plainDownload()
{
    QFETCH(QString, query);
    QFETCH(qint64, size);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.output, QDir(outDir()).filePath(QStringLiteral("file")));
    QCOMPARE(
        readFile(r.output), expectedContent(size, query.contains(QLatin1String("seed=3")) ? 3 : 0));
    QCOMPARE(r.progress.unit, units::Bytes);
    QCOMPARE(r.progress.done, size);
    QCOMPARE(leftovers(), QStringList { QStringLiteral("file") }); // no temporary file left
    // Nor anything of the job's in the queue's work folder: no state, no delivery note.
    QCOMPARE(workLeftovers(), QStringList());
}

void TestDownload::namesAreSanitized_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("expected");
    QTest::newRow("path traversal")
        << QStringLiteral("/disposition?name=../../etc/passwd") << QStringLiteral("passwd");
    QTest::newRow("absolute") << QStringLiteral("/disposition?name=/tmp/evil.sh")
                              << QStringLiteral("evil.sh");
    QTest::newRow("hidden") << QStringLiteral("/disposition?name=.bashrc")
                            << QStringLiteral("bashrc");
    QTest::newRow("only dots") << QStringLiteral("/disposition?name=..")
                               << QStringLiteral("disposition");
    // Raw UTF-8 in filename="..." (against the letter of HTTP, common in practice); Latin-1
    // bytes that are not UTF-8 stay Latin-1.
    QTest::newRow("raw UTF-8") << QStringLiteral(
        "/disposition?rawhex="
        "6174746163686d656e743b2066696c656e616d653d2272c3a973756dc3a92e70646622")
                               << QStringLiteral("résumé.pdf");
    QTest::newRow("raw Latin-1") << QStringLiteral(
        "/disposition?rawhex=6174746163686d656e743b2066696c656e616d653d2272e973756de92e70646622")
                                 << QStringLiteral("résumé.pdf");
    QTest::newRow("RFC 8187") << QStringLiteral(
        "/disposition?raw=attachment%3B%20filename*%3DUTF-8%27%27r%25C3%25A9sum%25C3%25A9.pdf")
                              << QStringLiteral("résumé.pdf");
}

void TestDownload::namesAreSanitized()
{
    QFETCH(QString, query);
    QFETCH(QString, expected);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.output, QDir(outDir()).filePath(expected));
    QCOMPARE(leftovers(), QStringList { expected });
    QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/evil.sh"))
        || QFileInfo(QStringLiteral("/tmp/evil.sh"))
                .lastModified()
                .secsTo(QDateTime::currentDateTime())
            > 60);
}

// A name proposed by the server is cut to 200 bytes on whole characters (emoji are surrogate
// pairs in a QString); a --out name that fits the file system is written (its temporary name
// fits too); one that cannot fit fails once, not five times.
void TestDownload::longNamesFitAndFailOnce()
{
    QByteArray emoji;
    for (int i = 0; i < 80; ++i)
        emoji += "%F0%9F%98%80"; // U+1F600, 4 bytes
    const QString disposition = QString::fromLatin1(QUrl::toPercentEncoding(
        QString::fromLatin1("attachment; filename*=UTF-8''" + emoji + ".txt")));
    const JobRecord proposed = runJob({ { QStringLiteral("url"),
        m_server->url(QStringLiteral("/disposition?raw=") + disposition) } });
    QCOMPARE(proposed.state, JobState::Succeeded);
    const QString name = QFileInfo(proposed.output).fileName();
    QVERIFY2(QFile::encodeName(name).size() <= 200, qPrintable(name));
    QVERIFY2(name.endsWith(QStringLiteral("😀.txt")), qPrintable(name));
    QVERIFY(!name.contains(QChar::ReplacementCharacter));

    const QString fits =
        QDir(outDir()).filePath(QString(250, QLatin1Char('f')) + QStringLiteral(".bin"));
    const JobRecord written =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=100")) },
            { QStringLiteral("out"), fits } });
    QCOMPARE(written.state, JobState::Succeeded);
    QCOMPARE(written.output, fits);
    QCOMPARE(readFile(fits), expectedContent(100));

    const QString tooLong =
        QDir(outDir()).filePath(QString(252, QLatin1Char('g')) + QStringLiteral(".bin"));
    const JobRecord refused =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=100")) },
            { QStringLiteral("out"), tooLong } });
    QCOMPARE(refused.state, JobState::Failed);
    QCOMPARE(refused.attempts, 1);
    QVERIFY2(refused.error.contains(QLatin1String("256 bytes long")), qPrintable(refused.error));
    QCOMPARE(leftovers().size(), 2); // the two files, no temporary ones
}

void TestDownload::neverOverwrites()
{
    const QString existing = QDir(outDir()).filePath(QStringLiteral("file"));
    QFile f(existing);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("mine");
    f.close();
    const JobRecord first =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=10")) } });
    const JobRecord second =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=10")) } });
    QCOMPARE(first.output, QDir(outDir()).filePath(QStringLiteral("file (1)")));
    QCOMPARE(second.output, QDir(outDir()).filePath(QStringLiteral("file (2)")));
    QCOMPARE(readFile(existing), QByteArray("mine"));
}

void TestDownload::clientErrorsFailAtOnce()
{
    const JobRecord r =
        runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/status?code=404")) } });
    QCOMPARE(r.state, JobState::Failed);
    QCOMPARE(r.attempts, 1);
    QVERIFY2(r.error.startsWith(QLatin1String("HTTP 404 Not Found")), qPrintable(r.error));
    QVERIFY(leftovers().isEmpty());
}

void TestDownload::serverErrorsAreRetried()
{
    const JobRecord r = runJob({ { QStringLiteral("url"),
        m_server->url(QStringLiteral("/flaky?key=5xx&fail=2&code=500&size=5000")) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.attempts, 3);
    QCOMPARE(readFile(r.output), expectedContent(5000));
    const JobRecord busy = runJob({ { QStringLiteral("url"),
        m_server->url(QStringLiteral("/flaky?key=busy&fail=1&code=503&size=10")) } });
    QCOMPARE(busy.state, JobState::Succeeded);
    QCOMPARE(busy.attempts, 2);
}

void TestDownload::retryAfterIsHonoured_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("429, seconds") << QStringLiteral("/retry?key=s429&code=429&after=1&size=10");
    QTest::newRow("503, HTTP-date")
        << QStringLiteral("/retry?key=d503&code=503&after=date:2&size=10");
}

void TestDownload::retryAfterIsHonoured()
{
    QFETCH(QString, query);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.attempts, 2);
    const QString key = query.section(QLatin1Char('='), 1, 1).section(QLatin1Char('&'), 0, 0);
    const QJsonArray requests = m_server->requestsTo(QStringLiteral("/retry?key=") + key);
    QCOMPARE(requests.size(), 2);
    const double waited = requests.at(1).toObject().value(QStringLiteral("time")).toDouble()
        - requests.at(0).toObject().value(QStringLiteral("time")).toDouble();
    // An HTTP-date has one-second resolution, so "in 2 s" may mean a little over 1 s.
    QVERIFY2(waited >= 0.95, qPrintable(QString::number(waited)));
}

void TestDownload::interruptedBodiesResume_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("connection reset") << QStringLiteral("/reset?key=rst&size=1500000&at=700000");
    QTest::newRow("truncated body") << QStringLiteral("/truncate?key=trunc&size=1500000&at=700000");
}

void TestDownload::interruptedBodiesResume()
{
    // Over 1 MiB: worth resuming (a smaller download simply starts over).
    QFETCH(QString, query);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.attempts, 2);
    QCOMPARE(readFile(r.output), expectedContent(1500000));
    const QJsonArray requests = m_server->requestsTo(query.section(QLatin1Char('&'), 0, 0));
    // Two attempts; Qt may also resend a request once by itself when a kept-alive connection
    // turns out closed (seen under TSan on a loaded machine), so at least two requests.
    QVERIFY2(requests.size() >= 2, qPrintable(QString::number(requests.size())));
    const QJsonValue resumed = requests.at(requests.size() - 1);
    // Resumed, not restarted (after a reset the kernel drops what was unread, so where exactly
    // depends on timing).
    const qint64 resumedAt = header(resumed, QStringLiteral("Range"))
                                 .mid(6)
                                 .section(QLatin1Char('-'), 0, 0)
                                 .toLongLong();
    QVERIFY2(
        resumedAt > 0 && resumedAt <= 700000, qPrintable(header(resumed, QStringLiteral("Range"))));
    QVERIFY(!header(resumed, QStringLiteral("If-Range")).isEmpty());
}

void TestDownload::serverThatCannotResumeRestartsCleanly_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<qint64>("maxBytes"); // -1: none
    QTest::newRow("no cap") << QStringLiteral("norange") << qint64(-1);
    // 500,000 kept + 1,500,000 anew would pass 1,600,000: the whole new body counts from zero.
    QTest::newRow("a cap above the file") << QStringLiteral("norangecap") << qint64(1600000);
}

void TestDownload::serverThatCannotResumeRestartsCleanly()
{
    QFETCH(QString, key);
    QFETCH(qint64, maxBytes);
    // Cut off first (reset), then a server that ignores Range: the second attempt starts over.
    const QString query = QStringLiteral("/reset?key=%1&size=1500000&at=500000&range=0").arg(key);
    QJsonObject params { { QStringLiteral("url"), m_server->url(query) } };
    if (maxBytes > 0)
        params.insert(QStringLiteral("maxBytes"), maxBytes);
    const JobRecord r = runJob(params);
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(readFile(r.output), expectedContent(1500000));
    QCOMPARE(r.attempts, 2);
    // The job's second attempt asked for the rest and got the whole body back. Qt may resend
    // the first GET once by itself when the reset drops the bytes it had not read yet (seen
    // under load: an identical request 16 ms later), so only the last request is the resume.
    const QJsonArray requests = m_server->requestsTo(QStringLiteral("/reset?key=%1&").arg(key));
    const QByteArray log = QJsonDocument(requests).toJson(QJsonDocument::Compact);
    QVERIFY2(requests.size() >= 2, log.constData());
    QVERIFY2(header(requests.last(), QStringLiteral("Range")).startsWith(QLatin1String("bytes=")),
        log.constData());
    for (qsizetype i = 0; i + 1 < requests.size(); ++i)
        QVERIFY2(header(requests.at(i), QStringLiteral("Range")).isEmpty(), log.constData());
}

void TestDownload::pauseKeepsThePartialAndCancelRemovesIt()
{
    // 24 s of dripping: the download is still running when the test cancels it, however slow
    // the machine (2 MB, 2.4 s, had to hold all of what follows).
    const QString url = m_server->url(QStringLiteral("/file?size=20000000&etag=p1&drip=20"));
    auto id = m_queue->enqueue(QStringLiteral("download"), { { QStringLiteral("url"), url } });
    QVERIFY(id.ok());
    QTRY_VERIFY(m_recorder->lastProgress.value(id.value()).progress.done > 100000);
    m_queue->pause(id.value());
    QTRY_COMPARE(m_recorder->state(id.value()), JobState::Paused);
    QStringList partial = leftovers();
    QCOMPARE(partial.size(), 1);
    QVERIFY(partial.first().endsWith(QLatin1String(".part")));
    const qint64 kept = QFileInfo(QDir(outDir()).filePath(partial.first())).size();
    QVERIFY(kept > 100000);

    m_queue->resume(id.value());
    QTRY_COMPARE(m_recorder->state(id.value()), JobState::Running);
    QTRY_VERIFY(m_server->requestsTo(QStringLiteral("/file?size=20000000&etag=p1")).size() == 2);
    const QJsonArray requests = m_server->requestsTo(QStringLiteral("/file?size=20000000&etag=p1"));
    QVERIFY(header(requests.at(1), QStringLiteral("Range")).startsWith(QLatin1String("bytes=")));
    QVERIFY(header(requests.at(1), QStringLiteral("Range"))
                .mid(6)
                .section(QLatin1Char('-'), 0, 0)
                .toLongLong()
        >= kept);

    m_queue->cancel(id.value());
    QTRY_COMPARE(m_recorder->state(id.value()), JobState::Canceled);
    QTRY_VERIFY2(leftovers().isEmpty(),
        qPrintable(leftovers().join(QLatin1Char(' ')))); // no half-written file
}

void TestDownload::redirectsAreLimited_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("reason");
    QTest::newRow("loop") << QStringLiteral("/loop") << QStringLiteral("too many redirects");
    QTest::newRow("to ftp") << QStringLiteral("/redirect?to=ftp://127.0.0.1/x")
                            << QStringLiteral("not an http or https URL");
    QTest::newRow("21 in a row") << QStringLiteral("/chain?n=21")
                                 << QStringLiteral("too many redirects");
    QTest::newRow("20 in a row") << QStringLiteral("/chain?n=20") << QString();
}

void TestDownload::redirectsAreLimited()
{
    QFETCH(QString, query);
    QFETCH(QString, reason);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) } });
    if (reason.isEmpty()) {
        QCOMPARE(r.state, JobState::Succeeded); // 20 is allowed
        return;
    }
    QCOMPARE(r.state, JobState::Failed);
    QVERIFY2(r.error.contains(reason, Qt::CaseInsensitive), qPrintable(r.error));
    QVERIFY(leftovers().isEmpty());
    if (query == QLatin1String("/loop")) {
        QCOMPARE(r.attempts,
            1); // not worth retrying
                // It stops: about 21 requests (/loop and /loop2), a few more if Qt re-sent one on a
        // fresh connection.
        QVERIFY(m_server->requestsTo(QStringLiteral("/loop")).size() <= 45);
    }
}

void TestDownload::sizeCapIsEnforced_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("declared too large") << QStringLiteral("/huge?cl=1");
    QTest::newRow("streams past the cap") << QStringLiteral("/huge?cl=0");
}

void TestDownload::sizeCapIsEnforced()
{
    QFETCH(QString, query);
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) },
        { QStringLiteral("maxBytes"), 3 << 20 } });
    QCOMPARE(r.state, JobState::Failed);
    QCOMPARE(r.attempts, 1);
    QVERIFY2(r.error.contains(QLatin1String("limit of 3145728 bytes")), qPrintable(r.error));
    QTRY_VERIFY(leftovers().isEmpty());
    // The transfer stops with the job: nothing goes on reading the 10 GiB in the background.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->inFlightNow(), 0, 10000);
}

void TestDownload::plantedLinkIsNotFollowed_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("paginate");
    QTest::newRow("file") << QStringLiteral("/file?size=5000") << QString();
    QTest::newRow("pages") << QStringLiteral("/pages/json?page=1&n=2")
                           << QStringLiteral("json:links.next");
}

// In a folder others can write to, a symbolic link planted at the job's (predictable)
// temporary name must not send the download into another file: the job fails naming the link,
// and the file the link points at is untouched (it was truncated and overwritten).
void TestDownload::plantedLinkIsNotFollowed()
{
    QFETCH(QString, query);
    QFETCH(QString, paginate);
    const QString victim = m_dir->filePath(QStringLiteral("precious.txt"));
    {
        QFile f(victim);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    QVERIFY(QDir().mkpath(outDir()));
    const QString out = QDir(outDir()).filePath(QStringLiteral("wanted.bin"));
    m_queue->setQueuePaused(true);
    QTRY_VERIFY(m_recorder->queuePaused); // nothing starts before the link is in place
    QJsonObject params { { QStringLiteral("url"), m_server->url(query) },
        { QStringLiteral("out"), out } };
    if (!paginate.isEmpty())
        params.insert(QStringLiteral("paginate"), paginate);
    const QUuid id = m_queue->enqueue(QStringLiteral("download"), params, 1).value();
    const QString temporary = outputfiles::temporaryPathFor(out, idString(id).left(8));
    QVERIFY(QFile::link(victim, temporary));
    m_queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(isFinishedState(m_recorder->state(id)), 20000);
    const JobRecord r = m_recorder->record(id);
    QCOMPARE(r.state, JobState::Failed);
    QVERIFY2(r.error.contains(QLatin1String("symbolic link")), qPrintable(r.error));
    QCOMPARE(readFile(victim), QByteArray("keep me"));
    QVERIFY(!QFileInfo::exists(out));
}

void TestDownload::killedAttemptsOutputIsFoundNotWrittenTwice_data()
{
    QTest::addColumn<QString>("killed"); // where the earlier attempt was killed
    QTest::addColumn<bool>("nameTaken"); // a file of the user's already had the name
    QTest::addColumn<QString>("expected"); // the job's output, in the output folder
    QTest::addColumn<bool>("fetchedAgain");
    QTest::newRow("after the rename")
        << QStringLiteral("renamed") << false << QStringLiteral("wanted.bin") << false;
    QTest::newRow("after the rename, beside a file of the name")
        << QStringLiteral("renamed") << true << QStringLiteral("wanted (1).bin") << false;
    QTest::newRow("after the whole delivery")
        << QStringLiteral("delivered") << false << QStringLiteral("wanted.bin") << false;
    QTest::newRow("before the rename")
        << QStringLiteral("before") << false << QStringLiteral("wanted.bin") << true;
    QTest::newRow("after the rename, beside a file of the name the user then removed")
        << QStringLiteral("theirs removed") << true << QStringLiteral("wanted (1).bin") << false;
    QTest::newRow("after the rename, the file since removed")
        << QStringLiteral("removed") << false << QStringLiteral("wanted.bin") << true;
    // The note is written in place: a kill while writing it leaves it torn.
    QTest::newRow("while writing the note")
        << QStringLiteral("writing the note") << false << QStringLiteral("wanted.bin") << true;
    // Older builds wrote it beside and renamed it; notes were kept in the job's work folder
    // before they went beside it.
    QTest::newRow("while an older build wrote the note")
        << QStringLiteral("writing the note beside") << false << QStringLiteral("wanted.bin")
        << true;
    QTest::newRow("after the rename, the note where older builds kept it")
        << QStringLiteral("renamed, note in the folder") << false << QStringLiteral("wanted.bin")
        << false;
}

// An attempt killed after moving its file into place, before the queue heard of it: the next
// attempt finds the file instead of downloading it again beside it as "wanted (1).bin" (the soak
// test met this). One killed before the rename, or whose file is gone, downloads it again.
void TestDownload::killedAttemptsOutputIsFoundNotWrittenTwice()
{
    QFETCH(QString, killed);
    QFETCH(bool, nameTaken);
    QFETCH(QString, expected);
    QFETCH(bool, fetchedAgain);
    const QString out = QDir(outDir()).filePath(QStringLiteral("wanted.bin"));
    if (nameTaken)
        QVERIFY(writeFile(out, "the user's own"));
    const QString query = QStringLiteral("/file?size=100&killed=")
        + QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(QTest::currentDataTag())));
    const QUuid id = queueHeld(
        { { QStringLiteral("url"), m_server->url(query) }, { QStringLiteral("out"), out } });
    QVERIFY(!id.isNull());

    // The earlier attempt, up to where it was killed.
    const QString workDir = workDirOf(id);
    const QString temporary = outputfiles::temporaryPathFor(out, idString(id).left(8));
    QVERIFY(writeFile(temporary, "the earlier attempt's bytes"));
    if (killed == QLatin1String("delivered")) {
        QVERIFY(outputfiles::deliver(temporary, out, workDir));
    } else {
        QVERIFY(outputfiles::noteDelivery(temporary, out, workDir));
        const QString note = workDir + QStringLiteral(".delivery.json");
        if (killed != QLatin1String("before") && !killed.startsWith(QLatin1String("writing")))
            QVERIFY(outputfiles::moveIntoPlace(temporary, out));
        if (killed == QLatin1String("writing the note")) {
            QFile torn(note);
            QVERIFY(torn.resize(torn.size() / 2));
        }
        if (killed == QLatin1String("writing the note beside"))
            QVERIFY(QFile::rename(note, note + QStringLiteral(".new"))); // never renamed
        if (killed == QLatin1String("renamed, note in the folder")) {
            QVERIFY(QDir().mkpath(workDir));
            QVERIFY(QFile::rename(workDir + QStringLiteral(".delivery.json"),
                workDir + QStringLiteral("/delivery.json")));
        }
        if (killed == QLatin1String("removed"))
            QVERIFY(QFile::remove(out));
        if (killed == QLatin1String("theirs removed"))
            QVERIFY(QFile::remove(out)); // the name the rename passed over is free again
    }

    m_queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(isFinishedState(m_recorder->state(id)), 20000);
    const JobRecord r = m_recorder->record(id);
    QVERIFY2(r.state == JobState::Succeeded, qPrintable(r.error));
    QCOMPARE(r.output, QDir(outDir()).filePath(expected));
    QCOMPARE(m_server->requestsTo(query).size(), fetchedAgain ? 1 : 0);
    QCOMPARE(readFile(r.output),
        fetchedAgain ? expectedContent(100) : QByteArray("the earlier attempt's bytes"));
    QStringList files; // and nothing else: no temporary file
    if (nameTaken)
        files << QStringLiteral("wanted (1).bin"); // in the listing's order
    if (killed != QLatin1String("theirs removed"))
        files << QStringLiteral("wanted.bin");
    QCOMPARE(leftovers(), files);
    // Nor anything the earlier attempt kept in the queue's work folder once the job is over.
    QCOMPARE(workLeftovers(), QStringList());
}

// A note is kept beside the job's work folder, not in it: when the job is over, its note goes too,
// and so does the file of one killed while it wrote it (the next attempt, canceled here, never
// wrote a note of its own over it).
void TestDownload::canceledJobLeavesNoNoteBehind()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("wanted.bin"));
    const QUuid id =
        queueHeld({ { QStringLiteral("url"), m_server->url(QStringLiteral("/file?size=100")) },
            { QStringLiteral("out"), out } });
    QVERIFY(!id.isNull());
    const QString note = workDirOf(id) + QStringLiteral(".delivery.json");
    QVERIFY(QDir().mkpath(QFileInfo(note).absolutePath()));
    QVERIFY(writeFile(note, "{}"));
    QVERIFY(writeFile(note + QStringLiteral(".new"), "{\"from\":"));
    m_queue->cancel(id);
    QTRY_COMPARE(m_recorder->state(id), JobState::Canceled);
    QCOMPARE(workLeftovers(), QStringList());
}

// Where a killed attempt kept its state: in the state file (a large download, saved before its
// first byte), or only in its delivery's note (a small one).
static void stateKeptRows()
{
    QTest::addColumn<bool>("inTheNote");
    QTest::newRow("state file") << false;
    QTest::newRow("state in the delivery's note") << true;
}

void TestDownload::killedAttemptsValidatorsAreKept_data()
{
    stateKeptRows();
}

// The attempt that finds a killed one's file stores the server's validators, as the killed one
// would have: fetching the URL to the same place again asks "only if changed" and keeps the file,
// rather than downloading it beside it.
void TestDownload::killedAttemptsValidatorsAreKept()
{
    QFETCH(bool, inTheNote);
    const QString out = QDir(outDir()).filePath(QStringLiteral("wanted.bin"));
    const QString query = QStringLiteral("/file?size=100&etag=kept&note=%1").arg(inTheNote);
    const QJsonObject params { { QStringLiteral("url"), m_server->url(query) },
        { QStringLiteral("out"), out } };
    const QUuid id = queueHeld(params);
    QVERIFY(!id.isNull());

    // The earlier attempt: the whole file, its state saved, killed after the rename.
    const QString workDir = workDirOf(id);
    DownloadState state;
    state.temporaryPath = outputfiles::temporaryPathFor(out, idString(id).left(8));
    state.finalPath = out;
    state.etag = "\"kept\"";
    state.totalBytes = 100;
    QVERIFY(QDir().mkpath(workDir) && (inTheNote || state.save(workDir)));
    QVERIFY(writeFile(state.temporaryPath, expectedContent(100)));
    QVERIFY(outputfiles::noteDelivery(
        state.temporaryPath, out, workDir, inTheNote ? state.toJson() : QJsonObject()));
    QVERIFY(outputfiles::moveIntoPlace(state.temporaryPath, out));
    m_queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(isFinishedState(m_recorder->state(id)), 20000);
    QCOMPARE(m_recorder->record(id).output, out);

    const JobRecord again = runJob(params);
    QVERIFY2(again.state == JobState::Succeeded, qPrintable(again.error));
    QCOMPARE(again.output, out);
    const QJsonArray requests = m_server->requestsTo(query);
    QCOMPARE(requests.size(), 1);
    QCOMPARE(header(requests.first(), QStringLiteral("If-None-Match")), QStringLiteral("\"kept\""));
    QCOMPARE(leftovers(), QStringList { QStringLiteral("wanted.bin") });
}

void TestDownload::killedReplacementStillReplaces_data()
{
    stateKeptRows();
}

// A download that replaces this URL's earlier file (a newer version; the old one unchanged), killed
// about the rename: the next attempt (from its saved state, or anew) replaces the file too, rather
// than putting the new version beside it as "wanted (1).bin".
void TestDownload::killedReplacementStillReplaces()
{
    QFETCH(bool, inTheNote);
    const QString out = QDir(outDir()).filePath(QStringLiteral("wanted.bin"));
    const QString query = QStringLiteral("/file?size=100&etag=new&note=%1").arg(inTheNote);
    // The earlier download of the URL: its file, and its validators, since replaced on the server.
    QVERIFY(writeFile(out, "the old version"));
    const QFileInfo old(out);
    ValidatorCache(dataDir()).store(QUrl(m_server->url(query)).toString(), out,
        { out, "\"old\"", QByteArray(), old.size(), old.lastModified().toMSecsSinceEpoch() });
    const QUuid id = queueHeld(
        { { QStringLiteral("url"), m_server->url(query) }, { QStringLiteral("out"), out } });
    QVERIFY(!id.isNull());
    // The attempt that fetched the new version: all of it, its state saved, killed just before
    // the rename.
    const QString workDir = workDirOf(id);
    DownloadState state;
    state.temporaryPath = outputfiles::temporaryPathFor(out, idString(id).left(8));
    state.finalPath = out;
    state.etag = "\"new\"";
    state.totalBytes = 100;
    state.replacesOwnFile = true;
    QVERIFY(QDir().mkpath(workDir) && (inTheNote || state.save(workDir)));
    QVERIFY(writeFile(state.temporaryPath, expectedContent(100)));
    QVERIFY(outputfiles::noteDelivery(
        state.temporaryPath, out, workDir, inTheNote ? state.toJson() : QJsonObject()));

    m_queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(isFinishedState(m_recorder->state(id)), 20000);
    const JobRecord r = m_recorder->record(id);
    QVERIFY2(r.state == JobState::Succeeded, qPrintable(r.error));
    QCOMPARE(r.output, out);
    QCOMPARE(readFile(out), expectedContent(100));
    QCOMPARE(leftovers(), QStringList { QStringLiteral("wanted.bin") });
    // Finished from the killed attempt's whole file: asked only for what comes after it.
    const QJsonArray requests = m_server->requestsTo(query);
    QCOMPARE(requests.size(), 1);
    QCOMPARE(header(requests.first(), QStringLiteral("Range")), QStringLiteral("bytes=100-"));
}

void TestDownload::unusableNextLinkFails_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("mode");
    QTest::newRow("Link header") << QStringLiteral("/pages/link") << QStringLiteral("link");
    QTest::newRow("JSON field") << QStringLiteral("/pages/json")
                                << QStringLiteral("json:links.next");
}

// A next link whose host is not a host: the job fails saying so (it succeeded with one page).
void TestDownload::unusableNextLinkFails()
{
    QFETCH(QString, route);
    QFETCH(QString, mode);
    const JobRecord r = runJob({ { QStringLiteral("url"),
                                     m_server->url(route + QStringLiteral("?page=1&n=3&base=")
                                         + QString::fromLatin1(QUrl::toPercentEncoding(
                                             QStringLiteral("http://bad host")))) },
                                   { QStringLiteral("paginate"), mode },
                                   { QStringLiteral("name"), QStringLiteral("pages.jsonl") } },
        1);
    QCOMPARE(r.state, JobState::Failed);
    QVERIFY2(r.error.contains(QLatin1String("next link is not a usable URL")), qPrintable(r.error));
    QVERIFY(!QFileInfo::exists(QDir(outDir()).filePath(QStringLiteral("pages.jsonl"))));
}

void TestDownload::paginationWritesJsonLines_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("mode");
    QTest::newRow("Link header") << QStringLiteral("/pages/link?page=1&n=4")
                                 << QStringLiteral("link");
    QTest::newRow("JSON field") << QStringLiteral("/pages/json?page=1&n=4")
                                << QStringLiteral("json:links.next");
}

void TestDownload::paginationWritesJsonLines()
{
    QFETCH(QString, query);
    QFETCH(QString, mode);
    const QString out = QDir(outDir()).filePath(QStringLiteral("pages.jsonl"));
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(query) },
        { QStringLiteral("paginate"), mode }, { QStringLiteral("out"), out } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.output, out);
    const QList<QByteArray> lines = readFile(out).trimmed().split('\n');
    QCOMPARE(lines.size(), 4);
    for (int i = 0; i < 4; ++i) {
        const QJsonObject page = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(page.value(QStringLiteral("page")).toInt(), i + 1);
        QCOMPARE(page.value(QStringLiteral("items")).toArray().size(), 3);
    }
    QCOMPARE(r.progress.done, 4);
}

void TestDownload::paginationResumesAtTheFailedPage()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("resumed.jsonl"));
    const JobRecord r =
        runJob({ { QStringLiteral("url"),
                     m_server->url(QStringLiteral("/pages/json?page=1&n=5&failat=3&key=resume")) },
            { QStringLiteral("paginate"), QStringLiteral("json:links.next") },
            { QStringLiteral("out"), out } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(r.attempts, 2);
    QCOMPARE(readFile(out).trimmed().split('\n').size(), 5);
    // Pages 1 and 2 were fetched once: the retry continued from page 3.
    QCOMPARE(
        m_server->requestsTo(QStringLiteral("/pages/json?page=1&n=5&failat=3&key=resume")).size(),
        1);
    QCOMPARE(
        m_server->requestsTo(QStringLiteral("/pages/json?page=2&n=5&failat=3&key=resume")).size(),
        1);
    QCOMPARE(
        m_server->requestsTo(QStringLiteral("/pages/json?page=3&n=5&failat=3&key=resume")).size(),
        2);
}

void TestDownload::notModifiedKeepsTheFile()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("tagged.bin"));
    const QString url = m_server->url(QStringLiteral("/file?size=4000&etag=v7"));
    const JobRecord first =
        runJob({ { QStringLiteral("url"), url }, { QStringLiteral("out"), out } });
    QCOMPARE(first.state, JobState::Succeeded);
    const QDateTime written = QFileInfo(out).lastModified();
    const JobRecord again =
        runJob({ { QStringLiteral("url"), url }, { QStringLiteral("out"), out } });
    QCOMPARE(again.state, JobState::Succeeded);
    QCOMPARE(again.output, out);
    QCOMPARE(QFileInfo(out).lastModified(), written);
    // Done says the file's size, not "0 bytes" (the app adds "up to date" from the log).
    QCOMPARE(again.progress.done, 4000);
    QCOMPARE(again.progress.total, 4000);
    QCOMPARE(again.progress.unit, units::Bytes);
    QCOMPARE(leftovers(), QStringList { QStringLiteral("tagged.bin") });
    const QJsonArray requests = m_server->requestsTo(QStringLiteral("/file?size=4000&etag=v7"));
    QCOMPARE(requests.size(), 2);
    QCOMPARE(header(requests.at(1), QStringLiteral("If-None-Match")), QStringLiteral("\"v7\""));
}

// The validator cache is written in place (no temporary file and rename a download): an entry
// torn by a crash, or by two writers at once, does not parse and counts as none: the file is
// fetched in full, never taken for unchanged, and the entry is written whole again.
void TestDownload::tornValidatorEntryCountsAsNone()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("tagged.bin"));
    const QString path = QStringLiteral("/file?size=4000&etag=v8");
    const QString url = m_server->url(path);
    const QJsonObject params { { QStringLiteral("url"), url }, { QStringLiteral("out"), out } };
    QCOMPARE(runJob(params).state, JobState::Succeeded);
    const QDir cache(QDir(dataDir()).filePath(QStringLiteral("validators")));
    const QStringList entries = cache.entryList(QDir::Files);
    QCOMPARE(entries.size(), 1);
    const QString entry = cache.filePath(entries.first());
    const QByteArray whole = readFile(entry);
    QVERIFY(whole.contains("v8"));
    QVERIFY(writeFile(entry, whole.left(whole.size() - 2))); // the end went missing

    const JobRecord again = runJob(params);
    QCOMPARE(again.state, JobState::Succeeded);
    QCOMPARE(readFile(again.output), expectedContent(4000)); // beside the first: never replaced
    const QJsonArray requests = m_server->requestsTo(path);
    QCOMPARE(requests.size(), 2);
    QCOMPARE(header(requests.at(1), QStringLiteral("If-None-Match")), QString());
    // Written whole again, for the next fetch.
    QCOMPARE(cache.entryList(QDir::Files), entries);
    const QJsonObject rewritten = QJsonDocument::fromJson(readFile(entry)).object();
    QCOMPARE(rewritten.value(QStringLiteral("etag")).toString(), QStringLiteral("\"v8\""));
    QCOMPARE(rewritten.value(QStringLiteral("path")).toString(), again.output);
}

void TestDownload::notModifiedNeverStandsForAnotherFile_data()
{
    // How each of two jobs names its file in outDir(): "out:N" (--out), "name:N" (--name), or
    // "" (the server's name, "file"); and the second job's file.
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<QString>("secondFile");
    QTest::newRow("--out a, then --out b") << "out:a.txt"
                                           << "out:b.txt"
                                           << "b.txt";
    QTest::newRow("--name a, then --name b") << "name:a.txt"
                                             << "name:b.txt"
                                             << "b.txt";
    QTest::newRow("the server's name, then --name b") << ""
                                                      << "name:b.txt"
                                                      << "b.txt";
    QTest::newRow("--name a, then the server's name") << "name:a.txt"
                                                      << ""
                                                      << "file";
}

// A 304 may only skip the transfer when the job's own file already holds those bytes: a job
// that succeeds must have its output where the user asked (a second name used to get the first
// name's file as its output, and was never written).
void TestDownload::notModifiedNeverStandsForAnotherFile()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(QString, secondFile);
    const QString url = m_server->url(QStringLiteral("/file?size=4000&etag=v9&seed=5"));
    const auto params = [&](const QString &naming) {
        QJsonObject p { { QStringLiteral("url"), url }, { QStringLiteral("dir"), outDir() } };
        if (naming.startsWith(QLatin1String("out:")))
            p.insert(QStringLiteral("out"), QDir(outDir()).filePath(naming.mid(4)));
        else if (naming.startsWith(QLatin1String("name:")))
            p.insert(QStringLiteral("name"), naming.mid(5));
        return p;
    };
    QCOMPARE(runJob(params(first)).state, JobState::Succeeded);
    const JobRecord again = runJob(params(second));
    QCOMPARE(again.state, JobState::Succeeded);
    const QString expected = QDir(outDir()).filePath(secondFile);
    QCOMPARE(again.output, expected);
    QCOMPARE(readFile(expected), expectedContent(4000, 5));
    QCOMPARE(leftovers().size(), 2); // both files, no temporary one
}

// Spool asks for identity; a server that encodes anyway gets its bytes saved as sent (the
// checksum is of those bytes), and the log says so.
void TestDownload::unaskedEncodingIsSavedAsSent()
{
    const QByteArray body = expectedContent(3000, 4);
    const JobRecord r =
        runJob({ { QStringLiteral("url"),
                     m_server->url(QStringLiteral("/file?size=3000&seed=4&ce=gzip")) },
            { QStringLiteral("sha256"),
                QString::fromLatin1(
                    QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()) } });
    QCOMPARE(r.state, JobState::Succeeded);
    QCOMPARE(readFile(r.output), body);
    bool noted = false;
    for (const JobEvent &e : m_store->events(r.id).value())
        noted = noted || e.detail.contains(QLatin1String("gzip-encoded bytes"));
    QVERIFY(noted);
    const QJsonArray requests =
        m_server->requestsTo(QStringLiteral("/file?size=3000&seed=4&ce=gzip"));
    QCOMPARE(
        header(requests.last(), QStringLiteral("Accept-Encoding")), QStringLiteral("identity"));
}

void TestDownload::checksumMismatchFails()
{
    const QString url = m_server->url(QStringLiteral("/file?size=1000"));
    const JobRecord wrong = runJob({ { QStringLiteral("url"), url },
        { QStringLiteral("sha256"), QString(64, QLatin1Char('0')) } });
    QCOMPARE(wrong.state, JobState::Failed);
    QVERIFY2(wrong.error.startsWith(QLatin1String("SHA-256 mismatch")), qPrintable(wrong.error));
    QTRY_VERIFY(leftovers().isEmpty());
    const QString good = QString::fromLatin1(
        QCryptographicHash::hash(expectedContent(1000), QCryptographicHash::Sha256).toHex());
    const JobRecord right =
        runJob({ { QStringLiteral("url"), url }, { QStringLiteral("sha256"), good.toUpper() } });
    QCOMPARE(right.state, JobState::Succeeded);
}

void TestDownload::credentialsStayOutOfTheQueue()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("echo.json"));
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/echo")) },
        { QStringLiteral("out"), out },
        { QStringLiteral("header"),
            QJsonArray { QStringLiteral("Authorization: Bearer hunter2"),
                QStringLiteral("X-Trace: abc") } } });
    QCOMPARE(r.state, JobState::Succeeded);
    const QJsonObject seen =
        QJsonDocument::fromJson(readFile(out)).object().value(QStringLiteral("headers")).toObject();
    QCOMPARE(
        seen.value(QStringLiteral("Authorization")).toString(), QStringLiteral("Bearer hunter2"));
    QCOMPARE(seen.value(QStringLiteral("X-Trace")).toString(), QStringLiteral("abc"));
    // Not in the stored job, nor in its timeline.
    auto stored = m_store->query(JobQuery { { r.id }, {}, -1 });
    const QByteArray params = QJsonDocument(stored->first().params).toJson();
    QVERIFY2(!params.contains("hunter2"), params.constData());
    QVERIFY(params.contains("X-Trace: abc"));
    QVERIFY(params.contains("secretHeaders"));
    for (const JobEvent &e : m_store->events(r.id).value())
        QVERIFY(!e.detail.contains(QLatin1String("hunter2")));
    // A job cannot smuggle in its own secret references.
    auto smuggled = m_queue->enqueue(QStringLiteral("download"),
        { { QStringLiteral("url"), m_server->url(QStringLiteral("/echo")) },
            { QStringLiteral("secretHeaders"), QJsonArray { QStringLiteral("X: file:abc") } } });
    QVERIFY(!smuggled.ok());
}

void TestDownload::credentialsStayWithTheirOrigin_data()
{
    // The server listens on 127.0.0.1; "localhost" names it as another origin.
    QTest::addColumn<QString>("path"); // {other} is the other origin's http://localhost:PORT
    QTest::addColumn<QString>("paginate");
    QTest::addColumn<bool>("trusted");
    QTest::addColumn<bool>("sentToOther"); // whether the last request carried them
    QTest::newRow("redirect within the origin") << "/redirect?to=/echo"
                                                << "" << false << true;
    QTest::newRow("redirect to another host") << "/redirect?to={other}/echo"
                                              << "" << false << false;
    QTest::newRow("redirect, --location-trusted") << "/redirect?to={other}/echo"
                                                  << "" << true << true;
    QTest::newRow("next page on another host") << "/pages/link?n=2&base={other}"
                                               << "link" << false << false;
    QTest::newRow("next page, --location-trusted") << "/pages/link?n=2&base={other}"
                                                   << "link" << true << true;
}

// Credential headers (Authorization, API keys, cookies) go only to the origin the user named:
// curl's CVE-2018-1000007. Plain headers go everywhere.
void TestDownload::credentialsStayWithTheirOrigin()
{
    QFETCH(QString, path);
    QFETCH(QString, paginate);
    QFETCH(bool, trusted);
    QFETCH(bool, sentToOther);
    const QString other =
        m_server->url(QString()).replace(QLatin1String("127.0.0.1"), QLatin1String("localhost"));
    path.replace(QLatin1String("{other}"), QString::fromLatin1(QUrl::toPercentEncoding(other)));
    QJsonObject params { { QStringLiteral("url"), m_server->url(path) },
        { QStringLiteral("out"), QDir(outDir()).filePath(QStringLiteral("out.json")) },
        { QStringLiteral("header"),
            QJsonArray { QStringLiteral("Authorization: Bearer hunter2"),
                QStringLiteral("X-Api-Key: k-42"), QStringLiteral("X-Trace: abc") } } };
    if (!paginate.isEmpty())
        params.insert(QStringLiteral("paginate"), paginate);
    if (trusted)
        params.insert(QStringLiteral("locationTrusted"), true);
    const JobRecord r = runJob(params);
    QCOMPARE(r.state, JobState::Succeeded);
    // The request to the URL the user named (the last such: Qt may resend one on a stale
    // kept-alive connection), and the last request of all.
    const QString route = QUrl(m_server->url(path)).path();
    QJsonValue first, last;
    for (const QJsonValue &entry : m_server->log()) {
        const QString entryPath = entry.toObject().value(QStringLiteral("path")).toString();
        if (entryPath.startsWith(QLatin1String("/_log")))
            continue; // the test's own look at the log
        if (entryPath.startsWith(route)
            && header(entry, QStringLiteral("Host")).startsWith(QLatin1String("127.0.0.1")))
            first = entry;
        last = entry;
    }
    QCOMPARE(header(first, QStringLiteral("Authorization")), QStringLiteral("Bearer hunter2"));
    QCOMPARE(header(last, QStringLiteral("X-Trace")), QStringLiteral("abc"));
    QCOMPARE(!header(last, QStringLiteral("Authorization")).isEmpty(), sentToOther);
    QCOMPARE(!header(last, QStringLiteral("X-Api-Key")).isEmpty(), sentToOther);
    const bool hostChanged = path.contains(QLatin1String("localhost"));
    QCOMPARE(
        header(last, QStringLiteral("Host")).startsWith(QLatin1String("localhost")), hostChanged);
    bool noted = false;
    for (const JobEvent &e : m_store->events(r.id).value())
        noted = noted || e.detail.contains(QLatin1String("not sent to http://localhost"));
    QCOMPARE(noted, hostChanged && !trusted);
}

void TestDownload::paginationLoopStops()
{
    // Page 2 links back to page 1: a -> b -> a.
    const JobRecord r =
        runJob({ { QStringLiteral("url"),
                     m_server->url(QStringLiteral("/pages/json?n=2&back=1&key=loop")) },
            { QStringLiteral("paginate"), QStringLiteral("json:links.next") } });
    QCOMPARE(r.state, JobState::Failed);
    QVERIFY2(
        r.error.contains(QLatin1String("points back to an earlier page")), qPrintable(r.error));
    QCOMPARE(r.attempts, 1); // not worth retrying
    // Page 1, page 2, page 1 again (its link spells the URL another way than the one queued,
    // so it is fetched once more), then page 2's link is one already seen. One more if Qt resent
    // a request on a stale kept-alive connection.
    qsizetype requests = 0;
    for (const QJsonValue &entry : m_server->requestsTo(QStringLiteral("/pages/json?")))
        requests += entry.toObject()
                        .value(QStringLiteral("path"))
                        .toString()
                        .contains(QLatin1String("key=loop"));
    QVERIFY2(requests >= 3 && requests <= 4, qPrintable(QString::number(requests)));
    QVERIFY(leftovers().isEmpty());
}

void TestDownload::methodHeadersAndBody()
{
    const QString out = QDir(outDir()).filePath(QStringLiteral("post.json"));
    const JobRecord r = runJob({ { QStringLiteral("url"), m_server->url(QStringLiteral("/echo")) },
        { QStringLiteral("out"), out }, { QStringLiteral("method"), QStringLiteral("POST") },
        { QStringLiteral("data"), QStringLiteral("{\"q\":1}") },
        { QStringLiteral("header"),
            QJsonArray { QStringLiteral("Content-Type: application/json") } } });
    QCOMPARE(r.state, JobState::Succeeded);
    const QJsonObject echo = QJsonDocument::fromJson(readFile(out)).object();
    QCOMPARE(echo.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
    QCOMPARE(echo.value(QStringLiteral("body")).toString(), QStringLiteral("{\"q\":1}"));
}

void TestDownload::tlsErrorsFailWithTheReason()
{
    const QString cert = m_dir->filePath(QStringLiteral("cert.pem"));
    const QString key = m_dir->filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
            QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
            QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1") });
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        QSKIP("openssl could not make a test certificate");
    FaultServer https({ QStringLiteral("--cert"), cert, QStringLiteral("--key"), key });
    QVERIFY(https.isRunning());
    const JobRecord r = runJob({ { QStringLiteral("url"),
        https.url(QStringLiteral("/file?size=10"), QStringLiteral("https")) } });
    QCOMPARE(r.state, JobState::Failed);
    QCOMPARE(r.attempts, 1);
    QVERIFY2(r.error.startsWith(QLatin1String("TLS:")), qPrintable(r.error));
    QVERIFY(leftovers().isEmpty());
}

void TestDownload::killedRunnerResumesFromThePartialFile()
{
    // A real runner process (spoolctl run) killed with SIGKILL mid-download; the next run
    // continues from the partial file and the bytes come out right.
    const QString data = m_dir->filePath(QStringLiteral("ctl"));
    const QString out = QDir(outDir()).filePath(QStringLiteral("killed.bin"));
    const QString url = m_server->url(QStringLiteral("/file?size=3000000&etag=k1&drip=15&seed=9"));
    QProcess add;
    add.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), data, QStringLiteral("add"), QStringLiteral("download"),
            url, QStringLiteral("--out"), out });
    QVERIFY(add.waitForFinished(10000));
    QCOMPARE(add.exitCode(), 0);
    QProcess runner;
    runner.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), data, QStringLiteral("run"), QStringLiteral("--quiet") });
    QVERIFY(runner.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(!leftovers().isEmpty()
            && QFileInfo(QDir(outDir()).filePath(leftovers().first())).size() > 500000,
        20000);
    ::kill(static_cast<pid_t>(runner.processId()), SIGKILL);
    QVERIFY(runner.waitForFinished(5000));
    const qint64 partial = QFileInfo(QDir(outDir()).filePath(leftovers().first())).size();

    QProcess again;
    again.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), data, QStringLiteral("run"),
            QStringLiteral("--until-empty"), QStringLiteral("--quiet") });
    QVERIFY(again.waitForFinished(60000));
    QCOMPARE(again.exitCode(), 0);
    QCOMPARE(readFile(out), expectedContent(3000000, 9));
    const QJsonArray requests = m_server->requestsTo(QStringLiteral("/file?size=3000000&etag=k1"));
    QCOMPARE(requests.size(), 2);
    const qint64 resumedAt = header(requests.at(1), QStringLiteral("Range"))
                                 .mid(6)
                                 .section(QLatin1Char('-'), 0, 0)
                                 .toLongLong();
    QVERIFY2(resumedAt >= partial && resumedAt > 0,
        qPrintable(QStringLiteral("%1 %2").arg(resumedAt).arg(partial)));
    QCOMPARE(leftovers(), QStringList { QStringLiteral("killed.bin") });
}

void TestDownload::listOfUrlsIsOneTransaction()
{
    const QString data = m_dir->filePath(QStringLiteral("ctl"));
    const QString list = m_dir->filePath(QStringLiteral("urls.txt"));
    QFile f(list);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write((m_server->url(QStringLiteral("/file?size=10&seed=1"))
        + QStringLiteral(" one.bin\n# comment\n\n")
        + m_server->url(QStringLiteral("/file?size=20&seed=2")) + QStringLiteral(" two.bin\n")
        + m_server->url(QStringLiteral("/file?size=30&seed=3")) + QStringLiteral("\n"))
                .toUtf8());
    f.close();
    QProcess add;
    add.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), data, QStringLiteral("add"), QStringLiteral("download"),
            QStringLiteral("--from"), list, QStringLiteral("--dir"), outDir() });
    QVERIFY(add.waitForFinished(10000));
    QCOMPARE(add.exitCode(), 0);
    QCOMPARE(add.readAllStandardOutput().trimmed().split('\n').size(), 3);
    QProcess run;
    run.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), data, QStringLiteral("run"),
            QStringLiteral("--until-empty"), QStringLiteral("--quiet") });
    QVERIFY(run.waitForFinished(30000));
    QCOMPARE(readFile(QDir(outDir()).filePath(QStringLiteral("one.bin"))), expectedContent(10, 1));
    QCOMPARE(readFile(QDir(outDir()).filePath(QStringLiteral("two.bin"))), expectedContent(20, 2));
    QCOMPARE(readFile(QDir(outDir()).filePath(QStringLiteral("file"))), expectedContent(30, 3));
}

QTEST_GUILESS_MAIN(TestDownload)
#include "tst_download.moc"
