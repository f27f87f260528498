// The plugin host: refusals with their reasons, the example plugins running (the legacy one
// under the GIL, checking its own globals), parameters checked against a plugin's schema, and
// spoolctl's `plugins`, `add plugin` and `gil-stats`.
#include <sys/stat.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "diagnostickinds.h"
#include "job/jobkindregistry.h"
#include "plugins/hostio.h"
#include "plugins/pluginhost.h"
#include "plugins/pluginmetadata.h"
#include "queue/jobqueueimpl.h"
#include "store/memoryjobstore.h"
#include "util/sleepinsteps.h"
#include "util/tsan.h"

using namespace spool;

namespace {

#ifdef SPOOL_TSAN
constexpr int kRunTimeoutMs = 240000;
#else
constexpr int kRunTimeoutMs = 60000;
#endif

// A queue of plugin jobs (and the diagnostic kinds) on an in-memory store, as the tests use.
class PluginQueue
{
public:
    explicit PluginQueue(int workers, const std::function<void(QueueConfig &)> &adjust = {})
        : registry(std::make_shared<JobKindRegistry>())
        , store(std::make_shared<MemoryJobStore>())
    {
        registerPluginKind(*registry);
        registerDiagnosticKinds(*registry);
        QueueConfig config;
        config.workers = workers;
        config.workRoot = dir.filePath(QStringLiteral("work"));
        if (adjust)
            adjust(config);
        queue = std::make_unique<JobQueueImpl>(store, registry, config);
        QObject::connect(queue.get(), &JobQueue::jobFinished, &m_context,
            [this](const JobRecord &r) { finished.insert(r.id, r); });
        QObject::connect(queue.get(), &JobQueue::jobsChanged, &m_context,
            [this](const QList<JobRecord> &records) {
                for (const JobRecord &r : records)
                    latest.insert(r.id, r);
            });
    }
    ~PluginQueue() { stop(); }
    Q_DISABLE_COPY_MOVE(PluginQueue)

    // A job of a plugin's kind; the tests queue only parameters the schema accepts.
    QUuid add(const QString &kind, const QStringList &params)
    {
        QJsonArray list;
        for (const QString &p : params)
            list.append(p);
        auto checked = registry->validate(QStringLiteral("plugin"),
            QJsonObject { { QStringLiteral("name"), kind }, { QStringLiteral("param"), list } });
        if (!checked)
            qFatal("%s", qPrintable(checked.error().message));
        return queue->enqueue(QStringLiteral("plugin"), checked.value()).value();
    }

    // Lets go of the running jobs; whether the queue stopped in time.
    bool stop()
    {
        if (m_stopped)
            return true;
        m_stopped = true;
        QSignalSpy stopped(queue.get(), &JobQueue::stopped);
        queue->stop(StopMode::Release);
        return stopped.wait(10000);
    }

    QTemporaryDir dir;
    std::shared_ptr<JobKindRegistry> registry;
    std::shared_ptr<MemoryJobStore> store;
    std::unique_ptr<JobQueueImpl> queue;
    QHash<QUuid, JobRecord> finished; // from jobFinished
    QHash<QUuid, JobRecord> latest; // from jobsChanged

private:
    QObject m_context;
    bool m_stopped = false;
};

// The host with the example plugins and the crasher (a plugin that crashes, aborts or hangs on
// purpose).
PluginHost &withCrasher()
{
    PluginHost &host = PluginHost::instance();
    host.scan({ QStringLiteral(APP_PLUGINS_DIR), QStringLiteral(CRASHER_DIR) });
    return host;
}

QString appPlugin(const char *name)
{
    return QDir(QStringLiteral(APP_PLUGINS_DIR)).filePath(QString::fromLatin1(name));
}

QString testPlugin(const char *name)
{
    return QDir(QStringLiteral(TEST_PLUGINS_DIR)).filePath(QString::fromLatin1(name));
}

struct Ctl
{
    int exitCode = -1;
    QString out, err;
};

Ctl spoolctl(const QStringList &args, const QString &xdgDataHome)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), xdgDataHome);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SPOOLCTL_PATH), args);
    if (!p.waitForFinished(kRunTimeoutMs))
        return {};
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
        QString::fromUtf8(p.readAllStandardError()) };
}

} // namespace

class TestPlugins : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusesWhatItCannotUse();
    void refusalsAreOneLine();
    void pluginsOthersCanChangeAreRefused();
    void checkSaysWhetherAPluginWouldLoad();
    void examplePluginsRun();
    void legacyJobsWaitingForTheLockLeaveTheirSlots();
    void processModeContainsMisbehaviour();
    void modeIsChosenPerPlugin();
    void processModeKeepsHealthyWorkers();
    void parametersFollowThePluginsSchema_data();
    void parametersFollowThePluginsSchema();
    void spoolctlListsRunsAndReports();
    void hostNetworkHelperFetchesAndStops();
    void workerSleepsEndWhileTimeRunsBetweenReadings();
};

void TestPlugins::initTestCase()
{
#ifdef SPOOL_TSAN
    // Instrumented workers would turn the crasher's SIGSEGV into TSan's report and exit(66): let
    // the signal kill the worker as it does in a normal build.
    qputenv("TSAN_OPTIONS", qgetenv("TSAN_OPTIONS") + " handle_segv=0");
#endif
#ifdef __SANITIZE_ADDRESS__
    // The same for ASan (read by the workers when they start; this process keeps its own).
    qputenv("ASAN_OPTIONS", qgetenv("ASAN_OPTIONS") + " handle_segv=0 handle_abort=0");
#endif
}

// A refusal quotes the library's metadata: control characters in it (fuzz_plugin_metadata found
// a newline in an interface name) must not break the one-line reason.
void TestPlugins::refusalsAreOneLine()
{
    PluginInfo info;
    const QString iid = pluginmetadata::read(
        QJsonObject { { QStringLiteral("IID"), QStringLiteral("or\n\x16g.JobPlugin/1") } }, info);
    QVERIFY2(!iid.isEmpty() && !iid.contains(QLatin1Char('\n')), qPrintable(iid));
    const QJsonObject meta { { QStringLiteral("name"), QStringLiteral("p") },
        { QStringLiteral("sdkVersion"), QStringLiteral("1.0") },
        { QStringLiteral("kinds"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), QStringLiteral("bad\nkind") } } } } };
    const QString kind = pluginmetadata::read(
        QJsonObject { { QStringLiteral("IID"), QStringLiteral("org.spool.JobPlugin/1") },
            { QStringLiteral("MetaData"), meta } },
        info);
    QVERIFY2(kind.contains(QLatin1String("bad?kind")), qPrintable(kind));
}

void TestPlugins::refusesWhatItCannotUse()
{
    QTemporaryDir dir;
    QVERIFY(QFile::copy(appPlugin("libwordcount.so"), dir.filePath(QStringLiteral("liba.so"))));
    QVERIFY(QFile::copy(appPlugin("libwordcount.so"), dir.filePath(QStringLiteral("libb.so"))));
    QVERIFY(QFile::copy(
        testPlugin("librefused_newsdk.so"), dir.filePath(QStringLiteral("libnewsdk.so"))));
    QVERIFY(QFile::copy(
        testPlugin("librefused_oldmajor.so"), dir.filePath(QStringLiteral("liboldmajor.so"))));
    {
        QFile junk(dir.filePath(QStringLiteral("libjunk.so")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write(QByteArray(4096, '\x7f'));
        QFile notes(dir.filePath(QStringLiteral("README.txt"))); // not a library: not looked at
        QVERIFY(notes.open(QIODevice::WriteOnly));
    }
    const QList<PluginInfo> found = PluginHost::instance().scan({ dir.path() });
    QHash<QString, PluginInfo> byName;
    for (const PluginInfo &p : found)
        byName.insert(QFileInfo(p.file).fileName(), p);
    QCOMPARE(byName.size(), 5);
    QVERIFY2(byName.value(QStringLiteral("liba.so")).refusal.isEmpty(),
        qPrintable(byName.value(QStringLiteral("liba.so")).refusal));
    QVERIFY(byName.value(QStringLiteral("liba.so")).threadSafe);
    const auto refusal = [&](const char *file) {
        return byName.value(QString::fromLatin1(file)).refusal;
    };
    QVERIFY2(refusal("libb.so").contains(QLatin1String("kind 'wordcount' is already provided by")),
        qPrintable(refusal("libb.so")));
    QVERIFY2(refusal("libjunk.so").startsWith(QLatin1String("not a plugin")),
        qPrintable(refusal("libjunk.so")));
    QVERIFY2(refusal("libnewsdk.so").contains(QLatin1String("built for SDK 1.9, newer than this")),
        qPrintable(refusal("libnewsdk.so")));
    QVERIFY2(refusal("liboldmajor.so").contains(QLatin1String("built for SDK 2")),
        qPrintable(refusal("liboldmajor.so")));
    // Refused plugins provide nothing.
    QVERIFY(!PluginHost::instance().pluginFor(QStringLiteral("from-the-future")));
}

// As ssh refuses a key others can write: a plugin's code runs in Spool, so a plugin that another
// user could have replaced (the file, its folder, or a folder above) is not loaded.
void TestPlugins::pluginsOthersCanChangeAreRefused()
{
    QTemporaryDir dir; // under /tmp: sticky, so that folder does not count
    const QString folder = dir.filePath(QStringLiteral("plugins"));
    QVERIFY(QDir().mkdir(folder));
    const QString file = QDir(folder).filePath(QStringLiteral("libwordcount.so"));
    QVERIFY(QFile::copy(appPlugin("libwordcount.so"), file));
    const auto refusalNow = [&] {
        const QList<PluginInfo> found = PluginHost::instance().scan({ folder });
        return found.size() == 1 ? found.first().refusal
                                 : QStringLiteral("found %1").arg(found.size());
    };
    const QFileDevice::Permissions ownerOnly =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;
    QVERIFY(QFile::setPermissions(folder, ownerOnly));
    QVERIFY(QFile::setPermissions(file, ownerOnly));
    QCOMPARE(refusalNow(), QString());

    QVERIFY(
        QFile::setPermissions(folder, ownerOnly | QFileDevice::WriteOther | QFileDevice::ExeOther));
    QString why = refusalNow();
    QVERIFY2(why.startsWith(folder + QStringLiteral(" is writable by other users (mode 0703)")),
        qPrintable(why));
    QVERIFY(!PluginHost::instance().pluginFor(QStringLiteral("wordcount")));

    QVERIFY(QFile::setPermissions(folder, ownerOnly));
    QVERIFY(QFile::setPermissions(file, ownerOnly | QFileDevice::WriteGroup));
    why = refusalNow();
    QVERIFY2(why.startsWith(file + QStringLiteral(" is writable by other users")), qPrintable(why));
    QVERIFY(!why.contains(QLatin1Char('\n')));

    // A sticky folder (like /tmp) others can write is fine: they cannot replace our entries.
    QVERIFY(QFile::setPermissions(file, ownerOnly));
    QVERIFY(::chmod(QFile::encodeName(folder).constData(), 01777) == 0);
    QCOMPARE(refusalNow(), QString());
}

// `spoolctl plugins --check FILE`, for plugin authors' CI: exit 0 and what would load, or exit 2
// and the reason this Spool would refuse it.
void TestPlugins::checkSaysWhetherAPluginWouldLoad()
{
    QTemporaryDir home; // an empty ~/.local/share: only the application's plugins are installed
    QTemporaryDir dir;
    const auto check = [&](const QString &file) {
        return spoolctl(
            { QStringLiteral("plugins"), QStringLiteral("--check"), file }, home.path());
    };
    Ctl good = check(appPlugin("libwordcount.so"));
    QCOMPARE(good.exitCode, 0);
    QCOMPARE(good.out,
        QStringLiteral("libwordcount.so: would load: wordcount 1.0 (SDK 1.0, thread-safe): "
                       "wordcount\n"));
    // A rebuilt copy of an installed plugin replaces it: no conflict with itself.
    const QString copy = dir.filePath(QStringLiteral("libwordcount.so"));
    QVERIFY(QFile::copy(appPlugin("libwordcount.so"), copy));
    QCOMPARE(check(copy).exitCode, 0);

    const auto refused = [&](const QString &file, const QString &reason) {
        const Ctl r = check(file);
        if (r.exitCode != 2 || !r.out.isEmpty() || r.err.count(u'\n') != 1)
            return QStringLiteral("exit %1, out '%2', err '%3'").arg(r.exitCode).arg(r.out, r.err);
        return r.err.contains(reason) ? QString() : r.err;
    };
    QCOMPARE(
        refused(testPlugin("librefused_newsdk.so"), QStringLiteral("would not load: ")), QString());
    const QString other = dir.filePath(QStringLiteral("libmywords.so"));
    QVERIFY(QFile::copy(appPlugin("libwordcount.so"), other));
    QCOMPARE(refused(other, QStringLiteral("kind 'wordcount' is already provided by ")), QString());
    QVERIFY(QFile::setPermissions(copy, QFile::permissions(copy) | QFileDevice::WriteOther));
    QCOMPARE(refused(copy, QStringLiteral("is writable by other users")), QString());
    QCOMPARE(refused(dir.filePath(QStringLiteral("missing.so")), QStringLiteral("is not a file")),
        QString());
    const QString text = dir.filePath(QStringLiteral("notes.txt"));
    QFile notes(text);
    QVERIFY(notes.open(QIODevice::WriteOnly));
    notes.close();
    QCOMPARE(refused(text, QStringLiteral("is not a shared library")), QString());
}

void TestPlugins::examplePluginsRun()
{
    PluginHost &host = PluginHost::instance();
    host.scan({ QStringLiteral(APP_PLUGINS_DIR) });
    const PluginInfo *legacy = host.pluginFor(QStringLiteral("tally"));
    QVERIFY(legacy);
    QVERIFY(!legacy->threadSafe); // undeclared: legacy
    QVERIFY(host.pluginFor(QStringLiteral("wordcount"))->threadSafe);

    QTemporaryDir dir;
    QFile text(dir.filePath(QStringLiteral("words.txt")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("the quick brown fox\njumps over\n\tthe lazy dog\n");
    text.close();

    PluginQueue q(3);
    const QUuid words =
        q.add(QStringLiteral("wordcount"), { QStringLiteral("file=") + text.fileName() });
    // Three legacy jobs at once on three workers: the GIL makes them take turns. Each checks the
    // plugin's globals at every step, so overlapping runs would fail.
    QList<QUuid> tallies;
    for (int i = 0; i < 3; ++i)
        tallies.append(q.add(QStringLiteral("tally"),
            { QStringLiteral("steps=30000"), QStringLiteral("nap-every=3000") }));
    const QUuid hello = q.add(QStringLiteral("hello"), { QStringLiteral("who=tests") });
    const quint64 acquiredBefore =
        host.gil().stats().value(QStringLiteral("legacytally")).acquisitions;
    q.queue->start();
    QTRY_VERIFY_WITH_TIMEOUT(q.finished.size() == 5, kRunTimeoutMs);

    QCOMPARE(q.finished.value(hello).output, QStringLiteral("greeted tests 3 time(s)")); // template
    QCOMPARE(q.finished.value(words).state, JobState::Succeeded);
    QCOMPARE(q.finished.value(words).output, QStringLiteral("9 words in ") + text.fileName());
    for (const QUuid &id : std::as_const(tallies)) {
        QVERIFY2(q.finished.value(id).state == JobState::Succeeded,
            qPrintable(q.finished.value(id).error));
        QCOMPARE(q.finished.value(id).output, QStringLiteral("sum of 1..30000 = 450015000"));
    }
    const Gil::Stats stats = host.gil().stats().value(QStringLiteral("legacytally"));
    // At least one acquisition per job, and more: every nap releases and takes it again.
    QVERIFY(stats.acquisitions >= acquiredBefore + 3 + 3 * 9);
    QVERIFY(!host.gil().stats().contains(QStringLiteral("wordcount"))); // thread-safe: no lock

    QVERIFY(q.stop());
}

void TestPlugins::legacyJobsWaitingForTheLockLeaveTheirSlots()
{
    // Two workers, two long legacy jobs: one holds the GIL, the other sleeps waiting for it. A
    // thread-safe job queued after them must not wait for either to finish.
    PluginHost &host = PluginHost::instance();
    host.scan({ QStringLiteral(APP_PLUGINS_DIR) });
    host.setGilMode(true);
    PluginQueue q(2);
    QList<QUuid> legacy;
    for (int i = 0; i < 2; ++i)
        legacy.append(q.add(QStringLiteral("tally"), { QStringLiteral("steps=100000000") }));
    const QUuid quick =
        q.queue->enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 100 } }).value();
    q.queue->start();
    QTRY_VERIFY_WITH_TIMEOUT(q.latest.value(quick).state == JobState::Succeeded, kRunTimeoutMs);
    // Both legacy jobs are still at it: the sleep job got a slot one of them left while waiting.
    QCOMPARE(q.latest.value(legacy[0]).state, JobState::Running);
    QCOMPARE(q.latest.value(legacy[1]).state, JobState::Running);
    for (const QUuid &id : std::as_const(legacy))
        q.queue->cancel(id);
    QTRY_VERIFY_WITH_TIMEOUT(q.latest.value(legacy[0]).state == JobState::Canceled
            && q.latest.value(legacy[1]).state == JobState::Canceled,
        kRunTimeoutMs);
    QVERIFY(q.stop());
}

void TestPlugins::processModeContainsMisbehaviour()
{
    PluginHost &host = withCrasher();
    host.setGilMode(false);
    host.setWorkerTimeoutMs(1500);
    PluginQueue q(2, [](QueueConfig &config) {
        config.retry.baseDelayMs = 50; // a crash is retried once, soon
        config.retry.maxDelayMs = 100;
    });
    const QUuid aborts = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=abort") });
    const QUuid segfaults = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=segv") });
    const QUuid exits = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=exit") });
    const QUuid hangs = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=hang") });
    const QUuid behaves = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=ok") });
    const QUuid tally = q.add(QStringLiteral("tally"), { QStringLiteral("steps=1000") });
    q.queue->start();
    QTRY_VERIFY_WITH_TIMEOUT(q.finished.size() == 6, kRunTimeoutMs);
    host.setGilMode(true);
    host.setWorkerTimeoutMs(60000);

    // Each misbehaving job failed alone, with the reason, after one retry (a worker brought
    // down twice is not tried again); the others succeeded.
    const QList<std::pair<QUuid, QString>> crashes { { aborts, QStringLiteral("Aborted") },
        { segfaults, QStringLiteral("Segmentation fault") } };
    for (const auto &[id, signal] : crashes) {
        const JobRecord &r = q.finished.value(id);
        QCOMPARE(r.state, JobState::Failed);
        QCOMPARE(r.attempts, 2);
        QVERIFY2(
            r.error.contains(
                QStringLiteral("crashed its worker process (%1) (the second time").arg(signal)),
            qPrintable(r.error));
    }
    QCOMPARE(q.finished.value(exits).state, JobState::Failed);
    QVERIFY2(q.finished.value(exits).error.contains(QLatin1String("exited (code 3)")),
        qPrintable(q.finished.value(exits).error));
    QCOMPARE(q.finished.value(hangs).state, JobState::Failed);
    QVERIFY2(q.finished.value(hangs).error.contains(QLatin1String("no sign of life")),
        qPrintable(q.finished.value(hangs).error));
    QCOMPARE(q.finished.value(behaves).state, JobState::Succeeded);
    QCOMPARE(q.finished.value(behaves).output, QStringLiteral("behaved"));
    QCOMPARE(q.finished.value(tally).state, JobState::Succeeded);
    QCOMPARE(q.finished.value(tally).progress.done, 1000); // progress crossed the socket
    // Legacy jobs in worker processes run side by side, without the lock.
    const quint64 acquired = host.gil().stats().value(QStringLiteral("legacytally")).acquisitions;
    host.setGilMode(false);
    const QUuid a = q.add(QStringLiteral("tally"), { QStringLiteral("steps=30000") });
    const QUuid b = q.add(QStringLiteral("tally"), { QStringLiteral("steps=30000") });
    QTRY_VERIFY_WITH_TIMEOUT(q.finished.contains(a) && q.finished.contains(b), kRunTimeoutMs);
    host.setGilMode(true);
    for (const QUuid &id : { a, b }) {
        QVERIFY2(q.finished.value(id).state == JobState::Succeeded,
            qPrintable(q.finished.value(id).error));
        QCOMPARE(q.finished.value(id).output, QStringLiteral("sum of 1..30000 = 450015000"));
    }
    QCOMPARE(host.gil().stats().value(QStringLiteral("legacytally")).acquisitions, acquired);
    QVERIFY(q.stop());
}

void TestPlugins::modeIsChosenPerPlugin()
{
    PluginHost &host = withCrasher();
    PluginQueue q(2, [](QueueConfig &config) {
        config.retry.baseDelayMs = 50;
        config.retry.maxDelayMs = 100;
    });
    const auto acquisitions = [&host](const QString &plugin) {
        return host.gil().stats().value(plugin).acquisitions;
    };
    q.queue->start();

    // GIL mode for everyone but the crasher: its abort takes down a worker process, not this
    // one, while the tally job takes the lock.
    host.setGilMode(true);
    host.setPluginGilModes({ { QStringLiteral("crasher"), false } });
    QVERIFY(!host.gilModeFor(QStringLiteral("crasher")));
    QVERIFY(host.gilModeFor(QStringLiteral("legacytally")));
    const quint64 tallyBefore = acquisitions(QStringLiteral("legacytally"));
    const quint64 crasherBefore = acquisitions(QStringLiteral("crasher"));
    const QUuid aborts = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=abort") });
    const QUuid underGil = q.add(QStringLiteral("tally"), { QStringLiteral("steps=1000") });
    QTRY_VERIFY_WITH_TIMEOUT(
        q.finished.contains(aborts) && q.finished.contains(underGil), kRunTimeoutMs);
    QCOMPARE(q.finished.value(aborts).state, JobState::Failed);
    QVERIFY2(q.finished.value(aborts).error.contains(QLatin1String("worker process")),
        qPrintable(q.finished.value(aborts).error));
    QCOMPARE(q.finished.value(underGil).state, JobState::Succeeded);
    QVERIFY(acquisitions(QStringLiteral("legacytally")) > tallyBefore);
    QCOMPARE(acquisitions(QStringLiteral("crasher")), crasherBefore);

    // The other way round: worker processes for everyone but the tally plugin.
    host.setGilMode(false);
    host.setPluginGilModes({ { QStringLiteral("legacytally"), true } });
    const quint64 tallyMiddle = acquisitions(QStringLiteral("legacytally"));
    const QUuid behaves = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=ok") });
    const QUuid stillUnderGil = q.add(QStringLiteral("tally"), { QStringLiteral("steps=1000") });
    QTRY_VERIFY_WITH_TIMEOUT(
        q.finished.contains(behaves) && q.finished.contains(stillUnderGil), kRunTimeoutMs);
    QCOMPARE(q.finished.value(behaves).output, QStringLiteral("behaved"));
    QCOMPARE(q.finished.value(stillUnderGil).state, JobState::Succeeded);
    QVERIFY(acquisitions(QStringLiteral("legacytally")) > tallyMiddle);
    QCOMPARE(acquisitions(QStringLiteral("crasher")), crasherBefore);

    host.setGilMode(true);
    host.setPluginGilModes({});
    QVERIFY(q.stop());
}

void TestPlugins::processModeKeepsHealthyWorkers()
{
    PluginHost &host = withCrasher();
    host.setGilMode(false);
    PluginQueue q(1, [](QueueConfig &config) { config.retry.maxAttempts = 1; }); // in turn
    // The job's "running in worker process PID[ (kept from an earlier job)]" log line.
    const auto workerLine = [&q](const QUuid &id) {
        for (const JobEvent &e : q.store->events(id).value()) {
            if (e.event == QLatin1String("log") && e.detail.startsWith(QLatin1String("running in")))
                return e.detail;
        }
        return QString();
    };
    const auto pidIn = [](const QString &line) { return line.section(QLatin1Char(' '), 4, 4); };

    const QUuid first = q.add(QStringLiteral("tally"), { QStringLiteral("steps=100") });
    const QUuid second = q.add(QStringLiteral("tally"), { QStringLiteral("steps=100") });
    const QUuid crashes = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=abort") });
    const QUuid afterCrash = q.add(QStringLiteral("misbehave"), { QStringLiteral("how=ok") });
    const QUuid third = q.add(QStringLiteral("tally"), { QStringLiteral("steps=100") });
    q.queue->start();
    QTRY_VERIFY_WITH_TIMEOUT(q.finished.size() == 5, kRunTimeoutMs);
    host.setGilMode(true);
    for (const QUuid &id : { first, second, afterCrash, third })
        QVERIFY2(q.finished.value(id).state == JobState::Succeeded,
            qPrintable(q.finished.value(id).error));
    QCOMPARE(q.finished.value(crashes).state, JobState::Failed);

    // The tally plugin's worker served all three of its jobs (the scan above dropped the idle
    // workers of earlier tests); the crasher's died with its job, and the crasher's next job got a
    // fresh one.
    const QString one = workerLine(first), two = workerLine(second), three = workerLine(third);
    QVERIFY2(!one.isEmpty() && !one.contains(QLatin1String("kept")), qPrintable(one));
    QVERIFY2(two.endsWith(QLatin1String("(kept from an earlier job)")), qPrintable(two));
    QVERIFY2(three.endsWith(QLatin1String("(kept from an earlier job)")), qPrintable(three));
    QCOMPARE(pidIn(two), pidIn(one));
    QCOMPARE(pidIn(three), pidIn(one));
    const QString crashed = workerLine(crashes), fresh = workerLine(afterCrash);
    QVERIFY2(!fresh.isEmpty() && !fresh.contains(QLatin1String("kept")), qPrintable(fresh));
    QVERIFY(pidIn(fresh) != pidIn(crashed));

    QVERIFY(q.stop());
}

void TestPlugins::parametersFollowThePluginsSchema_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("params");
    QTest::addColumn<QString>("reason"); // empty: valid
    const auto s = [](const char *t) { return QString::fromLatin1(t); };
    QTest::newRow("valid") << s("tally") << QStringList { s("steps=5") } << QString();
    QTest::newRow("defaults") << s("tally") << QStringList() << QString();
    QTest::newRow("required missing")
        << s("wordcount") << QStringList() << s("needs parameter 'file'");
    QTest::newRow("unknown parameter") << s("tally") << QStringList { s("bogus=1") }
                                       << s("plugin kind 'tally' has no parameter 'bogus'");
    QTest::newRow("not a number") << s("tally") << QStringList { s("steps=many") }
                                  << s("--param steps: 'many' is not a whole number");
    QTest::newRow("below the minimum") << s("tally") << QStringList { s("steps=0") } << s("steps");
    QTest::newRow("not NAME=VALUE")
        << s("tally") << QStringList { s("steps") } << s("'steps' is not NAME=VALUE");
    QTest::newRow("unknown kind") << s("nosuch") << QStringList()
                                  << s("no plugin provides 'nosuch'");
}

void TestPlugins::parametersFollowThePluginsSchema()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, params);
    QFETCH(QString, reason);
    PluginHost::instance().scan({ QStringLiteral(APP_PLUGINS_DIR) });
    JobKindRegistry registry;
    registerPluginKind(registry);
    QJsonArray list;
    for (const QString &p : params)
        list.append(p);
    auto checked = registry.validate(QStringLiteral("plugin"),
        QJsonObject { { QStringLiteral("name"), kind }, { QStringLiteral("param"), list } });
    if (reason.isEmpty()) {
        QVERIFY2(checked.ok(), qPrintable(checked.ok() ? QString() : checked.error().message));
        // Stored as checked: defaults filled in.
        QVERIFY(checked->value(QStringLiteral("param"))
                    .toArray()
                    .contains(QJsonValue(QStringLiteral("nap-every=0"))));
    } else {
        QVERIFY(!checked.ok());
        QVERIFY2(checked.error().message.contains(reason), qPrintable(checked.error().message));
    }
}

void TestPlugins::spoolctlListsRunsAndReports()
{
    QTemporaryDir home, data;
    // The user's plugin directory holds one bad file; the application's has the examples.
    const QString userPlugins = QDir(home.path()).filePath(QStringLiteral("spool/plugins"));
    QVERIFY(QDir().mkpath(userPlugins));
    QFile junk(QDir(userPlugins).filePath(QStringLiteral("libbroken.so")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not an ELF file");
    junk.close();

    const Ctl listed = spoolctl(
        { QStringLiteral("--data-dir"), data.path(), QStringLiteral("plugins") }, home.path());
    QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
    QVERIFY2(listed.out.contains(
                 QLatin1String("wordcount 1.0 (libwordcount.so, SDK 1.0, thread-safe): wordcount")),
        qPrintable(listed.out));
    QVERIFY(listed.out.contains(
        QLatin1String("legacytally 1.0 (liblegacytally.so, SDK 1.0, legacy): tally")));
    QVERIFY(listed.out.contains(QLatin1String("libbroken.so: refused: not a plugin")));

    const Ctl bad = spoolctl({ QStringLiteral("--data-dir"), data.path(), QStringLiteral("add"),
                                 QStringLiteral("plugin"), QStringLiteral("tally"),
                                 QStringLiteral("--param"), QStringLiteral("steps=-3") },
        home.path());
    QCOMPARE(bad.exitCode, 2);
    QVERIFY(bad.err.contains(QLatin1String("steps")));

    // Four legacy jobs on four workers in a fresh process: the first ones start at once, and so
    // find the plugins at once (two concurrent first scans once corrupted the heap here).
    for (int i = 0; i < 4; ++i) {
        const Ctl added =
            spoolctl({ QStringLiteral("--data-dir"), data.path(), QStringLiteral("add"),
                         QStringLiteral("plugin"), QStringLiteral("tally"),
                         QStringLiteral("--param"), QStringLiteral("steps=20000") },
                home.path());
        QVERIFY2(added.exitCode == 0, qPrintable(added.err));
    }
    const Ctl run = spoolctl(
        { QStringLiteral("--data-dir"), data.path(), QStringLiteral("run"),
            QStringLiteral("--workers"), QStringLiteral("4"), QStringLiteral("--until-empty"),
            QStringLiteral("--gil"), QStringLiteral("on") },
        home.path());
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.count(QLatin1String("succeeded: sum of 1..20000")) == 4,
        qPrintable(run.out + run.err));

    const auto tallyAcquisitions = [&] {
        const Ctl stats = spoolctl({ QStringLiteral("--data-dir"), data.path(),
                                       QStringLiteral("gil-stats"), QStringLiteral("--json") },
            home.path());
        if (stats.exitCode != 0)
            qWarning("%s", qPrintable(stats.err));
        return QJsonDocument::fromJson(stats.out.toUtf8())
            .object()
            .value(QStringLiteral("legacytally"))
            .toObject()
            .value(QStringLiteral("acquisitions"))
            .toInt(-1);
    };
    const int acquired = tallyAcquisitions();
    QVERIFY2(acquired >= 4, qPrintable(QString::number(acquired)));

    // One plugin in worker processes while the rest stay under the GIL: no acquisitions added.
    const Ctl again = spoolctl({ QStringLiteral("--data-dir"), data.path(), QStringLiteral("add"),
                                   QStringLiteral("plugin"), QStringLiteral("tally"),
                                   QStringLiteral("--param"), QStringLiteral("steps=20000") },
        home.path());
    QVERIFY2(again.exitCode == 0, qPrintable(again.err));
    const Ctl isolated =
        spoolctl({ QStringLiteral("--data-dir"), data.path(), QStringLiteral("run"),
                     QStringLiteral("--until-empty"), QStringLiteral("--gil"), QStringLiteral("on"),
                     QStringLiteral("--plugin-mode"), QStringLiteral("legacytally=process") },
            home.path());
    QVERIFY2(isolated.exitCode == 0, qPrintable(isolated.err));
    QVERIFY2(isolated.out.contains(QLatin1String("succeeded: sum of 1..20000")),
        qPrintable(isolated.out + isolated.err));
    QCOMPARE(tallyAcquisitions(), acquired);

    // A mode for a plugin that is not there, is thread-safe, or a mode that does not exist.
    const QList<std::pair<QString, QString>> badModes {
        { QStringLiteral("nosuch=gil"), QStringLiteral("no plugin named 'nosuch'") },
        { QStringLiteral("wordcount=process"), QStringLiteral("is thread-safe") },
        { QStringLiteral("legacytally=fast"), QStringLiteral("PLUGIN=gil or PLUGIN=process") },
        { QStringLiteral("legacytally"), QStringLiteral("PLUGIN=gil or PLUGIN=process") },
    };
    for (const auto &[value, reason] : badModes) {
        const Ctl refused =
            spoolctl({ QStringLiteral("--data-dir"), data.path(), QStringLiteral("run"),
                         QStringLiteral("--until-empty"), QStringLiteral("--plugin-mode"), value },
                home.path());
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(reason), qPrintable(refused.err));
    }
}

void TestPlugins::hostNetworkHelperFetchesAndStops()
{
    // What a plugin's httpGet() runs (in the Spool process and in spool-worker-host), against
    // the test server on 127.0.0.1.
    QProcess server;
    server.start(QStringLiteral("python3"), { QStringLiteral(FAULT_SERVER_PATH) });
    QVERIFY(server.waitForReadyRead(10000));
    const QByteArray line = server.readLine().trimmed();
    QVERIFY(line.startsWith("PORT "));
    const QString base =
        QStringLiteral("http://127.0.0.1:%1").arg(QString::fromLatin1(line.mid(5)));

    QString error;
    const QByteArray body = hostio::httpGet(
        QUrl(base + QStringLiteral("/file/data.bin?size=5000")), [] { return false; }, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(body.size(), 5000);

    error.clear();
    QVERIFY(hostio::httpGet(QUrl(base + QStringLiteral("/status?code=404")), {}, &error).isEmpty());
    QVERIFY(!error.isEmpty());

    // A stop request aborts a slow transfer within a check (50 ms), not at its end.
    QElapsedTimer timer;
    timer.start();
    error.clear();
    const QByteArray partial = hostio::httpGet(
        QUrl(base + QStringLiteral("/file/slow.bin?size=50000000&drip=40")),
        [&] { return timer.elapsed() > 200; }, &error);
    QVERIFY(partial.isEmpty());
    QVERIFY(!error.isEmpty());
    QVERIFY(timer.elapsed() < 5000);
    server.kill();
    server.waitForFinished();
}

QTEST_GUILESS_MAIN(TestPlugins)
// The worker host's sleepFor, with a clock that moves on 7 ms at every reading, as a loaded
// machine's would between two statements. When it read the clock twice per step, the last step
// came out negative and, passed on as unsigned, slept for ever.
void TestPlugins::workerSleepsEndWhileTimeRunsBetweenReadings()
{
    qint64 now = 0;
    QList<qint64> steps;
    int asked = 0;
    const SleepSteps how { [&asked] { return ++asked > 1000; }, [&now] { return now += 7; },
        [&steps, &now](qint64 ms) {
            steps.append(ms);
            now += ms;
        } };
    // Every length up to 60 ms: some of them end with a reading just short of the end.
    for (qint64 total = 1; total <= 60; ++total) {
        now = 0;
        asked = 0;
        steps.clear();
        QVERIFY(sleepInSteps(total, 10, how));
        for (qint64 step : std::as_const(steps))
            QVERIFY2(step > 0 && step <= 10,
                qPrintable(QStringLiteral("a step of %1 ms in %2").arg(step).arg(total)));
        QVERIFY(now >= total);
    }

    // A stop ends it before the next step.
    asked = 0;
    const int stopAt = 3;
    steps.clear();
    const SleepSteps stopping { [&asked, stopAt] { return ++asked >= stopAt; },
        [&now] { return now; }, [&steps](qint64 ms) { steps.append(ms); } };
    now = 0;
    QVERIFY(!sleepInSteps(100, 10, stopping));
    QCOMPARE(steps.size(), stopAt - 1);
}

#include "tst_plugins.moc"
