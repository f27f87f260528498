// Renders on the shared queue: one picture split across runner processes that present
// themselves as different machines, its parts' samples, scene files and previews carried by the
// queue, and the merged picture equal to the render in one piece, even when a runner holding a
// part is killed.
#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include "builtinkinds.h"
#include "imagediff.h"
#include "job/jobkindregistry.h"
#include "queue/jobqueueimpl.h"
#include "sharedqueuefixture.h"

using namespace spool;
using spool::test::maxChannelDifference;
using test::Runner;

namespace {

// The split renders' size: a picture in parts equals the picture in one piece at any size, and
// this one is rendered twice on one thread each, within the timeouts under TSan on a loaded
// machine (at 640 x 480 and 96 samples its first pass alone took 137 s there). A part must also
// run long enough for killRunnerMidPart to find it running with its progress stored (at each
// heartbeat, every 250 ms): at 48 samples a part of three took 0.2 s in the plain build, and 3 runs
// in 6 found none; at 384 it takes about 1.6 s. Under TSan 48 samples take longer than that.
#ifdef SPOOL_TSAN
constexpr int kSplitRenderSamples = 48;
#else
constexpr int kSplitRenderSamples = 384;
#endif
const QStringList kSplitRenderSize { QStringLiteral("--width"), QStringLiteral("320"),
    QStringLiteral("--height"), QStringLiteral("240"), QStringLiteral("--samples"),
    QString::number(kSplitRenderSamples), QStringLiteral("--threads"), QStringLiteral("1") };

} // namespace

class TestFarmRender : public test::SharedQueueFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startServers(); }
    void init() { freshQueue(); }

    void splitAutoMakesOnePartPerMachine();
    void renderOnAnotherMachineSharesItsPreview();
    void splitRenderAcrossMachinesEqualsTheWholeRender();
    void sceneComesThroughTheQueueWithoutASharedDrive();
    void splitRenderThroughTheQueueSurvivesAKilledRunner();
    void deliveryTakesTheSamplesOfPartsThatRanBesideIt();
    void damagedSceneFileFailsItsRender();
    void sceneOnSharedStorageStaysOutOfTheQueue();
    void sceneTooLargeForTheQueueIsRefused();

private:
    // Ends the server's connections named `appName`; true once the server has let them all go
    // (within 30 s). Whatever their client sent before is then in or out for good.
    bool cutConnections(const QString &appName);
    // Waits for one of `parts` to run on one of `runners` with progress made, then kills that
    // runner (frozen first, so that the part cannot finish while we look) and drops it from
    // `runners`. The part as it was seen; a null id when none was seen within two minutes.
    JobRecord killRunnerMidPart(
        JobStore &store, const QList<QUuid> &parts, std::vector<std::unique_ptr<Runner>> &runners);
    // The machines the job was started on, from its timeline.
    QStringList startedOn(JobStore &store, const QUuid &id);
    // The log lines of job `id` that contain `text`.
    QStringList logged(JobStore &store, const QUuid &id, const QString &text);
    // Queues a job through a JobQueueImpl on the shared queue, as the app does; true once it is
    // in the queue.
    bool queueAsTheAppDoes(const QString &kind, const QJsonObject &params);
    // A glTF project under `root` as people keep one; the path of its scene.
    static QString makeProject(const QString &root);
    // `spoolctl add render SCENE --out PNG` at 160 x 120 on the shared queue, plus `extra`.
    test::CtlOutput addRender(
        const QString &scene, const QString &png, const QStringList &extra = {});
};

// `--split auto` counts the machines whose runners are alive on the queue when the render is
// queued: three machines, three parts, and the render they make.
void TestFarmRender::splitAutoMakesOnePartPerMachine()
{
    auto store = openStore();
    QVERIFY(store);
    // Runners with work waiting (they run until the queue is empty), on a paused queue.
    QVERIFY(store->setQueuePaused(true, QDateTime::currentMSecsSinceEpoch()).ok());
    QCOMPARE(enqueueSleeps(*store, 1, 1).size(), 1);
    auto runners = startRunners(3, 1, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 3, 60000);
    const auto addAuto = [&](const QString &out, int samples) {
        return test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
            { QStringLiteral("--queue"), m_url, QStringLiteral("add"), QStringLiteral("render"),
                QStringLiteral("procedural:terrain"), QStringLiteral("--out"), out,
                QStringLiteral("--width"), QStringLiteral("64"), QStringLiteral("--height"),
                QStringLiteral("48"), QStringLiteral("--samples"), QString::number(samples),
                QStringLiteral("--split"), QStringLiteral("auto"), QStringLiteral("--inputs"),
                QStringLiteral("shared-path") },
            60000);
    };
    const QString out = m_dirs->filePath(QStringLiteral("auto.png"));
    const test::CtlOutput added = addAuto(out, 6);
    QCOMPARE(added.exitCode, 0);
    QCOMPARE(added.out.count(QLatin1Char('\n')), 3);
    QCOMPARE(added.err,
        QStringLiteral("spoolctl: note: --split auto is 3: the machines that run the queue now\n"));
    // Never more parts than samples: each part renders some.
    const QString fewer = m_dirs->filePath(QStringLiteral("auto-2-samples.png"));
    const test::CtlOutput capped = addAuto(fewer, 2);
    QCOMPARE(capped.exitCode, 0);
    QCOMPARE(capped.out.count(QLatin1Char('\n')), 2);
    QCOMPARE(capped.err,
        QStringLiteral("spoolctl: note: --split auto is 2: 3 machines run the queue now, and "
                       "there are 2 samples to share\n"));
    QVERIFY(store->setQueuePaused(false, QDateTime::currentMSecsSinceEpoch()).ok());
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");
    QCOMPARE(store->counts()->succeeded, qint64(1 + 3 + 2));
    QCOMPARE(QImage(out).size(), QSize(64, 48));
    QCOMPARE(QImage(fewer).size(), QSize(64, 48));
}

// A render running on another machine is seen live in a window here: its runner shares a small
// picture through the queue (a JPEG, 256 pixels a side at most); only the runner that holds the
// job can write it, and a window asks for it through its own queue.
void TestFarmRender::renderOnAnotherMachineSharesItsPreview()
{
    const auto added = test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        { QStringLiteral("--queue"), m_url, QStringLiteral("add"), QStringLiteral("render"),
            QStringLiteral("procedural:terrain"), QStringLiteral("--out"),
            m_dirs->filePath(QStringLiteral("shared-preview.png")), QStringLiteral("--width"),
            QStringLiteral("640"), QStringLiteral("--height"), QStringLiteral("360"),
            QStringLiteral("--samples"), QStringLiteral("4096"), QStringLiteral("--threads"),
            QStringLiteral("1"), QStringLiteral("--inputs"), QStringLiteral("shared-path") },
        60000);
    QCOMPARE(added.exitCode, 0);
    const QUuid id(added.out.trimmed());
    auto store = openStore();
    QVERIFY(store);
    auto runners = startRunners(1, 1, 30000);
    const auto preview = [&] {
        auto shared = store->sharedPreview(id);
        return shared ? shared.value() : QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(!preview().isEmpty(), 120000);
    QCOMPARE(QImage::fromData(preview(), "JPEG").size(), QSize(256, 144));

    // A runner that does not hold the job (a stale token) writes nothing.
    JobQuery query;
    query.ids = { id };
    const JobRecord running = store->query(query).value().value(0);
    QCOMPARE(running.state, JobState::Running);
    QVERIFY(store->sharePreview(id, running.leaseToken + 1, QByteArrayLiteral("stale"), 1).ok());
    QVERIFY(preview() != QByteArrayLiteral("stale"));

    // A window on this machine (no workers) asks its queue, which answers off its thread.
    {
        QueueConfig config;
        config.workers = 0;
        JobQueueImpl window(
            std::shared_ptr<JobStore>(openStore()), std::make_shared<JobKindRegistry>(), config);
        window.start();
        QSignalSpy answered(&window, &JobQueue::sharedPreviewReady);
        window.requestSharedPreview(id);
        QTRY_COMPARE_WITH_TIMEOUT(answered.size(), 1, 30000);
        QCOMPARE(answered.first().at(0).toUuid(), id);
        QVERIFY(!QImage::fromData(answered.first().at(1).toByteArray(), "JPEG").isNull());
        QSignalSpy stopped(&window, &JobQueue::stopped);
        window.stop(StopMode::Release);
        QVERIFY(stopped.wait(30000));
    }
    QVERIFY(store->command(id, JobCommand::Cancel, QDateTime::currentMSecsSinceEpoch()).ok());
    QVERIFY2(waitForRunners(runners, 60000), "the runner did not stop the render");
}

// One picture in three parts across machines whose output folder is the same path. The runner
// holding a part is killed (SIGKILL) while it renders; another machine takes the part over
// after its lease, and the merged picture is the render of one job on one machine.
void TestFarmRender::splitRenderAcrossMachinesEqualsTheWholeRender()
{
    const QString engine = QStringLiteral(
        "/usr/share/assimp/models/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    QDir(m_dirs->path()).mkpath(QStringLiteral("out"));
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    const QStringList render = QStringList { QStringLiteral("--queue"), m_url,
        QStringLiteral("add"), QStringLiteral("render"), engine }
        + kSplitRenderSize
        + QStringList { QStringLiteral("--inputs"), QStringLiteral("shared-path") };
    const QString submitter = m_dirs->filePath(QStringLiteral("submitter"));
    const auto whole = test::runSpoolctl(submitter,
        render + QStringList { QStringLiteral("--out"), out + QStringLiteral("/whole.png") });
    QCOMPARE(whole.exitCode, 0);
    const auto split = test::runSpoolctl(submitter,
        render
            + QStringList { QStringLiteral("--out"), out + QStringLiteral("/split.png"),
                QStringLiteral("--split"), QStringLiteral("3") });
    QCOMPARE(split.exitCode, 0);
    QList<QUuid> parts;
    for (const QString &line : split.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        parts.append(QUuid(line));
    QCOMPARE(parts.size(), 3);

    auto runners = startRunners(2, 1);
    auto store = openStore();
    QVERIFY(store);
    const JobRecord victimJob = killRunnerMidPart(*store, parts, runners);
    QVERIFY2(!victimJob.id.isNull(), "no part was seen running");
    QCOMPARE(runners.size(), size_t(1));
    runners.push_back(std::make_unique<Runner>(
        QStringLiteral("machine-c"), m_url, m_dirs->filePath(QStringLiteral("machine-c")), 1));
    runners.back()->start();
    QVERIFY2(waitForRunners(runners, 300000), "the runners did not empty the queue");

    checkEveryJobSucceeded(4);
    int merged = 0;
    for (const JobRecord &job : store->query(JobQuery { parts, {} }).value()) {
        if (!job.output.isEmpty()) {
            ++merged;
            QCOMPARE(job.output, out + QStringLiteral("/split.png"));
        }
    }
    QCOMPARE(merged, 1);
    // The killed part ran again elsewhere.
    const auto retaken = store->query(JobQuery { { victimJob.id }, {} }).value();
    QVERIFY2(retaken.first().attempts >= 2,
        qPrintable(
            QStringLiteral("started on %1").arg(startedOn(*store, victimJob.id).join(u' '))));
    const QImage a(out + QStringLiteral("/whole.png")), b(out + QStringLiteral("/split.png"));
    QCOMPARE(b.size(), QSize(320, 240));
    QVERIFY(maxChannelDifference(a, b) <= 1);
    // Nothing of the parts is left: no samples, no temporary PNG.
    QCOMPARE(QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        (QStringList { QStringLiteral("split.png"), QStringLiteral("whole.png") }));
}

bool TestFarmRender::cutConnections(const QString &appName)
{
    // Gone is what counts, not what pg_terminate_backend returned: a connection that ended
    // before it was signalled makes it say false.
    const QString named =
        QStringLiteral("FROM pg_stat_activity WHERE application_name = '%1'").arg(appName);
    sql(QStringLiteral("SELECT pg_terminate_backend(pid) ") + named);
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (sql(QStringLiteral("SELECT COUNT(*) ") + named) == u"0")
            return true;
        QTest::qWait(10);
    }
    return false;
}

JobRecord TestFarmRender::killRunnerMidPart(
    JobStore &store, const QList<QUuid> &parts, std::vector<std::unique_ptr<Runner>> &runners)
{
    QDeadlineTimer deadline(120000);
    while (!deadline.hasExpired()) {
        QTest::qWait(20);
        for (const JobRecord &job :
            store.query(JobQuery { parts, { JobState::Running } }).value()) {
            const QString host = job.leaseOwner.section(QLatin1Char('|'), 0, 0);
            // Mid-render, well before the part's samples are kept or merged: a runner killed
            // while it moves the picture into place is another test's matter.
            if (job.progress.done == 0 || job.progress.done * 2 > job.progress.total)
                continue;
            for (auto it = runners.begin(); it != runners.end(); ++it) {
                if ((*it)->host() != host)
                    continue;
                (*it)->signal(SIGSTOP);
                // A finish it sent before it froze may still be on its way to the server (in a
                // socket buffer): cut its connections, then look. Thawed, it connects again.
                if (!cutConnections((*it)->appName()))
                    return {};
                // Its attempt must not have ended. The part may have been put back meanwhile
                // (its 1 s lease ran out while psql started, on a loaded machine): that attempt
                // did not end either, and thawing to try again would use up another.
                const auto now = store.query(JobQuery { { job.id }, {} }).value();
                if (now.size() == 1 && !isFinishedState(now.first().state)) {
                    qInfo("killed %s while it rendered part %d", qPrintable(host),
                        job.params.value(QStringLiteral("part")).toInt());
                    (*it)->kill();
                    runners.erase(it);
                    return job;
                }
                (*it)->signal(SIGCONT);
            }
        }
    }
    return {};
}

QStringList TestFarmRender::startedOn(JobStore &store, const QUuid &id)
{
    QStringList hosts;
    for (const JobEvent &event : store.events(id).value()) {
        if (event.event == u"started")
            hosts.append(event.detail.section(QLatin1Char('|'), 0, 0));
    }
    return hosts;
}

QStringList TestFarmRender::logged(JobStore &store, const QUuid &id, const QString &text)
{
    QStringList lines;
    for (const JobEvent &event : store.events(id).value()) {
        if (event.event == u"log" && event.detail.contains(text))
            lines.append(event.detail);
    }
    return lines;
}

bool TestFarmRender::queueAsTheAppDoes(const QString &kind, const QJsonObject &params)
{
    auto registry = std::make_shared<JobKindRegistry>();
    const QString app = m_dirs->filePath(QStringLiteral("app"));
    registerBuiltinKinds(*registry, BuiltinSettings { app, app });
    QueueConfig config;
    config.workers = 0; // only queue
    config.workRoot = QDir(app).filePath(QStringLiteral("work"));
    auto store = openStore();
    if (!store)
        return false;
    JobQueueImpl queue(std::shared_ptr<JobStore>(std::move(store)), registry, config);
    QSignalSpy failed(&queue, &JobQueue::commandFailed);
    queue.start();
    auto id = queue.enqueue(kind, params);
    if (!id)
        return false;
    auto look = openStore();
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && failed.isEmpty()) {
        if (look->query(JobQuery { { id.value() }, {} })->size() == 1)
            return true;
        QTest::qWait(20);
    }
    if (!failed.isEmpty())
        qWarning("%s", qPrintable(failed.first().at(1).toString()));
    return false;
}

// The glTF in scenes/, its buffer in scenes/buffers/, its texture in textures/ (read as
// ../textures/...): the layout a runner must rebuild for the model's references to work.
QString TestFarmRender::makeProject(const QString &root)
{
    const QString from = QStringLiteral("/usr/share/assimp/models/glTF2/BoxTextured-glTF/");
    QDir dir(root);
    if (!dir.mkpath(QStringLiteral("scenes/buffers")) || !dir.mkpath(QStringLiteral("textures")))
        return {};
    QFile in(from + QStringLiteral("BoxTextured.gltf"));
    if (!in.open(QIODevice::ReadOnly))
        return {};
    const QByteArray gltf =
        in.readAll()
            .replace("\"BoxTextured0.bin\"", "\"buffers/BoxTextured0.bin\"")
            .replace("\"CesiumLogoFlat.png\"", "\"../textures/CesiumLogoFlat.png\"");
    const QString scene = dir.filePath(QStringLiteral("scenes/box.gltf"));
    QFile out(scene);
    if (!out.open(QIODevice::WriteOnly) || out.write(gltf) != gltf.size())
        return {};
    out.close();
    if (!QFile::copy(from + QStringLiteral("BoxTextured0.bin"),
            dir.filePath(QStringLiteral("scenes/buffers/BoxTextured0.bin")))
        || !QFile::copy(from + QStringLiteral("CesiumLogoFlat.png"),
            dir.filePath(QStringLiteral("textures/CesiumLogoFlat.png"))))
        return {};
    return scene;
}

test::CtlOutput TestFarmRender::addRender(
    const QString &scene, const QString &png, const QStringList &extra)
{
    return test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        QStringList { QStringLiteral("--queue"), m_url, QStringLiteral("add"),
            QStringLiteral("render"), scene, QStringLiteral("--out"), png,
            QStringLiteral("--width"), QStringLiteral("160"), QStringLiteral("--height"),
            QStringLiteral("120"), QStringLiteral("--samples"), QStringLiteral("4") }
            + extra);
}

// The machine that queues a render keeps its project on its own disk; the runner sees none of
// it. The scene and the files it references travel through the queue, stored once however many
// renders read them, and the runner rebuilds the project's layout from them.
void TestFarmRender::sceneComesThroughTheQueueWithoutASharedDrive()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    // The reference: the same render on this machine's own queue.
    const QString local = m_dirs->filePath(QStringLiteral("local"));
    QCOMPARE(test::runSpoolctl(local,
                 { QStringLiteral("add"), QStringLiteral("render"), scene, QStringLiteral("--out"),
                     out + QStringLiteral("/reference.png"), QStringLiteral("--width"),
                     QStringLiteral("160"), QStringLiteral("--height"), QStringLiteral("120"),
                     QStringLiteral("--samples"), QStringLiteral("4") })
                 .exitCode,
        0);
    QCOMPARE(
        test::runSpoolctl(local, { QStringLiteral("run"), QStringLiteral("--until-empty") }, 120000)
            .exitCode,
        0);

    // Render a as the app queues it (from the queue's own thread), b from spoolctl.
    QVERIFY(queueAsTheAppDoes(QStringLiteral("render"),
        QJsonObject { { QStringLiteral("scene"), scene },
            { QStringLiteral("out"), out + QStringLiteral("/a.png") },
            { QStringLiteral("width"), 160 }, { QStringLiteral("height"), 120 },
            { QStringLiteral("samples"), 4 } }));
    const auto split = addRender(
        scene, out + QStringLiteral("/b.png"), { QStringLiteral("--split"), QStringLiteral("2") });
    QCOMPARE(split.exitCode, 0);
    // Nothing runs the queue on this machine yet: the PNG would not come without one.
    QVERIFY2(split.err.contains(QLatin1String("nothing runs the queue on this machine (desk) now")),
        qPrintable(split.err));
    // Two renders (five jobs: a, b in two parts, and a delivery of each), three files: each
    // stored once.
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.files")), QStringLiteral("3"));
    QCOMPARE(sql(QStringLiteral("SELECT SUM(size) FROM spool.files")),
        QString::number(QFileInfo(scene).size() + 840 + 2433));

    QVERIFY(QDir(m_dirs->filePath(QStringLiteral("project"))).removeRecursively());
    auto runners = startRunnersOn({ QStringLiteral("machine-a"), QStringLiteral("desk") }, 2);
    QVERIFY2(waitForRunners(runners, 120000), "the runners did not empty the queue");
    checkEveryJobSucceeded(5);
    // Only this machine wrote the PNGs: the deliveries ran here and nowhere else.
    auto store = openStore();
    QVERIFY(store);
    int deliveries = 0;
    for (const JobRecord &job : store->query(JobQuery {}).value()) {
        if (!job.params.value(QStringLiteral("deliver")).toBool())
            continue;
        ++deliveries;
        QStringList hosts = startedOn(*store, job.id); // again after a lease ran out, maybe
        hosts.removeDuplicates();
        QCOMPARE(hosts, QStringList { QStringLiteral("desk") });
        QVERIFY(job.output.endsWith(QLatin1String(".png")));
    }
    QCOMPARE(deliveries, 2);
    const QImage reference(out + QStringLiteral("/reference.png"));
    QVERIFY(!reference.isNull());
    for (const char *name : { "/a.png", "/b.png" }) {
        const QImage image(out + QLatin1String(name));
        QCOMPARE(image.size(), QSize(160, 120));
        QVERIFY2(maxChannelDifference(reference, image) <= 1, name);
    }
    // What the machines fetched is in their caches under its hash, and nothing else is there:
    // the scene's three files (each where a render part ran). The parts' samples are read once,
    // in memory, by the delivery on desk: they are not kept there.
    const QStringList stored =
        sql(QStringLiteral("SELECT hash FROM spool.files")).split(QLatin1Char('\n'));
    QSet<QString> cached;
    for (const QString &machine : { QStringLiteral("machine-a"), QStringLiteral("desk") }) {
        const QDir cache(m_dirs->filePath(machine + QStringLiteral("/shared-files")));
        for (const QString &name : cache.entryList(QDir::Files)) {
            QVERIFY2(stored.contains(name), qPrintable(name));
            cached.insert(name);
        }
    }
    const QStringList sceneFiles = // the parts' samples are 225 KiB each
        sql(QStringLiteral("SELECT hash FROM spool.files WHERE size < 10000"))
            .split(QLatin1Char('\n'));
    QCOMPARE(sceneFiles.size(), 3);
    QCOMPARE(cached, QSet<QString>(sceneFiles.begin(), sceneFiles.end()));
}

// The split render with nothing shared but the queue: the parts' samples travel through it to
// the machine that queued the render. A runner killed mid-part loses nothing: the part runs
// again elsewhere, and the merged picture equals the render in one piece.
void TestFarmRender::splitRenderThroughTheQueueSurvivesAKilledRunner()
{
    const QString engine = QStringLiteral(
        "/usr/share/assimp/models/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    const QStringList &size = kSplitRenderSize;
    auto store = openStore();
    QVERIFY(store);
    // This machine's runner first, kept waiting on a paused queue: `add` has nothing to warn of.
    QVERIFY(store->setQueuePaused(true, QDateTime::currentMSecsSinceEpoch()).ok());
    QCOMPARE(enqueueSleeps(*store, 1, 1).size(), 1);
    auto desk = startRunnersOn({ QStringLiteral("desk") }, 1);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 1, 60000);
    const auto whole = addRender(engine, out + QStringLiteral("/whole.png"), size);
    QCOMPARE(whole.exitCode, 0);
    QCOMPARE(whole.err, QString());
    const auto split = addRender(engine, out + QStringLiteral("/split.png"),
        size + QStringList { QStringLiteral("--split"), QStringLiteral("3") });
    QCOMPARE(split.exitCode, 0);
    QList<QUuid> ids;
    for (const QString &line : split.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
        ids.append(QUuid(line));
    QCOMPARE(ids.size(), 4); // three parts, then the delivery
    const QUuid delivery = ids.takeLast();

    auto runners = startRunners(2, 1);
    QTRY_COMPARE_WITH_TIMEOUT(store->runners()->size(), 3, 60000); // all three may take a part
    QVERIFY(store->setQueuePaused(false, QDateTime::currentMSecsSinceEpoch()).ok());
    const JobRecord victim = killRunnerMidPart(*store, ids, runners);
    QVERIFY2(!victim.id.isNull(), "no part was seen running");
    runners.push_back(std::make_unique<Runner>(
        QStringLiteral("machine-c"), m_url, m_dirs->filePath(QStringLiteral("machine-c")), 1));
    runners.back()->start();
    QVERIFY2(waitForRunners(runners, 300000), "the runners did not empty the queue");
    QVERIFY2(waitForRunners(desk, 60000), "the delivery did not end");

    checkEveryJobSucceeded(7); // with the sleep that kept this machine's runner waiting
    QVERIFY(store->query(JobQuery { { victim.id }, {} })->first().attempts >= 2);
    QCOMPARE(store->query(JobQuery { { delivery }, {} })->first().output,
        out + QStringLiteral("/split.png"));
    const QImage a(out + QStringLiteral("/whole.png")), b(out + QStringLiteral("/split.png"));
    QCOMPARE(b.size(), QSize(320, 240));
    QVERIFY(maxChannelDifference(a, b) <= 1);
    // Nothing of the parts is left beside the pictures.
    QCOMPARE(QDir(out).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        (QStringList { QStringLiteral("split.png"), QStringLiteral("whole.png") }));
}

// A part that ran in the process that runs the delivery hands its samples over in memory; the
// delivery fetches from the queue only what ran elsewhere. Either way the picture is the same.
void TestFarmRender::deliveryTakesTheSamplesOfPartsThatRanBesideIt()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString out = m_dirs->filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    const QStringList two { QStringLiteral("--split"), QStringLiteral("2") };
    auto store = openStore();
    QVERIFY(store);
    const auto deliveryOf = [&](const QString &png) {
        for (const JobRecord &job : store->query(JobQuery {}).value()) {
            if (job.params.value(QStringLiteral("deliver")).toBool()
                && job.params.value(QStringLiteral("out")).toString() == png)
                return job;
        }
        return JobRecord {};
    };
    const QString fetched = QStringLiteral("fetched from the queue and added in");

    // Leases of 30 s: a lease lapsed on a busy machine would run a job a second time, and the
    // delivery's second attempt no longer finds in memory what its first took (and logs twice).
    constexpr int kLeaseMs = 30000;
    // Everything on desk, in one runner process: both parts hand theirs over.
    const QString here = out + QStringLiteral("/here.png");
    QCOMPARE(addRender(scene, here, two).exitCode, 0);
    auto desk = startRunnersOn({ QStringLiteral("desk") }, 2, kLeaseMs);
    QVERIFY2(waitForRunners(desk, 120000), "desk did not empty the queue");
    const JobRecord hereDelivery = deliveryOf(here);
    QCOMPARE(hereDelivery.state, JobState::Succeeded);
    QStringList lines = logged(*store, hereDelivery.id, fetched);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains(QLatin1String("(2 handed over in memory")),
        qPrintable(lines.first()));

    // The parts on machine-a, to the end, before desk runs the delivery: both fetched.
    const QString there = out + QStringLiteral("/there.png");
    const auto queued = addRender(scene, there, two);
    QCOMPARE(queued.exitCode, 0);
    QList<QUuid> parts; // the ids printed, but the delivery's
    for (const QString &line : queued.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        if (QUuid(line) != deliveryOf(there).id)
            parts.append(QUuid(line));
    }
    QCOMPARE(parts.size(), 2);
    auto farm = startRunnersOn({ QStringLiteral("machine-a") }, 2, kLeaseMs);
    QTRY_COMPARE_WITH_TIMEOUT(
        store->query(JobQuery { parts, { JobState::Succeeded } }).value().size(), 2, 120000);
    desk = startRunnersOn({ QStringLiteral("desk") }, 2, kLeaseMs);
    QVERIFY2(waitForRunners(desk, 120000), "desk did not empty the queue");
    QVERIFY2(waitForRunners(farm, 120000), "machine-a did not empty the queue");
    const JobRecord thereDelivery = deliveryOf(there);
    QCOMPARE(thereDelivery.state, JobState::Succeeded);
    lines = logged(*store, thereDelivery.id, fetched);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains(QLatin1String("(0 handed over in memory")),
        qPrintable(lines.first()));

    const QImage a(here), b(there);
    QCOMPARE(a.size(), QSize(160, 120));
    QCOMPARE(b.size(), QSize(160, 120));
    QCOMPARE(maxChannelDifference(a, b), 0);
}

// A file whose content no longer matches its hash fails the render with the reason, once: the
// same bytes would come back at every try.
void TestFarmRender::damagedSceneFileFailsItsRender()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString png = m_dirs->filePath(QStringLiteral("a.png"));
    QCOMPARE(addRender(scene, png, { QStringLiteral("--split"), QStringLiteral("2") }).exitCode, 0);
    // One byte of the model's buffer changed in the queue.
    QCOMPARE(sql(QStringLiteral("UPDATE spool.file_pieces SET data = set_byte(data, 10, "
                                "(get_byte(data, 10) + 1) % 256) WHERE hash = (SELECT hash "
                                "FROM spool.files WHERE size = 840) RETURNING n")),
        QStringLiteral("0"));
    // Leases of 30 s: each attempt is counted below, and a 1 s lease on a loaded machine can run
    // out between two heartbeats (the job then runs again).
    auto runners =
        startRunnersOn({ QStringLiteral("machine-a"), QStringLiteral("desk") }, 1, 30000);
    QVERIFY(waitForRunners(runners, 60000));
    auto store = openStore();
    QVERIFY(store);
    const QList<JobRecord> jobs = store->query(JobQuery {}).value();
    QCOMPARE(jobs.size(), 3); // the two parts and the delivery: all fail, and say why
    for (const JobRecord &job : jobs) {
        QCOMPARE(job.state, JobState::Failed);
        QCOMPARE(job.attempts, 1);
        QVERIFY2(job.error.contains(QLatin1String("is damaged")), qPrintable(job.error));
    }
    QVERIFY(!QFileInfo::exists(png));
    // Both parts' word of their failure stays in the queue: the retry below meets it, stale.
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.file_names WHERE name LIKE "
                                "'%/failed-part-%'")),
        QStringLiteral("2"));

    // Repaired, and the render retried (one command for the whole): the delivery waits for the
    // render's new attempt instead of telling the old failure again.
    QCOMPARE(sql(QStringLiteral("UPDATE spool.file_pieces SET data = set_byte(data, 10, "
                                "(get_byte(data, 10) + 255) % 256) WHERE hash = (SELECT hash "
                                "FROM spool.files WHERE size = 840) RETURNING n")),
        QStringLiteral("0"));
    const auto retried = test::runSpoolctl(m_dirs->filePath(QStringLiteral("submitter")),
        { QStringLiteral("--queue"), m_url, QStringLiteral("retry"), idString(jobs.first().id) });
    QCOMPARE(retried.exitCode, 0);
    // Both parts failed, and the delivery told one of them: a failure told before must not end
    // the retried render.
    runners = startRunnersOn({ QStringLiteral("desk") }, 3, 30000);
    QVERIFY(waitForRunners(runners, 60000));
    checkEveryJobSucceeded(3);
    QVERIFY(!QImage(png).isNull());
}

// With --inputs shared-path the queue keeps no files: runners read the path itself.
void TestFarmRender::sceneOnSharedStorageStaysOutOfTheQueue()
{
    const QString scene = makeProject(m_dirs->filePath(QStringLiteral("project")));
    QVERIFY(!scene.isEmpty());
    const QString png = m_dirs->filePath(QStringLiteral("a.png"));
    QCOMPARE(addRender(scene, png, { QStringLiteral("--inputs"), QStringLiteral("shared-path") })
                 .exitCode,
        0);
    QCOMPARE(sql(QStringLiteral("SELECT COUNT(*) FROM spool.files")), QStringLiteral("0"));
    const auto refused =
        addRender(scene, png, { QStringLiteral("--inputs"), QStringLiteral("nfs") });
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(
        refused.err.contains(QLatin1String("'queue' or 'shared-path'")), qPrintable(refused.err));
    auto runners = startRunners(1, 1);
    QVERIFY(waitForRunners(runners, 60000));
    checkEveryJobSucceeded(1);
    QVERIFY(!QImage(png).isNull());
}

// More than a render may store: refused when queued, with the way out, and nothing stored.
void TestFarmRender::sceneTooLargeForTheQueueIsRefused()
{
    QDir dir(m_dirs->path());
    QFile gltf(dir.filePath(QStringLiteral("big.gltf")));
    QVERIFY(gltf.open(QIODevice::WriteOnly));
    gltf.write(R"({"asset":{"version":"2.0"},"buffers":[{"uri":"big.bin","byteLength":4}]})");
    gltf.close();
    QFile bin(dir.filePath(QStringLiteral("big.bin")));
    QVERIFY(bin.open(QIODevice::WriteOnly));
    QVERIFY(bin.resize(1100LL * 1024 * 1024)); // sparse: nothing is read before the refusal
    bin.close();
    const auto refused = addRender(gltf.fileName(), dir.filePath(QStringLiteral("a.png")));
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QLatin1String("1100.0 MiB"))
            && refused.err.contains(QLatin1String("--inputs shared-path")),
        qPrintable(refused.err));
    QCOMPARE(sql(QStringLiteral("SELECT (SELECT COUNT(*) FROM spool.files) + (SELECT COUNT(*) "
                                "FROM spool.file_pieces) + (SELECT COUNT(*) FROM spool.jobs)")),
        QStringLiteral("0"));
}

QTEST_GUILESS_MAIN(TestFarmRender)
#include "tst_farmrender.moc"
