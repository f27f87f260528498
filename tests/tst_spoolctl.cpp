// spoolctl as scripts use it: the contract of design.md, bad input, and several real processes on
// one data directory, killed with SIGKILL at random moments.
#include <csignal>

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "faultserver.h"
#include "job/jobstate.h"
#include "spoolctlprocess.h"
#include "util/datadir.h"

namespace {

using Output = spool::test::CtlOutput;

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

const QRegularExpression kIsoMs(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
const QRegularExpression kUuid(
    QStringLiteral(R"(^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)"));

} // namespace

class TestSpoolctl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void addPrintsTheIdAlone();
    void badInput_data();
    void badInput();
    void listAndShowFollowTheContract();
    void commandsChangeState();
    void runUntilEmptyRunsEverything();
    void hostCapOptionLimitsDownloadsPerHost();
    void pausedQueueWaitsForAnotherProcess();
    void twoProcessesNeverRunOneJobTwice();
    void sigkillAtRandomMomentsLosesNothing();
    void staleRunnerCannotOverwriteItsSuccessor();
    void fencedOutRenderWritesNothing();
    void fencedOutDownloadWritesNothing();

private:
    Output ctl(const QStringList &args, int timeoutMs = 30000) const;
    QProcess *startCtl(const QStringList &args) const;
    // `spoolctl run` with a 1 s lease (frozen runners lose their jobs fast): in the background,
    // or until the queue is empty.
    std::unique_ptr<QProcess> startLeasedRunner(int workers) const;
    Output runLeasedUntilEmpty(int workers, int timeoutMs) const;
    // Read from the queue's database in this process, not by starting `spoolctl list`: on a
    // loaded machine a process start can outlast the job being watched.
    qint64 firstJobProgress() const; // progress of the first job in FIFO order, 0 if none
    qint64 runningJobs() const;
    QSqlDatabase queueConnection(const QString &name, int busyTimeoutMs) const;
    qint64 queryNumber(const QString &sql) const;
    bool canTakeWriteLock() const;
    bool freezeOutsideWrites(qint64 pid) const;
    QString add(const QStringList &args) const;
    QJsonArray listJson() const;
    QJsonArray events(const QString &id) const;
    void checkNoOverlappingRuns(
        const QJsonArray &jobs, int *recoveries, QSet<QString> *runners) const;
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSpoolctl::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSpoolctl::cleanup()
{
    for (const QString &name : { QStringLiteral("poll"), QStringLiteral("probe") }) {
        if (QSqlDatabase::contains(name)) {
            QSqlDatabase::database(name, false).close();
            QSqlDatabase::removeDatabase(name); // the next test has its own queue
        }
    }
    m_dir.reset();
}

Output TestSpoolctl::ctl(const QStringList &args, int timeoutMs) const
{
    return spool::test::runSpoolctl(dataDir(), args, timeoutMs);
}

QProcess *TestSpoolctl::startCtl(const QStringList &args) const
{
    auto *p = new QProcess;
    p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p->start(QStringLiteral(SPOOLCTL_PATH),
        QStringList { QStringLiteral("--data-dir"), dataDir() } + args);
    p->waitForStarted();
    return p;
}

// Leased runners render and download against the clock of their leases: at normal priority, as
// the tests check fencing, not priority (at the default, low, a render beside two busy loops got
// a tenth of a core).
std::unique_ptr<QProcess> TestSpoolctl::startLeasedRunner(int workers) const
{
    return std::unique_ptr<QProcess>(startCtl({ QStringLiteral("run"), QStringLiteral("--workers"),
        QString::number(workers), QStringLiteral("--lease-ms"), QStringLiteral("1000"),
        QStringLiteral("--quiet"), QStringLiteral("--priority"), QStringLiteral("normal") }));
}

Output TestSpoolctl::runLeasedUntilEmpty(int workers, int timeoutMs) const
{
    return ctl(
        { QStringLiteral("run"), QStringLiteral("--workers"), QString::number(workers),
            QStringLiteral("--until-empty"), QStringLiteral("--lease-ms"), QStringLiteral("1000"),
            QStringLiteral("--quiet"), QStringLiteral("--priority"), QStringLiteral("normal") },
        timeoutMs);
}

// The test's own connection `name` to the queue (kept open between calls; closed in cleanup).
QSqlDatabase TestSpoolctl::queueConnection(const QString &name, int busyTimeoutMs) const
{
    if (!QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(spool::datadir::databasePath(dataDir()));
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(busyTimeoutMs));
    }
    return QSqlDatabase::database(name); // opened on first use
}

qint64 TestSpoolctl::queryNumber(const QString &sql) const
{
    QSqlQuery q(queueConnection(QStringLiteral("poll"), 5000));
    return q.exec(sql) && q.next() ? q.value(0).toLongLong() : 0;
}

// Whether another process holds the queue's write lock now (no waiting).
bool TestSpoolctl::canTakeWriteLock() const
{
    QSqlQuery q(queueConnection(QStringLiteral("probe"), 0));
    if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return false;
    q.exec(QStringLiteral("ROLLBACK"));
    return true;
}

// SIGSTOP, at a moment the runner is outside a write transaction. Frozen inside one, it would
// keep SQLite's write lock and no other runner could write at all: these tests are about
// leases, not about a frozen lock holder. False if no such moment came in 30 s.
bool TestSpoolctl::freezeOutsideWrites(qint64 pid) const
{
    const auto stopped = [pid] { // the signal is asynchronous: wait until the kernel stopped it
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return false;
        const QByteArray line = stat.readAll();
        const qsizetype end = line.lastIndexOf(')'); // the name may hold spaces
        return end > 0 && line.size() > end + 2
            && (line.at(end + 2) == 'T' || line.at(end + 2) == 't');
    };
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        ::kill(static_cast<pid_t>(pid), SIGSTOP);
        if (!QTest::qWaitFor(stopped, 5000))
            return false;
        if (canTakeWriteLock())
            return true;
        ::kill(static_cast<pid_t>(pid), SIGCONT);
        QTest::qWait(2);
    }
    return false;
}

qint64 TestSpoolctl::firstJobProgress() const
{
    return queryNumber(QStringLiteral("SELECT progress_done FROM jobs ORDER BY seq LIMIT 1"));
}

qint64 TestSpoolctl::runningJobs() const
{
    return queryNumber(QStringLiteral("SELECT count(*) FROM jobs WHERE state = %1")
                           .arg(int(spool::JobState::Running)));
}

QString TestSpoolctl::add(const QStringList &args) const
{
    const Output o = ctl(QStringList { QStringLiteral("add") } + args);
    if (o.exitCode != 0)
        qWarning("add failed: %s", qPrintable(o.err));
    return o.out.trimmed();
}

QJsonArray TestSpoolctl::listJson() const
{
    const Output o = ctl({ QStringLiteral("list"), QStringLiteral("--json") });
    if (o.exitCode != 0)
        qWarning("list failed: %s", qPrintable(o.err));
    return QJsonDocument::fromJson(o.out.toUtf8()).array();
}

QJsonArray TestSpoolctl::events(const QString &id) const
{
    return spool::test::jobEvents(dataDir(), id);
}

// Every start of a job must end (recovered, released, succeeded...) before the next start.
void TestSpoolctl::checkNoOverlappingRuns(
    const QJsonArray &jobs, int *recoveries, QSet<QString> *runners) const
{
    for (const QJsonValue &job : jobs) {
        const QString id = job.toObject().value(QStringLiteral("id")).toString();
        bool inRun = false;
        int succeeded = 0;
        for (const QJsonValue &ev : events(id)) {
            const QString name = ev.toObject().value(QStringLiteral("event")).toString();
            if (name == QLatin1String("started")) {
                QVERIFY2(!inRun,
                    qPrintable(QStringLiteral("job %1 started twice without ending").arg(id)));
                inRun = true;
                runners->insert(ev.toObject().value(QStringLiteral("detail")).toString());
            } else if (name == QLatin1String("recovered") || name == QLatin1String("released")
                || name == QLatin1String("succeeded") || name == QLatin1String("failed")
                || name == QLatin1String("retry scheduled") || name == QLatin1String("canceled")
                || name == QLatin1String("paused")) {
                if (name == QLatin1String("recovered"))
                    ++*recoveries;
                if (name == QLatin1String("succeeded"))
                    ++succeeded;
                inRun = false;
            }
        }
        QCOMPARE(succeeded, 1);
    }
}

void TestSpoolctl::addPrintsTheIdAlone()
{
    const Output o = ctl({ QStringLiteral("add"), QStringLiteral("sleep"), QStringLiteral("--ms"),
        QStringLiteral("10") });
    QCOMPARE(o.exitCode, 0);
    QVERIFY(o.err.isEmpty());
    QVERIFY(o.out.endsWith(QLatin1Char('\n')));
    QVERIFY2(kUuid.match(o.out.trimmed()).hasMatch(), qPrintable(o.out));
    QCOMPARE(o.out.count(QLatin1Char('\n')), 1);
}

void TestSpoolctl::badInput_data()
{
    QTest::addColumn<QString>(
        "setup"); // fresh (no queue yet), queue (one queued job), file, corrupt
    QTest::addColumn<QStringList>("args"); // "{id}" stands for the queued job's id
    QTest::addColumn<QString>("reason");

    const auto row = [](const char *name, const char *setup, const QStringList &args,
                         const char *reason) {
        QTest::newRow(name) << QString::fromLatin1(setup) << args << QString::fromLatin1(reason);
    };
    const auto s = [](const char *text) { return QString::fromLatin1(text); };
    row("download, not http", "fresh", { s("add"), s("download"), s("ftp://127.0.0.1/x") },
        "'ftp://127.0.0.1/x' is not an http or https URL");
    // Named as typed on the command line, not by the kind's parameter names.
    row("download, no URL", "fresh", { s("add"), s("download") }, "add download needs URL");
    row("render, no --out", "fresh", { s("add"), s("render"), s("procedural:terrain") },
        "add render needs --out PNG");
    row("download, bad sha256", "queue",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--sha256"), s("abc") },
        "--sha256 must be 64 hexadecimal digits");
    row("download, bad header", "fresh",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--header"), s("no colon") },
        "'no colon' is not a header");
    row("download, framing header", "fresh",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--header"),
            s("Transfer-Encoding: chunked") },
        "the Transfer-Encoding header is set by Spool's HTTP client");
    row("download, header with a line break", "fresh",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--header"),
            s("X-A: 1\r\nX-Injected: yes") },
        "the header 'X-A' has a line break in it");
    row("download, bad paginate", "fresh",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--paginate"), s("json:") },
        "--paginate must be 'link' or 'json:FIELD'");
    row("download, bad name", "fresh",
        { s("add"), s("download"), s("http://127.0.0.1/x"), s("--name"), s("../x") },
        "'../x' is not a plain file name");
    row("download, bad line in list", "list", { s("add"), s("download"), s("--from"), s("{list}") },
        "urls.txt:4: 'htp:/nope' is not an http or https URL");
    row("download, no list", "fresh",
        { s("add"), s("download"), s("--from"), s("/nonexistent/urls.txt") },
        "cannot read /nonexistent/urls.txt");
    row("render, no scene file", "fresh",
        { s("add"), s("render"), s("/nonexistent/scene.obj"), s("--out"), s("x.png") },
        "/nonexistent/scene.obj does not exist");
    row("render, unknown procedural scene", "queue",
        { s("add"), s("render"), s("procedural:moon"), s("--out"), s("x.png") },
        "unknown procedural scene 'procedural:moon'");
    row("plugin, unknown kind", "queue", { s("add"), s("plugin"), s("foo") },
        "no plugin provides 'foo'");
    row("no kind", "fresh", { s("add") }, "add needs a kind");
    row("missing ms", "fresh", { s("add"), s("busy") }, "add busy needs --ms N");
    row("malformed ms", "queue", { s("add"), s("busy"), s("--ms"), s("abc") },
        "'abc' is not a whole number");
    row("negative ms", "fresh", { s("add"), s("sleep"), s("--ms"), s("-5") },
        "between 1 and 86400000");
    row("zero ms", "fresh", { s("add"), s("sleep"), s("--ms"), s("0") }, "between 1 and 86400000");
    row("absurd ms", "fresh", { s("add"), s("sleep"), s("--ms"), s("999999999999") },
        "between 1 and 86400000");
    row("unknown option", "fresh", { s("add"), s("busy"), s("--ms"), s("5"), s("--frobnicate") },
        "Unknown option 'frobnicate'");
    row("extra argument", "fresh", { s("add"), s("busy"), s("stray"), s("--ms"), s("5") },
        "unexpected argument 'stray'");
    row("bad max attempts", "fresh",
        { s("add"), s("busy"), s("--ms"), s("5"), s("--max-attempts"), s("0") }, "--max-attempts");
    row("unknown command", "queue", { s("frobnicate") }, "unknown command 'frobnicate'");
    row("unknown global option", "queue", { s("--frob"), s("list") }, "unknown option '--frob'");
    row("unknown state", "queue", { s("list"), s("--state"), s("sleeping") },
        "unknown state 'sleeping'");
    row("unknown id", "queue", { s("show"), s("01234567-89ab-cdef-0123-456789abcdef") },
        "no job with id");
    row("unknown id, no queue", "fresh", { s("cancel"), s("01234567-89ab-cdef-0123-456789abcdef") },
        "no job with id");
    row("malformed id", "queue", { s("pause"), s("not-an-id!") }, "'not-an-id!' is not a job id");
    row("unknown prefix", "queue", { s("cancel"), s("ffff0000") },
        "no job with an id starting 'ffff0000'");
    row("no id", "queue", { s("show") }, "needs exactly one job id");
    row("retry a queued job", "queue", { s("retry"), s("{id}") },
        "only failed or canceled jobs can be retried");
    row("bad workers", "queue", { s("run"), s("--workers"), s("0") }, "--workers");
    row("bad switch interval", "fresh", { s("run"), s("--switch-interval"), s("0") },
        "--switch-interval must be from 1 to 1000");
    row("bad host cap", "queue", { s("run"), s("--host-cap"), s("65") },
        "--host-cap must be from 0 to 64");
    row("bad gil", "queue", { s("run"), s("--gil"), s("maybe") }, "--gil must be 'on' or 'off'");
    row("data dir is a file", "file", { s("add"), s("busy"), s("--ms"), s("5") },
        "is not a directory");
    // "No jobs" when it could not look would be a lie.
    row("list through a file", "file", { s("--data-dir"), s("{data}/inner"), s("list") },
        "cannot look into data directory");
    row("show through a file", "file",
        { s("--data-dir"), s("{data}/inner"), s("show"), s("01234567") },
        "cannot look into data directory");
    // A reason that quotes what was typed stays one line (control characters shown as "?").
    row("newline in an option", "fresh", { s("--bogus\nline") }, "unknown option '--bogus?line'");
    row("escape in a URL", "fresh", { s("add"), s("download"), s("ftp://x\x1b[2J") },
        "'ftp://x?[2J' is not an http or https URL");
    row("corrupt database", "corrupt", { s("list") }, "file is not a database");
    row("corrupt database, add", "corrupt", { s("add"), s("busy"), s("--ms"), s("5") },
        "file is not a database");
}

void TestSpoolctl::badInput()
{
    QFETCH(QString, setup);
    QFETCH(QStringList, args);
    QFETCH(QString, reason);

    QString id;
    QByteArray before;
    const QString db = spool::datadir::databasePath(dataDir());
    if (setup == QLatin1String("queue")) {
        id = add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("10") });
        QVERIFY(!id.isEmpty());
    } else if (setup == QLatin1String("file")) {
        QFile f(dataDir());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a directory");
    } else if (setup == QLatin1String("list")) {
        QFile list(m_dir->filePath(QStringLiteral("urls.txt")));
        QVERIFY(list.open(QIODevice::WriteOnly));
        list.write(
            "http://127.0.0.1:1/a.bin a.bin\n# a comment\n\nhtp:/nope\nhttp://127.0.0.1:1/c\n");
    } else if (setup == QLatin1String("corrupt")) {
        QVERIFY(QDir().mkpath(dataDir()));
        QFile f(db);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, '\x5a'));
        f.close();
        before = fileHash(db);
    }
    args.replaceInStrings(QStringLiteral("{id}"), id);
    args.replaceInStrings(QStringLiteral("{data}"), dataDir());
    args.replaceInStrings(QStringLiteral("{list}"), m_dir->filePath(QStringLiteral("urls.txt")));

    const Output o = ctl(args);
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
    QVERIFY2(o.err.startsWith(QLatin1String("spoolctl: ")), qPrintable(o.err));
    QCOMPARE(o.err.count(QLatin1Char('\n')), 1); // one line
    QVERIFY2(o.err.contains(reason), qPrintable(o.err));

    // Nothing written.
    if (setup == QLatin1String("fresh") || setup == QLatin1String("list")) {
        QVERIFY2(!QFileInfo::exists(dataDir()), "bad input must not create the queue");
    } else if (setup == QLatin1String("queue")) {
        const QJsonArray jobs = listJson();
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().toObject().value(QStringLiteral("state")).toString(),
            QStringLiteral("queued"));
    } else if (setup == QLatin1String("file")) {
        QVERIFY(QFileInfo(dataDir()).isFile());
    } else if (setup == QLatin1String("corrupt")) {
        QCOMPARE(fileHash(db), before);
        QVERIFY2(o.err.contains(db), "the error names the file");
    }
}

void TestSpoolctl::listAndShowFollowTheContract()
{
    const QString first =
        add({ QStringLiteral("busy"), QStringLiteral("--ms"), QStringLiteral("5") });
    const QString second = add({ QStringLiteral("sleep"), QStringLiteral("--ms"),
        QStringLiteral("7"), QStringLiteral("--max-attempts"), QStringLiteral("2") });
    const QJsonArray jobs = listJson();
    QCOMPARE(jobs.size(), 2);
    QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("id")).toString(), first); // FIFO order
    QCOMPARE(jobs.at(1).toObject().value(QStringLiteral("id")).toString(), second);
    const QJsonObject job = jobs.at(1).toObject();
    QCOMPARE(job.value(QStringLiteral("kind")).toString(), QStringLiteral("sleep"));
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    QVERIFY(job.value(QStringLiteral("seq")).toInteger()
        > jobs.at(0).toObject().value(QStringLiteral("seq")).toInteger());
    QCOMPARE(job.value(QStringLiteral("attempts")).toInt(), 0);
    QCOMPARE(job.value(QStringLiteral("maxAttempts")).toInt(), 2);
    // For people, as in the app: the attempt it runs next (JSON keeps the raw count, 0).
    const QStringList lines = ctl({ QStringLiteral("list") }).out.split(QLatin1Char('\n'));
    QVERIFY2(lines.size() > 2 && lines.at(2).contains(QLatin1String(" 1/2 ")),
        qPrintable(lines.join(QLatin1Char('\n'))));
    const QString text = ctl({ QStringLiteral("show"), second }).out;
    QVERIFY2(
        text.contains(QRegularExpression(QStringLiteral("attempts:\\s+1 of 2"))), qPrintable(text));
    QVERIFY2(kIsoMs.match(job.value(QStringLiteral("enqueuedAt")).toString()).hasMatch(),
        qPrintable(job.value(QStringLiteral("enqueuedAt")).toString()));
    QVERIFY(job.value(QStringLiteral("startedAt")).isNull());
    QVERIFY(job.value(QStringLiteral("finishedAt")).isNull());
    QCOMPARE(job.value(QStringLiteral("progress")).toDouble(), 0.0);
    QVERIFY(job.value(QStringLiteral("error")).isNull());
    QVERIFY(job.value(QStringLiteral("output")).isNull());
    QCOMPARE(job.value(QStringLiteral("params")).toObject(),
        (QJsonObject { { QStringLiteral("ms"), 7 } }));

    const Output shown = ctl({ QStringLiteral("show"), second.left(6), QStringLiteral("--json") });
    QCOMPARE(shown.exitCode, 0);
    const QJsonObject detail = QJsonDocument::fromJson(shown.out.toUtf8()).object();
    QCOMPARE(detail.value(QStringLiteral("id")).toString(), second);
    QCOMPARE(detail.value(QStringLiteral("events"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("event"))
                 .toString(),
        QStringLiteral("enqueued"));

    QVERIFY(
        ctl({ QStringLiteral("run"), QStringLiteral("--until-empty"), QStringLiteral("--quiet") })
            .exitCode
        == 0);
    const QJsonObject done = listJson().at(0).toObject();
    QCOMPARE(done.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(done.value(QStringLiteral("progress")).toDouble(), 1.0);
    QVERIFY(kIsoMs.match(done.value(QStringLiteral("startedAt")).toString()).hasMatch());
    QVERIFY(kIsoMs.match(done.value(QStringLiteral("finishedAt")).toString()).hasMatch());

    const Output table = ctl({ QStringLiteral("list") });
    QCOMPARE(table.exitCode, 0);
    QVERIFY(table.out.startsWith(QLatin1String("ID")));
    QVERIFY(table.out.contains(first.left(8)));
    QCOMPARE(table.out.count(QLatin1Char('\n')), 3);
}

void TestSpoolctl::commandsChangeState()
{
    const QString id =
        add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("10") });
    const auto stateAfter = [&](const QString &command) {
        const Output o = ctl({ command, id.left(8) });
        if (o.exitCode != 0)
            return QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err);
        return o.out.trimmed().section(QLatin1Char(' '), 1);
    };
    QCOMPARE(stateAfter(QStringLiteral("pause")), QStringLiteral("paused"));
    QCOMPARE(stateAfter(QStringLiteral("resume")), QStringLiteral("queued"));
    QCOMPARE(stateAfter(QStringLiteral("cancel")), QStringLiteral("canceled"));
    QCOMPARE(stateAfter(QStringLiteral("retry")), QStringLiteral("queued"));
    QCOMPARE(stateAfter(QStringLiteral("remove")), QStringLiteral("removed"));
    QCOMPARE(listJson().size(), 0);
}

void TestSpoolctl::runUntilEmptyRunsEverything()
{
    for (int i = 0; i < 6; ++i)
        QVERIFY(!add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("50") })
                     .isEmpty());
    QVERIFY(
        !add({ QStringLiteral("busy"), QStringLiteral("--ms"), QStringLiteral("50") }).isEmpty());
    const Output o = ctl({ QStringLiteral("run"), QStringLiteral("--workers"), QStringLiteral("2"),
        QStringLiteral("--until-empty") });
    QCOMPARE(o.exitCode, 0);
    QCOMPARE(o.out.count(QStringLiteral(" succeeded")), 7);
    for (const QJsonValue &job : listJson())
        QCOMPARE(
            job.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
}

// The default is 2 per host; --host-cap 1 with four workers lets one download at a time reach
// the server.
void TestSpoolctl::hostCapOptionLimitsDownloadsPerHost()
{
    spool::test::FaultServer server;
    QVERIFY(server.isRunning());
    const QString dir = m_dir->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(dir));
    for (int i = 0; i < 8; ++i)
        QVERIFY(
            !add({ QStringLiteral("download"),
                     server.url(QStringLiteral("/file/f%1.bin?size=65536&drip=40&seed=%1").arg(i)),
                     QStringLiteral("--dir"), dir })
                 .isEmpty());
    const Output o = ctl({ QStringLiteral("run"), QStringLiteral("--workers"), QStringLiteral("4"),
                             QStringLiteral("--host-cap"), QStringLiteral("1"),
                             QStringLiteral("--until-empty"), QStringLiteral("--quiet") },
        120000);
    QCOMPARE(o.exitCode, 0);
    QCOMPARE(QDir(dir).entryList(QDir::Files).size(), 8);
    QCOMPARE(server.mostInFlight(), 1);
}

void TestSpoolctl::pausedQueueWaitsForAnotherProcess()
{
    const QString id =
        add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("20") });
    QCOMPARE(ctl({ QStringLiteral("pause"), QStringLiteral("--queue") }).exitCode, 0);
    std::unique_ptr<QProcess> runner(
        startCtl({ QStringLiteral("run"), QStringLiteral("--until-empty") }));
    QVERIFY(!runner->waitForFinished(1500)); // it waits: the queue is paused
    QCOMPARE(listJson().first().toObject().value(QStringLiteral("state")).toString(),
        QStringLiteral("queued"));
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(ctl({ QStringLiteral("resume"), QStringLiteral("--queue") }).exitCode, 0);
    QVERIFY(runner->waitForFinished(10000));
    QCOMPARE(runner->exitCode(), 0);
    qInfo("the runner saw 'resume --queue' from another process and finished in %lld ms",
        timer.elapsed());
    QCOMPARE(listJson().first().toObject().value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
}

void TestSpoolctl::twoProcessesNeverRunOneJobTwice()
{
    // About a second of work each for two runners on one queue: no job may be claimed twice.
    constexpr int kJobs = 50;
    for (int i = 0; i < kJobs; ++i)
        QVERIFY(!add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("40") })
                     .isEmpty());
    std::unique_ptr<QProcess> a(startCtl({ QStringLiteral("run"), QStringLiteral("--workers"),
        QStringLiteral("2"), QStringLiteral("--until-empty"), QStringLiteral("--quiet") }));
    std::unique_ptr<QProcess> b(startCtl({ QStringLiteral("run"), QStringLiteral("--workers"),
        QStringLiteral("2"), QStringLiteral("--until-empty"), QStringLiteral("--quiet") }));
    QVERIFY(a->waitForFinished(60000));
    QVERIFY(b->waitForFinished(60000));
    QCOMPARE(a->exitCode(), 0);
    QCOMPARE(b->exitCode(), 0);

    const QJsonArray jobs = listJson();
    QCOMPARE(jobs.size(), kJobs);
    for (const QJsonValue &job : jobs) {
        QCOMPARE(
            job.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        QCOMPARE(
            job.toObject().value(QStringLiteral("attempts")).toInt(), 1); // claimed exactly once
    }
    int recoveries = 0;
    QSet<QString> runners;
    checkNoOverlappingRuns(jobs, &recoveries, &runners);
    QCOMPARE(recoveries, 0);
    // How the work was shared is the OS scheduler's business (a runner that starts late may find
    // the queue done): reported, not asserted.
    qInfo("%lld runner(s) ran jobs", qint64(runners.size()));
}

void TestSpoolctl::sigkillAtRandomMomentsLosesNothing()
{
    // About 6 s of work on two workers: the kills land while jobs run, not after the queue is done.
    constexpr int kJobs = 30;
    QStringList ids;
    for (int i = 0; i < kJobs; ++i) {
        const bool busy = i % 3 == 0;
        ids.append(add({ busy ? QStringLiteral("busy") : QStringLiteral("sleep"),
            QStringLiteral("--ms"), QString::number(busy ? 100 : 150 + (i * 37) % 450),
            QStringLiteral("--max-attempts"), QStringLiteral("100") }));
        QVERIFY(!ids.last().isEmpty());
    }
    // A long lease: recovery must come from seeing the runner dead, not from waiting a minute.
    // Each round kills its runner at a random moment while a job of its own runs: the runner is
    // frozen first and killed only if it still holds a running job, so every kill cuts a run
    // off (a look at the queue and then a signal could miss a job that ended in between, and a
    // runner that starts late on a loaded machine may hold nothing when a timer fires).
    auto *rng = QRandomGenerator::global();
    const QString running = QStringLiteral("SELECT count(*) FROM jobs WHERE state = %1")
                                .arg(int(spool::JobState::Running));
    const QString unfinished = QStringLiteral("SELECT count(*) FROM jobs WHERE state != %1")
                                   .arg(int(spool::JobState::Succeeded));
    int kills = 0;
    for (int round = 0; round < 12 && queryNumber(unfinished) > 0; ++round) {
        std::unique_ptr<QProcess> runner(startCtl({ QStringLiteral("run"),
            QStringLiteral("--workers"), QStringLiteral("2"), QStringLiteral("--lease-ms"),
            QStringLiteral("60000"), QStringLiteral("--quiet") }));
        const auto pid = static_cast<pid_t>(runner->processId());
        // Its own running jobs: the lease owner is "host|pid|...".
        const QString own = running + QStringLiteral(" AND lease_owner LIKE '%|%1|%'").arg(pid);
        QElapsedTimer waited;
        waited.start();
        bool killed = false;
        while (!killed && waited.elapsed() < 30000 && queryNumber(unfinished) > 0) {
            if (queryNumber(own) == 0) {
                QTest::qWait(5);
                continue;
            }
            QTest::qWait(static_cast<int>(rng->bounded(0, 200))); // somewhere inside the run
            ::kill(pid, SIGSTOP);
            if (queryNumber(own) > 0) {
                ::kill(pid, SIGKILL);
                killed = true;
            } else {
                ::kill(pid, SIGCONT); // between two jobs: try again
            }
        }
        if (!killed)
            ::kill(pid, SIGKILL); // the queue is done: nothing left to cut off
        kills += killed ? 1 : 0;
        QVERIFY(runner->waitForFinished(10000));
    }
    QVERIFY2(kills >= 1, "the first round always finds a job to cut off");
    QElapsedTimer timer;
    timer.start();
    const Output last =
        ctl({ QStringLiteral("run"), QStringLiteral("--workers"), QStringLiteral("2"),
                QStringLiteral("--until-empty"), QStringLiteral("--lease-ms"),
                QStringLiteral("60000"), QStringLiteral("--quiet") },
            60000);
    QCOMPARE(last.exitCode, 0);
    qInfo("%d runners killed with SIGKILL; the last run finished the queue in %lld ms", kills,
        timer.elapsed());

    const QJsonArray jobs = listJson();
    QCOMPARE(jobs.size(), kJobs);
    for (const QJsonValue &job : jobs)
        QCOMPARE(
            job.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    int recoveries = 0;
    QSet<QString> runners;
    checkNoOverlappingRuns(jobs, &recoveries, &runners);
    qInfo("%d runs were cut off by a kill and recovered", recoveries);
    QVERIFY2(recoveries >= kills, "every kill cut off a run, which came back");

    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
    db.setDatabaseName(spool::datadir::databasePath(dataDir()));
    QVERIFY(db.open());
    {
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
    }
    db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
}

void TestSpoolctl::staleRunnerCannotOverwriteItsSuccessor()
{
    // Runner A takes the jobs, then freezes (SIGSTOP): alive, but its lease runs out. Runner B
    // takes over. When A wakes, its late results must be refused.
    constexpr int kJobs = 4;
    // Long enough that A is still inside its first two jobs when it is frozen, even when an
    // instrumented `spoolctl list` on a busy machine takes most of a second to answer.
    for (int i = 0; i < kJobs; ++i)
        QVERIFY(!add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("3000") })
                     .isEmpty());
    std::unique_ptr<QProcess> a = startLeasedRunner(2);
    QTRY_VERIFY_WITH_TIMEOUT(runningJobs() == 2, 30000);
    QVERIFY(freezeOutsideWrites(a->processId()));
    // What A holds, read while it is frozen (not assumed: a job could end between the look above
    // and the signal on a loaded machine).
    const qint64 held = queryNumber(QStringLiteral("SELECT count(*) FROM jobs WHERE state = %1 "
                                                   "AND lease_owner LIKE '%|%2|%'")
                                        .arg(int(spool::JobState::Running))
                                        .arg(a->processId()));
    QVERIFY(held >= 1);
    const Output b = runLeasedUntilEmpty(2, 60000);
    QCOMPARE(b.exitCode, 0);
    ::kill(static_cast<pid_t>(a->processId()), SIGCONT);
    QTest::qWait(3500); // A finishes its sleeps and tries to report them
    ::kill(static_cast<pid_t>(a->processId()), SIGTERM);
    QVERIFY(a->waitForFinished(10000));

    const QJsonArray jobs = listJson();
    int recoveries = 0;
    QSet<QString> runners;
    checkNoOverlappingRuns(jobs, &recoveries, &runners); // exactly one success per job
    QCOMPARE(recoveries, int(held)); // the jobs A held came back through their expired leases
    for (const QJsonValue &job : jobs) {
        QCOMPARE(
            job.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
        QVERIFY(job.toObject().value(QStringLiteral("attempts")).toInt() <= 2);
    }
}

void TestSpoolctl::fencedOutRenderWritesNothing()
{
    // Runner A renders, then freezes past its lease; runner B renders the picture again and
    // cleans the job's work folder. When A wakes, it has lost the job: no checkpoint, preview
    // or second picture of A's may appear (before, A's render.state stayed for good).
    const QString out = m_dir->filePath(QStringLiteral("fenced.png"));
    QVERIFY(!add(
        { QStringLiteral("render"), QStringLiteral("procedural:terrain"), QStringLiteral("--out"),
            out, QStringLiteral("--width"), QStringLiteral("160"), QStringLiteral("--height"),
            QStringLiteral("120"), QStringLiteral("--samples"), QStringLiteral("100") })
                 .isEmpty());
    std::unique_ptr<QProcess> a = startLeasedRunner(1);
    // Frozen once it has rendered a pass or more: it has progress it would keep.
    const QString work = QDir(dataDir()).filePath(QStringLiteral("work"));
    const auto workFiles = [&] {
        QStringList files;
        QDirIterator it(work, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        return files;
    };
    // Two samples a pixel: the first pass (one sample) is over, its sum is worth keeping.
    QTRY_VERIFY_WITH_TIMEOUT(firstJobProgress() >= 2 * 160 * 120, 120000);
    QVERIFY(!workFiles().isEmpty()); // A's preview at least
    QVERIFY(freezeOutsideWrites(a->processId()));
    const Output b = runLeasedUntilEmpty(1, 600000);
    QCOMPARE(b.exitCode, 0);
    QVERIFY(QFileInfo::exists(out));
    QCOMPARE(workFiles(), QStringList()); // B cleaned up after the job
    ::kill(static_cast<pid_t>(a->processId()), SIGCONT);
    // A learns at its next heartbeat (a quarter of the lease) and stops after its pass.
    QTest::qWait(3000);
    ::kill(static_cast<pid_t>(a->processId()), SIGTERM);
    QVERIFY(a->waitForFinished(60000));
    QCOMPARE(workFiles(), QStringList());
    QCOMPARE(QDir(m_dir->path()).entryList({ QStringLiteral("fenced*") }),
        QStringList { QStringLiteral("fenced.png") });
    const QJsonArray jobs = listJson();
    QCOMPARE(jobs.size(), 1);
    QCOMPARE(jobs.at(0).toObject().value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
}

void TestSpoolctl::fencedOutDownloadWritesNothing()
{
    // Runner A downloads a file, then freezes past its lease; runner B resumes the file and
    // renames it into place. The server holds A's answer after 400,000 bytes until B has had
    // the rest, then sends A the rest too: A cannot finish first, however slow this machine is.
    // When A wakes, the bytes in its socket must not reach the file (its descriptor now points at
    // the user's finished file).
    spool::test::FaultServer server;
    QVERIFY(server.isRunning());
    const QString url =
        server.url(QStringLiteral("/file/slow.bin?size=3000000&hold=a&holdat=400000"));
    const QString dir = m_dir->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(!add({ QStringLiteral("download"), url, QStringLiteral("--dir"), dir }).isEmpty());
    std::unique_ptr<QProcess> a = startLeasedRunner(1);
    QTRY_VERIFY_WITH_TIMEOUT(firstJobProgress() >= 300000, 60000);
    QVERIFY(freezeOutsideWrites(a->processId()));
    const Output b = runLeasedUntilEmpty(1, 120000);
    QCOMPARE(b.exitCode, 0);
    const QString file = QDir(dir).filePath(QStringLiteral("slow.bin"));
    QCOMPARE(QFileInfo(file).size(), 3000000);
    const QDateTime finished = QFileInfo(file).fileTime(QFileDevice::FileModificationTime);
    ::kill(static_cast<pid_t>(a->processId()), SIGCONT);
    QTest::qWait(3000); // A reads what its socket holds, and learns at its next heartbeat
    ::kill(static_cast<pid_t>(a->processId()), SIGTERM);
    QVERIFY(a->waitForFinished(60000));
    QCOMPARE(QFileInfo(file).fileTime(QFileDevice::FileModificationTime), finished);
    QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden),
        QStringList { QStringLiteral("slow.bin") });
    QCOMPARE(listJson().at(0).toObject().value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
}

QTEST_GUILESS_MAIN(TestSpoolctl)
#include "tst_spoolctl.moc"
