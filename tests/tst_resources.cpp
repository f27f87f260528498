// Resource faults through the real spoolctl: a full disk (downloads, renders, the queue's own
// database), a database another process keeps locked. Each gives a one-line reason, loses
// nothing, and the job succeeds once the resource is back and it is retried.
#include <csignal>
#include <sys/statvfs.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "builtinkinds.h"
#include "faultserver.h"
#include "queue/jobqueueimpl.h"
#include "spoolctlprocess.h"
#include "store/sqlitejobstore.h"
#include "util/datadir.h"
#include "util/outputfiles.h"

using spool::test::CtlOutput;

namespace {

// A small tmpfs at `path` (tests run as root in CI; elsewhere they are skipped, saying why).
class SmallDisk
{
public:
    SmallDisk(const QString &path, const QString &size)
        : m_path(path)
    {
        QDir().mkpath(path);
        m_mounted = mount({ QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
            QStringLiteral("size=") + size, QStringLiteral("tmpfs"), path });
    }
    ~SmallDisk()
    {
        if (m_mounted)
            QProcess::execute(QStringLiteral("umount"), { QStringLiteral("-l"), m_path });
    }
    bool isMounted() const { return m_mounted; }
    bool grow(const QString &size) const
    {
        return mount({ QStringLiteral("-o"), QStringLiteral("remount,size=") + size, m_path });
    }

private:
    static bool mount(const QStringList &args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedChannels);
        p.start(QStringLiteral("mount"), args);
        return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit
            && p.exitCode() == 0;
    }

    QString m_path;
    bool m_mounted = false;
};

// The fault server's body: byte i is (i * 7) % 251.
QByteArray serverBytes(qint64 size)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        out[i] = char((i * 7) % 251);
    return out;
}

// Writes a filler file into `dir` until only `room` bytes are free on its file system.
bool fillLeaving(const QString &dir, qint64 room)
{
    struct statvfs fs
    {
    };
    if (::statvfs(QFile::encodeName(dir).constData(), &fs) != 0)
        return false;
    const qint64 fill = qint64(fs.f_bavail) * qint64(fs.f_frsize) - room;
    QFile filler(QDir(dir).filePath(QStringLiteral("filler")));
    return fill > 0 && filler.open(QIODevice::WriteOnly)
        && filler.write(QByteArray(fill, 'x')) == fill && filler.flush();
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject jobById(const QJsonArray &jobs, const QString &id)
{
    for (const QJsonValue &job : jobs) {
        if (job.toObject().value(QStringLiteral("id")).toString() == id)
            return job.toObject();
    }
    return {};
}

// Another connection holding the queue's write lock (a backup, a sqlite3 shell) while it lives.
class WriteLockHolder
{
public:
    explicit WriteLockHolder(const QString &dataDir)
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), kName);
        db.setDatabaseName(spool::datadir::databasePath(dataDir));
        m_held = db.open() && QSqlQuery(db).exec(QStringLiteral("BEGIN EXCLUSIVE"));
    }
    ~WriteLockHolder()
    {
        QSqlDatabase::database(kName, false).close();
        QSqlDatabase::removeDatabase(kName);
    }
    bool isHeld() const { return m_held; }
    bool release()
    {
        return QSqlQuery(QSqlDatabase::database(kName, false)).exec(QStringLiteral("ROLLBACK"));
    }

private:
    static inline const QString kName = QStringLiteral("holder");
    bool m_held = false;
};

spool::NewJob sleepJob()
{
    return spool::NewJob { QUuid::createUuid(), QStringLiteral("sleep"),
        QJsonObject { { QStringLiteral("ms"), 1 } }, 3 };
}

} // namespace

class TestResources : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void fullDiskFailsClearlyThenRecovers();
    void fullDatabaseDiskLosesNothing();
    void lockedDatabaseIsWaitedFor();
    void databaseLockedTooLongFailsClearly();
    void failingWritesAreAProblemUntilTheyWork();
    void outputFolderRemovedDuringDownload();
    void removedFolderIsNamed();
    void sceneReplacedDuringRender();

private:
    CtlOutput ctl(const QStringList &args, int timeoutMs = 30000) const
    {
        return spool::test::runSpoolctl(dataDir(), args, timeoutMs);
    }
    QString add(const QStringList &args) const;
    void startRunUntilEmpty(QProcess &runner) const; // `spoolctl run --until-empty`, not waited for
    QString dataDir() const { return m_dir->filePath(QStringLiteral("data")); }
    QString integrity() const;

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestResources::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestResources::cleanup()
{
    m_dir.reset();
}

QString TestResources::add(const QStringList &args) const
{
    const CtlOutput o = ctl(QStringList { QStringLiteral("add") } + args);
    if (o.exitCode != 0)
        qWarning("add failed: %s", qPrintable(o.err));
    return o.out.trimmed();
}

// At normal priority: these tests check what a fault does, not priority (tst_queue does), and at
// the default (low) a render beside two busy loops under TSan outlasted its 120 s.
void TestResources::startRunUntilEmpty(QProcess &runner) const
{
    runner.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    runner.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("run"),
            QStringLiteral("--until-empty"), QStringLiteral("--quiet"),
            QStringLiteral("--priority"), QStringLiteral("normal") });
}

QString TestResources::integrity() const
{
    QString result;
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
        db.setDatabaseName(spool::datadir::databasePath(dataDir()));
        QSqlQuery q(db);
        if (db.open() && q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next())
            result = q.value(0).toString();
        else
            result = db.lastError().text();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
    return result;
}

void TestResources::fullDiskFailsClearlyThenRecovers()
{
    // Two folders on disks too small for what is written there: a 3 MB download on 1 MiB, a
    // 16-bit 640 x 480 PNG on 64 KiB.
    const QString downloads = m_dir->filePath(QStringLiteral("downloads"));
    const QString pictures = m_dir->filePath(QStringLiteral("pictures"));
    SmallDisk downloadDisk(downloads, QStringLiteral("1m"));
    if (!downloadDisk.isMounted())
        QSKIP("mounting a small tmpfs needs root (CI runs as root)");
    SmallDisk pictureDisk(pictures, QStringLiteral("64k"));
    QVERIFY(pictureDisk.isMounted());
    spool::test::FaultServer server;
    QVERIFY(server.isRunning());

    const QString download = add({ QStringLiteral("download"),
        server.url(QStringLiteral("/file/big.bin?size=3000000")), QStringLiteral("--dir"),
        downloads, QStringLiteral("--max-attempts"), QStringLiteral("1") });
    const QString picture = QDir(pictures).filePath(QStringLiteral("wuson.png"));
    const QString render =
        add({ QStringLiteral("render"), QStringLiteral("/usr/share/assimp/models/OFF/Wuson.off"),
            QStringLiteral("--out"), picture, QStringLiteral("--width"), QStringLiteral("640"),
            QStringLiteral("--height"), QStringLiteral("480"), QStringLiteral("--samples"),
            QStringLiteral("2"), QStringLiteral("--depth"), QStringLiteral("16"),
            QStringLiteral("--max-attempts"), QStringLiteral("1") });
    QVERIFY(!download.isEmpty() && !render.isEmpty());
    QCOMPARE(ctl({ QStringLiteral("run"), QStringLiteral("--until-empty") }, 120000).exitCode, 0);

    QJsonArray jobs = spool::test::listJobs(dataDir());
    for (const QString &id : { download, render }) {
        const QJsonObject job = jobById(jobs, id);
        QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("failed"));
        const QString error = job.value(QStringLiteral("error")).toString();
        QVERIFY2(error.contains(QLatin1String(": No space left on device")), qPrintable(error));
        QVERIFY2(!error.contains(QLatin1Char('\n')), qPrintable(error));
    }
    // Nothing half-written is left behind: no partial file, no temporary picture.
    const auto entries = [](const QString &dir) {
        return QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
    };
    QCOMPARE(entries(downloads), QStringList());
    QCOMPARE(entries(pictures), QStringList());

    // Space is back: retried, both succeed with whole files.
    QVERIFY(downloadDisk.grow(QStringLiteral("16m")));
    QVERIFY(pictureDisk.grow(QStringLiteral("16m")));
    QCOMPARE(ctl({ QStringLiteral("retry"), download }).exitCode, 0);
    QCOMPARE(ctl({ QStringLiteral("retry"), render }).exitCode, 0);
    QCOMPARE(ctl({ QStringLiteral("run"), QStringLiteral("--until-empty") }, 120000).exitCode, 0);
    jobs = spool::test::listJobs(dataDir());
    QCOMPARE(jobById(jobs, download).value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
    QCOMPARE(jobById(jobs, render).value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
    QVERIFY(readAll(QDir(downloads).filePath(QStringLiteral("big.bin"))) == serverBytes(3000000));
    const QImage image(picture);
    QCOMPARE(image.size(), QSize(640, 480));
    QCOMPARE(entries(pictures), QStringList { QStringLiteral("wuson.png") });
}

void TestResources::fullDatabaseDiskLosesNothing()
{
    SmallDisk disk(dataDir(), QStringLiteral("1m"));
    if (!disk.isMounted())
        QSKIP("mounting a small tmpfs needs root (CI runs as root)");
    // A queue, then a file that leaves it 96 KiB: about a hundred more jobs fit (measured), not
    // thousands.
    QVERIFY(
        !add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("1") }).isEmpty());
    QVERIFY(fillLeaving(dataDir(), 96 * 1024));
    int added = 1;
    CtlOutput refused;
    for (int i = 0; i < 5000; ++i) {
        const CtlOutput o = ctl({ QStringLiteral("add"), QStringLiteral("sleep"),
            QStringLiteral("--ms"), QStringLiteral("1") });
        if (o.exitCode != 0) {
            refused = o;
            break;
        }
        ++added;
    }
    QVERIFY2(refused.exitCode == 1, qPrintable(QString::number(refused.exitCode)));
    QVERIFY2(refused.err.contains(QLatin1String("disk is full")), qPrintable(refused.err));
    QCOMPARE(refused.err.trimmed().count(QLatin1Char('\n')), 0);
    QVERIFY(refused.out.isEmpty()); // no id for a job that was not queued
    qInfo("queued %d jobs before the disk was full", added);
    // Every job that was acknowledged is there, none that was not, and the file is sound.
    QCOMPARE(integrity(), QStringLiteral("ok"));
    QCOMPARE(spool::test::listJobs(dataDir()).size(), added);

    QVERIFY(disk.grow(QStringLiteral("8m")));
    QVERIFY(
        !add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("1") }).isEmpty());
    QCOMPARE(ctl({ QStringLiteral("run"), QStringLiteral("--workers"), QStringLiteral("2"),
                     QStringLiteral("--until-empty"), QStringLiteral("--quiet") },
                 120000)
                 .exitCode,
        0);
    const QJsonArray jobs = spool::test::listJobs(dataDir());
    QCOMPARE(jobs.size(), added + 1);
    for (const QJsonValue &job : jobs)
        QCOMPARE(
            job.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(integrity(), QStringLiteral("ok"));
}

// Another process holds the queue's write lock for 10 s (a backup, a sqlite3 shell): spoolctl
// waits for it (up to 6 tries of the 5 s busy timeout) and then queues the job.
void TestResources::lockedDatabaseIsWaitedFor()
{
    QVERIFY(
        !add({ QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("1") }).isEmpty());
    {
        QSqlDatabase holder =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("holder"));
        holder.setDatabaseName(spool::datadir::databasePath(dataDir()));
        QVERIFY(holder.open());
        QSqlQuery lock(holder);
        QVERIFY2(lock.exec(QStringLiteral("BEGIN EXCLUSIVE")), qPrintable(lock.lastError().text()));

        QProcess adding;
        adding.start(QStringLiteral(SPOOLCTL_PATH),
            { QStringLiteral("--data-dir"), dataDir(), QStringLiteral("add"),
                QStringLiteral("sleep"), QStringLiteral("--ms"), QStringLiteral("1") });
        QVERIFY(adding.waitForStarted());
        QTest::qWait(10000);
        // It cannot have finished: the lock is still held.
        QCOMPARE(adding.state(), QProcess::Running);
        // Readers are not blocked meanwhile (WAL): list answers at once.
        QCOMPARE(spool::test::listJobs(dataDir()).size(), 1);
        QVERIFY(lock.exec(QStringLiteral("ROLLBACK")));
        QVERIFY(adding.waitForFinished(30000));
        QCOMPARE(adding.exitCode(), 0);
        QVERIFY(!adding.readAllStandardOutput().trimmed().isEmpty());
        holder.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("holder"));
    QCOMPARE(spool::test::listJobs(dataDir()).size(), 2);
}

// Held past every try: a clear error, and nothing half-done.
void TestResources::databaseLockedTooLongFailsClearly()
{
    spool::SqliteJobStore::Options options;
    options.dataDir = dataDir();
    options.busyTimeoutMs = 100; // the same path as 5 s, without waiting 30 s for it
    auto store = spool::SqliteJobStore::open(options);
    QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().message));
    {
        WriteLockHolder holder(dataDir());
        QVERIFY(holder.isHeld());
        const auto refused = store.value()->enqueue({ sleepJob() }, 1000);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, spool::ErrorCode::Storage);
        QVERIFY2(refused.error().message.contains(QLatin1String("database is locked")),
            qPrintable(refused.error().message));
        QVERIFY(holder.release());
    }
    QCOMPARE(store.value()->query(spool::JobQuery {})->size(), 0);
    QVERIFY(store.value()->enqueue({ sleepJob() }, 1000).ok());
    QCOMPARE(store.value()->query(spool::JobQuery {})->size(), 1);
}

// Another process keeps the write lock: reads work, every write fails. The queue says so and
// does not say it works again because a read did (the window's red line would blink, and a
// runner would print the reason again every two seconds); it does once the writes work.
void TestResources::failingWritesAreAProblemUntilTheyWork()
{
    spool::SqliteJobStore::Options options;
    options.dataDir = dataDir();
    options.busyTimeoutMs = 100;
    auto opened = spool::SqliteJobStore::open(options);
    QVERIFY(opened.ok());
    std::shared_ptr<spool::JobStore> store(std::move(opened.value()));
    QVERIFY(store->enqueue({ sleepJob(), sleepJob(), sleepJob() }, 1000).ok());
    auto registry = std::make_shared<spool::JobKindRegistry>();
    spool::registerBuiltinKinds(*registry, spool::BuiltinSettings { dataDir(), dataDir() });
    spool::QueueConfig config;
    config.workers = 1;
    config.recoverEveryMs = 100; // reads that work, ten times a second
    config.workRoot = QDir(dataDir()).filePath(QStringLiteral("work"));
    {
        WriteLockHolder holder(dataDir());
        QVERIFY(holder.isHeld());
        spool::JobQueueImpl queue(store, registry, config);
        int errors = 0;
        int recoveries = 0;
        connect(&queue, &spool::JobQueue::storageError, this, [&] { ++errors; });
        connect(&queue, &spool::JobQueue::storageRecovered, this, [&] { ++recoveries; });
        queue.start();
        // A claim is tried again every second: three failures, with many good reads between.
        QTRY_VERIFY_WITH_TIMEOUT(errors >= 3, 30000);
        QCOMPARE(recoveries, 0);
        QVERIFY(holder.release());
        QTRY_COMPARE_WITH_TIMEOUT(recoveries, 1, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(store->counts()->succeeded, qint64(3), 30000);
        queue.stop(spool::StopMode::Release);
        QTRY_VERIFY(queue.isStopped());
    }
}

// The user removes the download folder while the file is on its way: the attempt fails saying
// so (not "Source file does not exist"), and the next one makes the folder again (as
// `wget -P` and `curl --create-dirs` do) and succeeds.
void TestResources::outputFolderRemovedDuringDownload()
{
    spool::test::FaultServer server;
    QVERIFY(server.isRunning());
    // The server stops after 500,000 bytes until another request with the same key is answered:
    // the test removes the folder while the runner is surely mid-file, then makes that request.
    const QString url =
        server.url(QStringLiteral("/file/gone.bin?size=2000000&hold=g&holdat=500000"));
    const QString folder = m_dir->filePath(QStringLiteral("downloads"));
    QVERIFY(QDir().mkpath(folder));
    const QString id = add({ QStringLiteral("download"), url, QStringLiteral("--dir"), folder });
    QVERIFY(!id.isEmpty());
    QProcess runner;
    startRunUntilEmpty(runner);
    const auto partSize = [&] {
        const QFileInfoList parts = QDir(folder).entryInfoList(QDir::Files | QDir::Hidden);
        return parts.size() == 1 ? parts.first().size() : 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(partSize() >= 500000, 60000);
    QVERIFY(QDir(folder).removeRecursively());
    {
        QNetworkAccessManager network; // the other request: the held one goes on
        std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(QUrl(url))));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 60000);
    }
    QVERIFY(runner.waitForFinished(120000));
    QCOMPARE(runner.exitCode(), 0);
    const QJsonObject job = jobById(spool::test::listJobs(dataDir()), id);
    QCOMPARE(job.value(QStringLiteral("state")).toString(), QStringLiteral("succeeded"));
    QCOMPARE(job.value(QStringLiteral("attempts")).toInt(), 2);
    QVERIFY(spool::test::timelineMentions(
        dataDir(), id, QStringLiteral("the folder %1 was removed while the job ran").arg(folder)));
    QVERIFY(readAll(QDir(folder).filePath(QStringLiteral("gone.bin"))) == serverBytes(2000000));
}

// What every job kind's output helpers say about a folder that went away.
void TestResources::removedFolderIsNamed()
{
    const QString folder = m_dir->filePath(QStringLiteral("gone"));
    QFile file(QDir(folder).filePath(QStringLiteral("x.png")));
    auto opened = spool::outputfiles::openForWriting(file, QIODevice::WriteOnly);
    QVERIFY(!opened.ok());
    QCOMPARE(opened.error().message,
        QStringLiteral("the folder %1 does not exist (any more)").arg(folder));
    auto moved = spool::outputfiles::moveIntoPlace(QDir(folder).filePath(QStringLiteral(".x.part")),
        QDir(folder).filePath(QStringLiteral("x")));
    QVERIFY(!moved.ok());
    QCOMPARE(moved.error().message,
        QStringLiteral("the folder %1 was removed while the job ran").arg(folder));
}

// The scene file is replaced while it renders: the picture is of the scene as loaded (it is
// in memory), and the timeline says so.
void TestResources::sceneReplacedDuringRender()
{
    const QString scene = m_dir->filePath(QStringLiteral("scene.off"));
    QVERIFY(QFile::copy(QStringLiteral("/usr/share/assimp/models/OFF/Wuson.off"), scene));
    const QString picture = m_dir->filePath(QStringLiteral("scene.png"));
    const QString id = add({ QStringLiteral("render"), scene, QStringLiteral("--out"), picture,
        QStringLiteral("--width"), QStringLiteral("320"), QStringLiteral("--height"),
        QStringLiteral("240"), QStringLiteral("--samples"), QStringLiteral("64") });
    QVERIFY(!id.isEmpty());
    QProcess runner;
    startRunUntilEmpty(runner);
    QVERIFY(runner.waitForStarted());
    // Frozen once the first pass has drawn its preview (1 of 64 samples, about 1 s in all here),
    // so that the file is surely replaced mid-render, however fast or slow this machine is.
    const QString preview = QDir(dataDir()).filePath(QStringLiteral("work/%1/preview.png").arg(id));
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(preview), 60000);
    ::kill(pid_t(runner.processId()), SIGSTOP);
    const bool rendering =
        jobById(spool::test::listJobs(dataDir()), id).value(QStringLiteral("state")).toString()
        == QLatin1String("running");
    QFile::remove(scene);
    QVERIFY(QFile::copy(QStringLiteral("/usr/share/assimp/models/OFF/Cube.off"), scene));
    ::kill(pid_t(runner.processId()), SIGCONT);
    QVERIFY(runner.waitForFinished(120000));
    QVERIFY2(rendering, "the render ended before the runner was frozen");
    QCOMPARE(
        jobById(spool::test::listJobs(dataDir()), id).value(QStringLiteral("state")).toString(),
        QStringLiteral("succeeded"));
    QVERIFY(spool::test::timelineMentions(
        dataDir(), id, QStringLiteral("%1 changed while it rendered").arg(scene)));
    QCOMPARE(QImage(picture).size(), QSize(320, 240));
}

QTEST_GUILESS_MAIN(TestResources)
#include "tst_resources.moc"
