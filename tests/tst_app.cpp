// The desktop app's widgets under the offscreen platform: the table model against the core's
// state, the progress bar's paint, actions per selection, the download and render dialogs'
// checks, drag and drop, the render preview, quitting without losing jobs, and the German
// translation.
#include <atomic>
#include <malloc.h>
#include <thread>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDropEvent>
#include <QImage>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocalSocket>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPainter>
#include <QProcess>
#include <QProgressDialog>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTableView>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QTranslator>
#include <QTreeWidget>

#include "appcontroller.h"
#include "backgroundpool.h"
#include "builtinkinds.h"
#include "format.h"
#include "job/jobfiles.h"
#include "jobdetailspanel.h"
#include "jobfilterproxy.h"
#include "jobtablemodel.h"
#include "jobtableview.h"
#include "largeblocks.h"
#include "mainwindow.h"
#include "newdownloaddialog.h"
#include "newpluginjobdialog.h"
#include "newrenderdialog.h"
#include "packedrecord.h"
#include "plugins/pluginhost.h"
#include "pluginsdialog.h"
#include "previewhub.h"
#include "previewmerge.h"
#include "progressdelegate.h"
#include "queue/jobqueueimpl.h"
#include "queueopener.h"
#include "scene.h"
#include "settingsdialog.h"
#include "singleinstance.h"
#include "store/memoryjobstore.h"
#include "store/sqlitejobstore.h"
#include "testkit.h"
#include "translations.h"
#include "util/tsan.h"

using namespace spool;
using namespace spool::app;
using namespace spool::test;

namespace {

#ifdef SPOOL_TSAN
constexpr int kRenderTimeoutMs = 240000; // instrumented ray tracing is many times slower
#else
// Measured: 43 s for the two small terrain renders of renderPreviewShows beside an ASan build
// at -j2 (low-priority workers); 3 s on an idle machine.
constexpr int kRenderTimeoutMs = 120000;
#endif

struct Fixture
{
    QTemporaryDir dir;
    std::shared_ptr<JobKindRegistry> registry = std::make_shared<JobKindRegistry>();
    std::shared_ptr<MemoryJobStore> store = std::make_shared<MemoryJobStore>();
    TestKit kit;
    AppSettings settings;

    Fixture(int workers = 1)
    {
        registerBuiltinKinds(*registry, BuiltinSettings { dir.path(), dir.path() });
        kit.registerKinds(*registry);
        settings.setWorkers(workers);
        settings.setDownloadDir(dir.path());
    }
    ~Fixture() { kit.openGate(); }
};

// Makes `id` the current row of the window's table, as a click does (the details follow it):
// its own row, or its row among a split job's parts.
void selectJob(MainWindow &window, const QUuid &id)
{
    QAbstractItemModel *model = window.jobView()->model();
    const QModelIndexList found =
        model->match(model->index(0, 0), JobTableModel::IdRole, id, -1, Qt::MatchExactly);
    if (!found.isEmpty())
        window.jobView()->selectionModel()->setCurrentIndex(
            found.constLast(), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

// Queues `params` as jobs of `kind` and waits until the queue has committed all of them (as
// QTRY_COMPARE waits), so that a model made after that gets them in its snapshot. Their ids;
// none when the enqueue failed or the commits did not all come. The wait is a margin: 40,000
// jobs took longer than 5 s under TSan beside load.
QList<QUuid> enqueueCommitted(
    JobQueueImpl &queue, const QString &kind, const QList<QJsonObject> &params)
{
    qsizetype committed = 0;
    const QMetaObject::Connection counting = QObject::connect(&queue, &JobQueue::jobsChanged,
        [&](const QList<JobRecord> &records) { committed += records.size(); });
    const auto ids = queue.enqueueMany(kind, params);
    const bool all =
        ids.ok() && QTest::qWaitFor([&] { return committed == params.size(); }, 120000);
    QObject::disconnect(counting);
    return all ? ids.value() : QList<QUuid> {};
}

// A job as `spoolctl import` brings it: in any state, with its progress.
ExportedJob exported(const QString &kind, const QJsonObject &params, JobState state,
    const Progress &progress = {}, const QString &error = {})
{
    ExportedJob job;
    job.record.id = QUuid::createUuid();
    job.record.kind = kind;
    job.record.params = params;
    job.record.state = state;
    job.record.attempts = state == JobState::Queued ? 0 : 1;
    job.record.progress = progress;
    job.record.error = error;
    return job;
}

// A part of a split render as the queue keeps it (1-based `part`), or its delivery.
QJsonObject partParams(
    const QString &out, int part, int of, const QString &group = QStringLiteral("g1"))
{
    QJsonObject params { { QStringLiteral("scene"), render::kProceduralTerrain },
        { QStringLiteral("out"), out }, { QStringLiteral("group"), group },
        { QStringLiteral("split"), of }, { QStringLiteral("width"), 10 },
        { QStringLiteral("height"), 10 }, { QStringLiteral("samples"), of } };
    if (part > 0)
        params.insert(QStringLiteral("part"), part);
    else
        params.insert(QStringLiteral("deliver"), true);
    params.insert(QStringLiteral("deliver_to"), QStringLiteral("desk"));
    return params;
}

// A succeeded sleep, then a render to `out` split in 3: part 1 done, part 2 failed ("boom"),
// part 3 and the delivery in the states given.
QList<ExportedJob> splitWithAFailedPart(
    const QString &out, JobState third, JobState delivery, const Progress &delivered)
{
    return { exported(QStringLiteral("sleep"), {}, JobState::Succeeded),
        exported(QStringLiteral("render"), partParams(out, 1, 3), JobState::Succeeded,
            { 100, 100, QStringLiteral("samples") }),
        exported(QStringLiteral("render"), partParams(out, 2, 3), JobState::Failed,
            { 50, 100, QStringLiteral("samples") }, QStringLiteral("boom")),
        exported(QStringLiteral("render"), partParams(out, 3, 3), third),
        exported(QStringLiteral("render"), partParams(out, 0, 3), delivery, delivered) };
}

// The window on a paused queue, for tests of pictures and previews. They are checked here, not
// priority (tst_queue does): at nice +10 a busy machine starves the renders.
struct RenderWindow
{
    struct NormalPriority : Fixture
    {
        NormalPriority() { settings.setPriority(WorkerPriority::Normal); }
    } f;
    AppController controller { f.dir.path(), f.store, f.registry, &f.settings };
    MainWindow window { &controller };

    RenderWindow()
    {
        window.show();
        controller.queue()->setQueuePaused(true);
    }
};

// A queue on the fixture's store with a table model watching it, as the window has.
struct WatchedQueue
{
    JobQueueImpl queue;
    JobTableModel model;

    explicit WatchedQueue(Fixture &f)
        : queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()))
        , model(f.registry)
    {
        model.setQueue(&queue);
    }
};

} // namespace

class TestApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelFollowsTheQueue();
    void modelUpdatesInBatches();
    void attemptDoesNotGoBackWhenPaused();
    void snapshotLoadsInSlices();
    void newSnapshotDropsRowsPackedForTheOldOne();
    void indexThatComesLateIsLeftAside();
    void snapshotSlicesEndWhenTheirTimeIsUp();
    void splitJobsAcrossSlicesAreOneRowEach();
    void tableKeepsJobsCompactly();
    void largeBlocksStayOutOfTheHeap();
    void packedRecordsKeepEveryField();
    void filterReadsStateKindNameAndOutput();
    void jobsFromSpoolctlAppear();
    void delegatePaintsTheFill_data();
    void delegatePaintsTheFill();
    void actionsFollowTheSelection();
    void countsDetailsAndClearFinishedAgree();
    void clearFinishedAsksAboutManyWithNothingElse();
    void clearFinishedCountsASplitRenderAsOneJob();
    void firstLaunchFitsAndExplains();
    void keyboardReachesEverything();
    void statusBarRowsAndNoticesAgree();
    void statusBarCountsAreGroupedByTheLocale();
    void storageProblemShowsUntilTheQueueWorks();
    void openingASilentQueueCanBeQuit();
    void wordsWaitWhileTheWindowOpensItsQueue();
    void quittingWhileTheQueueIsAwayOffersToLeave();
    void retentionForgetsOldJobsAtStart();
    void downloadDialogExplainsProblems();
    void droppedUrlsBecomeDownloads();
    void renderDialogExplainsProblems();
    void droppedModelsBecomeRenders();
    void renderDialogSplitsAutoPerMachine();
    void renderPreviewShows();
    void parametersReadAsGiven();
    void splitRenderPreviewIsMerged();
    void splitJobIsOneRowWithItsParts();
    void detailsOfASplitJobShowTheWholeJob();
    void splitJobRowActsForAllItsParts();
    void recordsAreRightWhileRowsGo();
    void partPreviewsMergeBySamplesDone();
    void pluginDialogsExplainThemselves();
    void quittingLosesNothing_data();
    void quittingLosesNothing();
    void terminationReleasesRunningJobs();
    void germanTranslationLoads();
    void pluralsAreSpelledInEveryLanguage();
    void dialogMnemonicsAreUnique_data();
    void dialogMnemonicsAreUnique();
};

void TestApp::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings in a throwaway place
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
}

void TestApp::modelFollowsTheQueue()
{
    Fixture f(1);
    WatchedQueue w(f);
    JobQueueImpl &queue = w.queue;
    JobTableModel &model = w.model;
    const QUuid gate = queue.enqueue(QStringLiteral("gate"), {}).value();
    const QUuid sleep =
        queue.enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 5 } }).value();
    const QUuid quick = queue.enqueue(QStringLiteral("quick"), {}).value();
    QTRY_COMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data(JobTableModel::IdRole).toUuid(), gate); // FIFO
    QCOMPARE(model.index(1, 0).data(JobTableModel::IdRole).toUuid(), sleep);
    QCOMPARE(
        model.index(1, JobTableModel::NameColumn).data().toString(), QStringLiteral("sleep 5 ms"));
    QCOMPARE(
        model.index(1, JobTableModel::StateColumn).data().toString(), QStringLiteral("Queued"));
    QCOMPARE(model.index(1, JobTableModel::AttemptsColumn).data().toString(),
        QStringLiteral("1/5")); // the attempt it runs next

    queue.start();
    QTRY_COMPARE(
        model.index(0, JobTableModel::StateColumn).data().toString(), QStringLiteral("Running"));
    // Progress arrives coalesced and shows as amount, fraction and speed.
    QTRY_VERIFY(!model.index(0, JobTableModel::AmountColumn).data().toString().isEmpty());
    QVERIFY(
        model.index(0, JobTableModel::ProgressColumn).data(JobTableModel::FractionRole).toDouble()
        >= 0.0);
    QTRY_VERIFY(!model.index(0, JobTableModel::SpeedColumn).data().toString().isEmpty());

    queue.pause(gate);
    QTRY_COMPARE(
        model.index(0, JobTableModel::StateColumn).data().toString(), QStringLiteral("Paused"));
    QTRY_COMPARE(
        model.index(2, JobTableModel::StateColumn).data().toString(), QStringLiteral("Done"));
    QCOMPARE(
        model.index(2, JobTableModel::ProgressColumn).data(JobTableModel::FractionRole).toDouble(),
        1.0);
    queue.remove(quick);
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.rowOf(quick), -1);
    QCOMPARE(model.rowOf(sleep), 1);
    QCOMPARE(model.recordById(sleep)->state,
        f.store->query(JobQuery { { sleep }, {}, -1 })->first().state);
    QCOMPARE(
        model.recordById(sleep)->rev, f.store->query(JobQuery { { sleep }, {}, -1 })->first().rev);
}

// The Attempt column names the attempt a job is on: a pause gives the attempt back to the job's
// budget, but the row does not go from 1/5 to 0/5 (it did).
void TestApp::attemptDoesNotGoBackWhenPaused()
{
    Fixture f(1);
    WatchedQueue w(f);
    JobQueueImpl &queue = w.queue;
    JobTableModel &model = w.model;
    const QUuid gate = queue.enqueue(QStringLiteral("gate"), {}).value();
    const auto shown = [&] {
        const int row = model.rowOf(gate);
        return row < 0 ? QString()
                       : model.index(row, JobTableModel::AttemptsColumn).data().toString();
    };
    QTRY_COMPARE(shown(), QStringLiteral("1/5")); // queued: the first attempt comes next
    queue.start();
    QTRY_COMPARE(model.recordById(gate)->state, JobState::Running);
    QCOMPARE(shown(), QStringLiteral("1/5"));
    queue.pause(gate);
    QTRY_COMPARE(model.recordById(gate)->state, JobState::Paused);
    QCOMPARE(model.recordById(gate)->attempts, 0); // given back to the budget
    QCOMPARE(shown(), QStringLiteral("1/5"));
    queue.resume(gate);
    QTRY_COMPARE(model.recordById(gate)->state, JobState::Running);
    QCOMPARE(shown(), QStringLiteral("1/5"));
    f.kit.openGate();
    QTRY_COMPARE(model.recordById(gate)->state, JobState::Succeeded);
    QCOMPARE(shown(), QStringLiteral("1/5"));
}

void TestApp::modelUpdatesInBatches()
{
    Fixture f(2);
    WatchedQueue w(f);
    JobQueueImpl &queue = w.queue;
    JobTableModel &model = w.model;
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // 5,000 jobs arrive at once: one insertion, not 5,000.
    QVERIFY(queue.enqueueMany(QStringLiteral("quick"), QList<QJsonObject>(5000)).ok());
    QTRY_COMPARE(model.rowCount(), 5000);
    QCOMPARE(inserted.size(), 1);
    // Two jobs reporting progress as fast as they can for a second: the view gets frames.
    changed.clear();
    QElapsedTimer timer;
    timer.start();
    QVERIFY(queue
                .enqueueMany(QStringLiteral("spin"),
                    QList<QJsonObject>(2, { { QStringLiteral("ms"), 1000 } }))
                .ok());
    queue.start();
    QTRY_COMPARE_WITH_TIMEOUT(model.index(5001, JobTableModel::StateColumn).data().toString(),
        QStringLiteral("Done"), 20000);
    const double seconds = timer.elapsed() / 1000.0;
    qInfo("%lld dataChanged in %.1f s for 5,002 jobs", qint64(changed.size()), seconds);
    // At most one range per frame for progress and one for state changes (~30 frames a second).
    QVERIFY2(changed.size() <= 4 * 30 * seconds + 10, qPrintable(QString::number(changed.size())));
}

void TestApp::snapshotLoadsInSlices()
{
    Fixture f(2);
    JobQueueImpl queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()));
    constexpr int kJobs = 10000;
    // In the store, so that they come in the snapshot.
    const QList<QUuid> ids =
        enqueueCommitted(queue, QStringLiteral("quick"), QList<QJsonObject>(kJobs));
    QCOMPARE(ids.size(), kJobs);
    // A model that comes later takes the queue's snapshot in slices, in FIFO order. A clock that
    // moves on 1 ms each time it is read ends a slice every 4 steps, however fast the machine.
    JobTableModel model(f.registry);
    qint64 clockNs = 0;
    // The room for the index is made before the second slice: it comes while loading.
    QSemaphore made;
    model.setIndexMadeHook([&made] { made.release(); });
    bool reserved = false;
    model.setLoadClock([&] {
        if (!std::exchange(reserved, true))
            made.acquire();
        return clockNs += 1'000'000;
    });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    int rowsAtFirstSlice = -1;
    connect(&model, &QAbstractItemModel::rowsInserted, this, [&] {
        if (rowsAtFirstSlice >= 0)
            return;
        rowsAtFirstSlice = model.rowCount();
        // A change while the rest is still loading waits for it and is not lost.
        queue.remove(ids.constLast());
    });
    model.setQueue(&queue);
    QTRY_VERIFY(rowsAtFirstSlice > 0);
    QVERIFY2(rowsAtFirstSlice < kJobs, qPrintable(QString::number(rowsAtFirstSlice)));
    QTRY_COMPARE(model.rowCount(), kJobs - 1);
    QVERIFY(!model.isLoading());
    QVERIFY(inserted.size() >= 4);
    QCOMPARE(model.rowOf(ids.constLast()), -1);
    for (int row = 0; row < kJobs - 1; ++row)
        QCOMPARE(model.record(row)->id, ids.at(row));
    // Found by id: in the index a background thread made room in, with the rows indexed before
    // it came (at least the first slice's).
    QVERIFY(model.indexReady());
    for (int row = 0; row < kJobs - 1; ++row)
        QCOMPARE(model.rowOf(ids.at(row)), row);
}

// A slice's rows are packed in one turn and inserted in the next. A snapshot that comes between
// the two (another queue's, while the old one was loading) replaces them: none of the old rows
// comes in after it.
void TestApp::newSnapshotDropsRowsPackedForTheOldOne()
{
    Fixture f(2);
    JobQueueImpl queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()));
    constexpr int kJobs = 3000;
    QCOMPARE(
        enqueueCommitted(queue, QStringLiteral("quick"), QList<QJsonObject>(kJobs)).size(), kJobs);
    const QList<JobRecord> newer = f.store->query(JobQuery {}).value().mid(kJobs - 100);
    JobTableModel model(f.registry);
    // Started while the first slice after the screenful is packed, before the load's own timer
    // is started again to insert it: it fires first.
    QTimer replace;
    replace.setSingleShot(true);
    replace.setInterval(0);
    connect(&replace, &QTimer::timeout, this, [&] {
        QVERIFY(model.isLoading());
        Q_EMIT queue.snapshotReady(newer);
    });
    qint64 clockNs = 0;
    bool started = false;
    model.setLoadClock([&] {
        if (!std::exchange(started, true))
            replace.start();
        return clockNs += 1'000'000;
    });
    model.setQueue(&queue);
    QTRY_VERIFY(started && !replace.isActive() && !model.isLoading());
    QCOMPARE(model.rowCount(), 100);
    for (int row = 0; row < 100; ++row)
        QCOMPARE(model.record(row)->id, newer.at(row).id);
}

// The room for the index comes after the whole snapshot is in (the machine was busy): the index
// that grew meanwhile stays, and finds every row.
void TestApp::indexThatComesLateIsLeftAside()
{
    Fixture f(2);
    JobQueueImpl queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()));
    constexpr int kJobs = 3000;
    const QList<QUuid> ids =
        enqueueCommitted(queue, QStringLiteral("quick"), QList<QJsonObject>(kJobs));
    QCOMPARE(ids.size(), kJobs);
    QSemaphore late;
    JobTableModel model(f.registry);
    model.setIndexMadeHook([&late] { late.acquire(); });
    auto release = qScopeGuard([&] {
        late.release();
        QTRY_VERIFY(model.indexReady());
    });
    model.setQueue(&queue);
    QTRY_VERIFY(model.rowCount() == kJobs && !model.isLoading());
    QVERIFY(!model.indexReady());
    release.dismiss();
    late.release();
    QTRY_VERIFY(model.indexReady());
    for (int row = 0; row < kJobs; ++row)
        QCOMPARE(model.rowOf(ids.at(row)), row);
}

void TestApp::snapshotSlicesEndWhenTheirTimeIsUp()
{
    Fixture f(2);
    JobQueueImpl queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()));
    constexpr int kJobs = 20000;
    QCOMPARE(
        enqueueCommitted(queue, QStringLiteral("quick"), QList<QJsonObject>(kJobs)).size(), kJobs);
    // A clock that moves on by `stepNs` each time it is read: a slice reads it when it starts and
    // after each step of 64 rows. `stallIn` makes one read, that many reads on, 50 ms late: a
    // step that met memory never touched before.
    JobTableModel model(f.registry);
    qint64 clockNs = 0;
    qint64 stepNs = 1'000'000;
    int stallIn = 0;
    model.setLoadClock([&] {
        clockNs += stepNs;
        if (stallIn > 0 && --stallIn == 0)
            clockNs += 50'000'000;
        return clockNs;
    });
    QList<int> slices;
    connect(&model, &QAbstractItemModel::rowsInserted, this,
        [&](const QModelIndex &, int first, int last) {
            slices.append(last - first + 1);
            if (slices.size() == 4)
                stallIn = 2; // in the fifth slice's first step
            if (slices.size() == 8)
                stepNs = 250'000; // the machine got quiet
        });
    model.setQueue(&queue);
    QTRY_COMPARE(model.rowCount(), kJobs);
    // A screenful, then 4 ms of 1 ms steps; the slow step ends its slice at once, and the slice
    // after it is not cut short for it; at 0.25 ms a step, 16 steps.
    QCOMPARE(slices.mid(0, 10), (QList<int> { 256, 256, 256, 256, 64, 256, 256, 256, 1024, 1024 }));
    for (int i = 10; i < slices.size() - 1; ++i)
        QCOMPARE(slices.at(i), 1024);
    QVERIFY(slices.constLast() <= 1024);
}

// Split jobs whose parts fall in different steps and slices of a snapshot are one row each, in
// their first part's place, as when they come in one slice.
void TestApp::splitJobsAcrossSlicesAreOneRowEach()
{
    Fixture f(0);
    const auto sleeps = [](int n) {
        return QList<ExportedJob>(n, exported(QStringLiteral("sleep"), {}, JobState::Queued));
    };
    const auto part = [&](const QString &group, int number) {
        return exported(QStringLiteral("render"),
            partParams(f.dir.filePath(group + QStringLiteral(".png")), number, 3, group),
            JobState::Queued);
    };
    // With slices of 256 rows (64-row steps): g1 across the first slice and the second's steps,
    // g2 across the second and third slices.
    QList<ExportedJob> jobs = sleeps(254);
    jobs << part(QStringLiteral("g1"), 1) << part(QStringLiteral("g1"), 2)
         << part(QStringLiteral("g1"), 3) << sleeps(70) << part(QStringLiteral("g1"), 0);
    jobs << sleeps(510 - int(jobs.size())) << part(QStringLiteral("g2"), 1) << sleeps(1)
         << part(QStringLiteral("g2"), 2) << part(QStringLiteral("g2"), 3) << sleeps(100)
         << part(QStringLiteral("g2"), 0);
    for (ExportedJob &job : jobs)
        job.record.id = QUuid::createUuid(); // the copies of one sleep
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    // Each top row: a job's id, or a group's name and its parts.
    QList<QUuid> plain;
    QHash<QString, QList<QUuid>> parts;
    QList<QString> order; // a job's id as text, or a group's name
    for (const ExportedJob &job : std::as_const(jobs)) {
        const QString group = job.record.params.value(QStringLiteral("group")).toString();
        if (group.isEmpty())
            order.append(job.record.id.toString());
        else if (!parts.contains(group))
            order.append(group);
        if (!group.isEmpty())
            parts[group].append(job.record.id);
    }

    JobQueueImpl queue(f.store, f.registry, f.settings.queueConfig(f.dir.path()));
    JobTableModel model(f.registry);
    qint64 clockNs = 0;
    model.setLoadClock([&] { return clockNs += 1'000'000; });
    QList<int> slices;
    connect(&model, &QAbstractItemModel::rowsInserted, this,
        [&](const QModelIndex &, int first, int last) { slices.append(last - first + 1); });
    model.setQueue(&queue);
    QTRY_VERIFY(!model.isLoading() && model.rowCount() == order.size());
    QVERIFY2(slices.size() >= 3, qPrintable(QString::number(slices.size())));
    QCOMPARE(model.counts().queued, qint64(jobs.size()));
    for (int row = 0; row < order.size(); ++row) {
        const QModelIndex at = model.index(row, JobTableModel::NameColumn);
        if (!parts.contains(order.at(row))) {
            QCOMPARE(at.data(JobTableModel::IdRole).toUuid(), QUuid(order.at(row)));
            continue;
        }
        QCOMPARE(at.data().toString(), order.at(row) + QStringLiteral(".png"));
        const QList<QUuid> members = at.data(JobTableModel::MembersRole).value<QList<QUuid>>();
        QCOMPARE(members, parts.value(order.at(row)));
        for (const QUuid &id : members)
            QCOMPARE(model.rowOf(id), row);
    }
}

// The main thread's heap ("[heap]", grown by brk): its start and end.
[[maybe_unused]] static QPair<quintptr, quintptr> mainHeap()
{
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (!maps.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : maps.readAll().split('\n')) {
        if (line.endsWith("[heap]")) {
            const QList<QByteArray> range = line.left(line.indexOf(' ')).split('-');
            return { range.value(0).toULongLong(nullptr, 16),
                range.value(1).toULongLong(nullptr, 16) };
        }
    }
    return {};
}

// The arrays that grow with the table (a header's sections, a filter's mapping) get mappings of
// their own even after a larger block was freed, which would make glibc put blocks up to that
// size in the heap, where each doubling of an array copies it.
void TestApp::largeBlocksStayOutOfTheHeap()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    QSKIP("a sanitizer's allocator has no heap and no threshold");
#else
    mapLargeBlocksApart(); // as main() does
    void *volatile freed = std::malloc(24 << 20); // volatile: the compiler may not drop the pair
    std::free(freed);
    // Above the threshold, and larger than the whole heap, so that no free space in it can hold
    // the block: it comes from the heap grown, or from a mapping of its own.
    const auto heap = mainHeap();
    QVERIFY(heap.second > heap.first);
    const quintptr size = std::max(heap.second - heap.first + (1 << 20), quintptr(3 << 20));
    if (size >= quintptr(24 << 20))
        QSKIP("the heap is too large here for a block between it and the freed one");
    void *volatile block = std::malloc(size);
    const auto address = quintptr(block);
    const auto grown = mainHeap(); // while the block is still there
    std::free(block);
    QVERIFY2(address < grown.first || address >= grown.second,
        qPrintable(QStringLiteral("%1 bytes at %2, heap %3-%4")
                       .arg(size)
                       .arg(address, 0, 16)
                       .arg(grown.first, 0, 16)
                       .arg(grown.second, 0, 16)));
#endif
}

void TestApp::tableKeepsJobsCompactly()
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    QSKIP("a sanitizer's allocator does not report to mallinfo2");
#else
    const auto heapInUse = [] {
        const struct mallinfo2 info = mallinfo2();
        return qint64(info.uordblks + info.hblkhd);
    };
    QTemporaryDir dir;
    SqliteJobStore::Options options;
    options.dataDir = dir.path();
    auto opened = SqliteJobStore::open(options);
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    Fixture f;
    QueueConfig config = f.settings.queueConfig(dir.path());
    config.workers = 0; // only look
    JobQueueImpl queue(std::shared_ptr<JobStore>(std::move(opened.value())), f.registry, config);
    constexpr int kJobs = 20000;
    QList<QJsonObject> params;
    for (int i = 0; i < kJobs; ++i)
        params.append({ { QStringLiteral("url"),
                            QStringLiteral("http://127.0.0.1:9/files/report-%1.pdf").arg(i) },
            { QStringLiteral("dir"), dir.filePath(QStringLiteral("downloads")) } });
    // Delivered, and what carried them freed.
    QCOMPARE(enqueueCommitted(queue, QStringLiteral("download"), params).size(), kJobs);
    const qint64 before = heapInUse();
    JobTableModel model(f.registry);
    model.setQueue(&queue);
    QTRY_COMPARE(model.rowCount(), kJobs);
    QTRY_VERIFY(!model.isLoading());
    backgroundPool()->waitForDone(); // where the model frees what it loaded from
    // What the table holds for a job: its record, its title and its params, packed. It was 1,400
    // bytes when the array the snapshot came in stayed allocated and every row kept its params
    // parsed, and 583 with each row a JobRecord. The same in every run: the heap, not the clock.
    const qint64 perJob = (heapInUse() - before) / kJobs;
    qInfo("%lld bytes a job", perJob);
    QVERIFY2(perJob <= 400, qPrintable(QStringLiteral("%1 bytes a job").arg(perJob)));
    // Kept compactly, and still all there.
    const auto last = model.record(kJobs - 1);
    QVERIFY(last);
    QCOMPARE(JobTableModel::paramsOf(*last).value(QStringLiteral("url")).toString(),
        params.constLast().value(QStringLiteral("url")).toString());
    QCOMPARE(model.data(model.index(kJobs - 1, JobTableModel::NameColumn)).toString(),
        QStringLiteral("report-%1.pdf").arg(kJobs - 1));
#endif
}

void TestApp::packedRecordsKeepEveryField()
{
    const QString kind = QStringLiteral("download");
    JobRecord full;
    full.id = QUuid::createUuid();
    full.kind = kind;
    full.params = { { QStringLiteral("url"),
                        QStringLiteral("https://example.org/r\u00e9sum\u00e9") },
        { QStringLiteral("note"), QString(300, u'x') } }; // lengths past one LEB128 byte
    full.seq = 1ll << 40;
    full.state = JobState::Running;
    full.control = JobControl::Pause;
    full.attempts = 3;
    full.maxAttempts = 7;
    full.enqueuedAtMs = 1700000000001;
    full.startedAtMs = 1700000000002;
    full.finishedAtMs = 1700000000003;
    full.notBeforeMs = 1700000000004;
    full.progress = Progress { 5, 9, units::Bytes };
    full.error = QStringLiteral("a long error: ") + QString(200, u'e');
    full.output = QStringLiteral("/tmp/d\u00e9j\u00e0/r\u00e9sum\u00e9.pdf");
    full.leaseOwner = QStringLiteral("render-02:4242");
    full.leaseToken = 11;
    full.leaseExpiresAtMs = 1700000000005;
    full.avoidHost = QStringLiteral("render-01");
    full.avoidUntilMs = 1700000000006;
    full.rev = 99;
    const auto sameRecord = [&](const JobRecord &r, const QString &why) {
        QVERIFY2(r.id == full.id && r.kind == full.kind && r.seq == full.seq
                && r.state == full.state && r.control == full.control && r.attempts == full.attempts
                && r.maxAttempts == full.maxAttempts && r.enqueuedAtMs == full.enqueuedAtMs
                && r.startedAtMs == full.startedAtMs && r.finishedAtMs == full.finishedAtMs
                && r.notBeforeMs == full.notBeforeMs && r.progress == full.progress
                && r.error == full.error && r.output == full.output
                && r.leaseOwner == full.leaseOwner && r.leaseToken == full.leaseToken
                && r.leaseExpiresAtMs == full.leaseExpiresAtMs && r.avoidHost == full.avoidHost
                && r.avoidUntilMs == full.avoidUntilMs && r.rev == full.rev,
            qPrintable(why));
        QCOMPARE(JobTableModel::paramsOf(r), full.params);
    };
    const PackedRecord packed(full, &kind, QStringLiteral("r\u00e9sum\u00e9 (paused)"));
    sameRecord(packed.unpack(), QStringLiteral("unpacked"));
    QCOMPARE(packed.title(), QStringLiteral("r\u00e9sum\u00e9 (paused)"));
    QCOMPARE(packed.output(), full.output);
    QCOMPARE(packed.error(), full.error);
    QCOMPARE(packed.progress(), full.progress);
    QCOMPARE(&packed.kind(), &kind); // shared, not copied
    // Copies and moves keep it whole, and the moved-from record is empty, not broken.
    PackedRecord copy = packed;
    sameRecord(copy.unpack(), QStringLiteral("copied"));
    PackedRecord moved = std::move(copy);
    sameRecord(moved.unpack(), QStringLiteral("moved"));
    QCOMPARE(copy.unpack().output, QString()); // NOLINT(bugprone-use-after-move): on purpose
    copy = moved;
    sameRecord(copy.unpack(), QStringLiteral("assigned"));

    // A finished download's title is its file's name: kept as the output, not twice.
    JobRecord done;
    done.id = QUuid::createUuid();
    done.state = JobState::Succeeded;
    done.output = QStringLiteral("/downloads/report.pdf");
    const PackedRecord named(done, nullptr, QStringLiteral("report.pdf"));
    QCOMPARE(named.title(), QStringLiteral("report.pdf"));
    QCOMPARE(named.kind(), QString());
    // What was never set reads as unset.
    const JobRecord bare = PackedRecord(JobRecord {}, nullptr, {}).unpack();
    QVERIFY(bare.output.isNull() && bare.error.isNull() && bare.paramsText.isNull());
    QCOMPARE(bare.progress.total, qint64(-1));
    QCOMPARE(bare.maxAttempts, 1);
}

// The filter reads each row's roles instead of unpacking its record: state, kind, name, output.
void TestApp::filterReadsStateKindNameAndOutput()
{
    Fixture f(2);
    f.kit.setHealthy(true);
    WatchedQueue w(f);
    const QUuid flaky = w.queue.enqueue(QStringLiteral("flaky"), {}).value();
    w.queue.enqueue(QStringLiteral("quick"), {}).value();
    w.queue.enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 60000 } }).value();
    w.queue.start();
    QTRY_COMPARE(w.model.counts().succeeded, qint64(2));
    JobFilterProxy proxy(&w.model);
    QCOMPARE(proxy.rowCount(), 3);
    proxy.setText(QStringLiteral("HEALTHY AT")); // only its output says so
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(JobTableModel::IdRole).toUuid(), flaky);
    proxy.setText(QStringLiteral("60000 ms")); // its name
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setText({});
    proxy.setKind(QStringLiteral("quick"));
    QCOMPARE(proxy.rowCount(), 1);
    proxy.setKind({});
    proxy.setStates({ JobState::Succeeded });
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setStates({ JobState::Failed });
    QCOMPARE(proxy.rowCount(), 0);
    w.queue.stop(StopMode::Release);
    QTRY_VERIFY(w.queue.isStopped());
}

void TestApp::jobsFromSpoolctlAppear()
{
    // The app and spoolctl on one data directory: what spoolctl adds shows within a second.
    QTemporaryDir dir;
    SqliteJobStore::Options options;
    options.dataDir = dir.path();
    auto opened = SqliteJobStore::open(options);
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    Fixture f;
    QueueConfig config = f.settings.queueConfig(dir.path());
    config.workers = 0; // only look
    JobQueueImpl queue(std::shared_ptr<JobStore>(std::move(opened.value())), f.registry, config);
    JobTableModel model(f.registry);
    model.setQueue(&queue);
    queue.start();
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.rowCount(), 0);

    QProcess ctl;
    ctl.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), dir.path(), QStringLiteral("add"), QStringLiteral("sleep"),
            QStringLiteral("--ms"), QStringLiteral("50") });
    QVERIFY(ctl.waitForFinished(30000));
    QCOMPARE(ctl.exitCode(), 0);
    const QUuid id = QUuid::fromString(QString::fromUtf8(ctl.readAllStandardOutput().trimmed()));
    QVERIFY(!id.isNull());
    // Polled at 200 ms: the time is logged; the bound is only a margin for a loaded machine
    // under ThreadSanitizer (a poll, a read and the model's update, not a promise).
    QElapsedTimer seen;
    seen.start();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 30000);
    qInfo("the job from spoolctl appeared in %lld ms", seen.elapsed());
    QCOMPARE(model.record(0)->id, id);
    QCOMPARE(
        model.index(0, JobTableModel::NameColumn).data().toString(), QStringLiteral("sleep 50 ms"));
}

void TestApp::delegatePaintsTheFill_data()
{
    QTest::addColumn<double>("fraction");
    QTest::newRow("quarter") << 0.25;
    QTest::newRow("three quarters") << 0.75;
    QTest::newRow("nothing yet") << 0.0;
}

void TestApp::delegatePaintsTheFill()
{
    QFETCH(double, fraction);
    QStandardItemModel model(1, JobTableModel::ColumnCount);
    auto *item = new QStandardItem(QStringLiteral("%1%").arg(int(fraction * 100)));
    item->setData(fraction, JobTableModel::FractionRole);
    item->setData(int(JobState::Running), JobTableModel::StateRole);
    model.setItem(0, JobTableModel::ProgressColumn, item);

    ProgressDelegate delegate;
    QImage image(204, 24, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        QStyleOptionViewItem option;
        option.rect = image.rect();
        option.state = QStyle::State_Enabled;
        option.palette = QApplication::palette();
        option.fontMetrics = QFontMetrics(QApplication::font());
        delegate.paint(&painter, option, model.index(0, JobTableModel::ProgressColumn));
    }
    // The bar's fill is the palette's highlight: measure how far it reaches along the middle row.
    const QColor fill = QApplication::palette().color(QPalette::Highlight);
    const auto isFill = [&](QRgb pixel) {
        const QColor c(pixel);
        return qAbs(c.hue() - fill.hue()) < 20 && c.saturation() > 80 && c.value() > 60;
    };
    int first = -1, last = -1;
    const int y = image.height() / 2 + 6; // below the centered text
    for (int x = 0; x < image.width(); ++x) {
        if (isFill(image.pixel(x, y))) {
            if (first < 0)
                first = x;
            last = x;
        }
    }
    const double drawn = first < 0 ? 0.0 : double(last - first + 1) / double(image.width() - 8);
    QVERIFY2(qAbs(drawn - fraction) < 0.06,
        qPrintable(QStringLiteral("drew %1 of the bar for %2").arg(drawn).arg(fraction)));
}

void TestApp::actionsFollowTheSelection()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    JobQueue *queue = controller.queue();
    const QUuid running = queue->enqueue(QStringLiteral("gate"), {}).value();
    const QUuid waiting = queue->enqueue(QStringLiteral("gate2"), {}).value();
    const QUuid failed = queue->enqueue(QStringLiteral("flaky"), {}, 1).value();
    controller.start();
    JobTableModel *model = window.model();
    QTRY_COMPARE(model->rowCount(), 3);
    QTRY_COMPARE(model->recordById(running)->state, JobState::Running);
    queue->pause(waiting); // paused while queued
    queue->cancel(running); // running -> canceled; the flaky job then fails
    QTRY_COMPARE(model->recordById(failed) ? model->recordById(failed)->state : JobState::Invalid,
        JobState::Failed);
    QTRY_COMPARE(model->recordById(waiting)->state, JobState::Paused);

    QTableView *view = window.jobView();
    const auto select = [&](const QList<QUuid> &ids) {
        view->selectionModel()->clearSelection();
        for (int row = 0; row < view->model()->rowCount(); ++row) {
            const QModelIndex index = view->model()->index(row, 0);
            if (ids.contains(index.data(JobTableModel::IdRole).toUuid()))
                view->selectionModel()->select(
                    index, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
    };
    const auto enabled = [&](const char *name) {
        return window.action(QString::fromLatin1(name))->isEnabled();
    };

    select({});
    QVERIFY(!enabled("actionPause") && !enabled("actionResume") && !enabled("actionCancel")
        && !enabled("actionRetry") && !enabled("actionRemove"));
    select({ waiting });
    QVERIFY(!enabled("actionPause") && enabled("actionResume") && enabled("actionCancel")
        && !enabled("actionRetry") && enabled("actionRemove"));
    select({ failed });
    QVERIFY(!enabled("actionPause") && !enabled("actionResume") && !enabled("actionCancel")
        && enabled("actionRetry"));
    QVERIFY(!enabled("actionOpenOutput"));
    select({ failed, waiting });
    QVERIFY(enabled("actionResume") && enabled("actionRetry") && enabled("actionCancel"));
    QTRY_VERIFY(enabled("actionClearFinished"));

    // The toolbar acts on the selection, in one go.
    window.action(QStringLiteral("actionRetry"))->trigger();
    const auto retried = [&] {
        const auto events = f.store->events(failed);
        return events && std::any_of(events->begin(), events->end(), [](const JobEvent &e) {
            return e.event == QLatin1String("retried");
        });
    };
    QTRY_VERIFY(retried());
    QTRY_COMPARE(model->rowOf(failed), 2); // a retry joins the back of the queue
    QTRY_COMPARE(model->recordById(failed)->state, JobState::Failed); // it is flaky
    select({ waiting });
    window.action(QStringLiteral("actionRemove"))->trigger();
    QTRY_COMPARE(model->rowOf(waiting), -1);
}

// Clicks through the next message box (polled for: it opens modally, inside the code under
// test): ticks its check box first when asked.
void answerNextMessageBox(bool tick, bool accept)
{
    auto *poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, poll, [poll, tick, accept] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        poll->deleteLater();
        if (tick && box->checkBox())
            box->checkBox()->setChecked(true);
        for (QAbstractButton *button : box->buttons()) {
            const bool remove = box->buttonRole(button) == QMessageBox::AcceptRole;
            if (remove == accept) {
                button->click();
                return;
            }
        }
    });
    poll->start(10);
}

// Many succeeded jobs and nothing failed: the question has no check box (there was one, not
// laid out, on top of the box's icon).
void TestApp::clearFinishedAsksAboutManyWithNothingElse()
{
    Fixture f(0);
    QList<ExportedJob> jobs;
    for (int i = 0; i < 11; ++i)
        jobs.append(exported(QStringLiteral("sleep"), {}, JobState::Succeeded));
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.start();
    QTRY_COMPARE(window.model()->rowCount(), 11);
    QString question;
    int checkBoxes = -1;
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || checkBoxes >= 0)
            return;
        question = box->text();
        checkBoxes = int(box->findChildren<QCheckBox *>().size());
        for (QAbstractButton *button : box->buttons())
            if (box->buttonRole(button) == QMessageBox::AcceptRole)
                button->click();
    });
    poll.start(10);
    window.action(QStringLiteral("actionClearFinished"))->trigger();
    QVERIFY2(question.startsWith(QStringLiteral("Remove 11 succeeded job")), qPrintable(question));
    QCOMPARE(checkBoxes, 0);
    QTRY_COMPARE(window.model()->rowCount(), 0);
}

// A split render is one row, so Clear Finished counts it as one job, however many parts it had
// (it asked about "14 succeeded jobs" with 11 rows in the table, and "2 failed" for one).
void TestApp::clearFinishedCountsASplitRenderAsOneJob()
{
    Fixture f(0);
    const Progress samples { 4, 4, QStringLiteral("samples") };
    const auto split = [&](const QString &group, JobState last) {
        QList<ExportedJob> jobs;
        for (int part = 0; part <= 3; ++part) {
            const QJsonObject params =
                partParams(f.dir.filePath(group + QStringLiteral(".png")), part, 3, group);
            // The last part and the delivery (part 0) end as the render did.
            const JobState state = part == 3 || part == 0 ? last : JobState::Succeeded;
            jobs.append(exported(QStringLiteral("render"), params, state, samples));
        }
        return jobs;
    };
    QList<ExportedJob> jobs = split(QStringLiteral("done"), JobState::Succeeded);
    jobs += split(QStringLiteral("broken"), JobState::Failed);
    for (int i = 0; i < 10; ++i)
        jobs.append(exported(QStringLiteral("sleep"), {}, JobState::Succeeded));
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.start();
    QTRY_COMPARE(window.model()->rowCount(), 12);
    QString question, also;
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || !question.isEmpty())
            return;
        question = box->text();
        if (box->checkBox()) {
            also = box->checkBox()->text();
            box->checkBox()->setChecked(true);
        }
        for (QAbstractButton *button : box->buttons())
            if (box->buttonRole(button) == QMessageBox::AcceptRole)
                button->click();
    });
    poll.start(10);
    window.action(QStringLiteral("actionClearFinished"))->trigger();
    QVERIFY2(question.startsWith(QStringLiteral("Remove 11 succeeded job")), qPrintable(question));
    QCOMPARE(also, QStringLiteral("Also remove 1 failed and 0 canceled job(s)"));
    QTRY_COMPARE(window.model()->rowCount(), 0);
    QTRY_VERIFY([&] { // every part went with its row
        const auto counts = f.store->counts();
        return counts && counts->succeeded + counts->failed == 0;
    }());
}

// Canceled is its own state in the status bar; a job canceled before it ran shows no duration;
// the details panel empties with the selection; Clear Finished asks before it removes failed or
// canceled jobs.
void TestApp::countsDetailsAndClearFinishedAgree()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    JobQueue *queue = controller.queue();
    queue->setQueuePaused(true);
    QList<QUuid> sleeps;
    for (int i = 0; i < 3; ++i)
        sleeps.append(
            queue->enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 60000 } }).value());
    controller.start();
    JobTableModel *model = window.model();
    QTRY_COMPARE(model->rowCount(), 3);
    auto *paused = window.findChild<QLabel *>(QStringLiteral("pausedLabel"));
    QTRY_VERIFY(paused->isVisible()); // a paused queue says so for as long as it lasts
    queue->commandMany(sleeps, JobCommand::Cancel);
    auto *counts = window.findChild<QLabel *>(QStringLiteral("countsLabel"));
    QTRY_VERIFY2(counts->text().endsWith(QStringLiteral("0 failed · 3 canceled")),
        qPrintable(counts->text()));

    QTableView *view = window.jobView();
    auto *panel = window.findChild<JobDetailsPanel *>();
    view->selectionModel()->setCurrentIndex(view->model()->index(0, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(!panel->currentJob().isNull());
    const QString times = panel->findChild<QLabel *>(QStringLiteral("timesValue"))->text();
    QVERIFY2(times.contains(QLatin1String("without starting")), qPrintable(times));
    QVERIFY2(!times.contains(QLatin1String(" h ")), qPrintable(times));

    // Clicking empty space clears the selection: the panel follows the toolbar.
    view->selectionModel()->clearSelection();
    QVERIFY(panel->currentJob().isNull());
    QVERIFY(!window.action(QStringLiteral("actionRemove"))->isEnabled());

    // Clear Finished: nothing succeeded, and the canceled ones stay unless ticked.
    view->selectionModel()->setCurrentIndex(view->model()->index(0, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    answerNextMessageBox(false, true);
    window.action(QStringLiteral("actionClearFinished"))->trigger();
    QTest::qWait(200);
    QCOMPARE(model->rowCount(), 3);
    answerNextMessageBox(true, true);
    window.action(QStringLiteral("actionClearFinished"))->trigger();
    QTRY_COMPARE(model->rowCount(), 0);
    QTRY_VERIFY(panel->currentJob().isNull()); // a removed job is not shown
    queue->setQueuePaused(false);
    QTRY_VERIFY(!paused->isVisible());
}

// A store that fails (a shared queue's server away) is shown for as long as it lasts, not as a
// message that comes and goes; the window says when the queue works again. The queue's side
// (errors, then one recovery) is proven by tst_sharedqueue with a real server stopped for 30 s.
void TestApp::storageProblemShowsUntilTheQueueWorks()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.start();
    auto *problem = window.findChild<QLabel *>(QStringLiteral("storageLabel"));
    QVERIFY(problem);
    QVERIFY(!problem->isVisible());
    const QString reason =
        QStringLiteral("the shared queue is unreachable (postgresql://db/spool): "
                       "connection refused");
    Q_EMIT controller.queue()->storageError(reason);
    QVERIFY(problem->isVisible());
    QVERIFY2(problem->toolTip().endsWith(reason), qPrintable(problem->toolTip()));
    QVERIFY2(problem->text().startsWith(QStringLiteral("Queue problem, retrying")),
        qPrintable(problem->text()));
    QVERIFY(problem->sizeHint().width() <= qMax(200, window.width() / 2) + 20); // elided
    Q_EMIT controller.queue()->storageRecovered();
    QVERIFY(!problem->isVisible());
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("The queue works again."));
}

// A shared queue's server that accepts the connection and never answers (libpq would wait for
// the URL's 60 s connect timeout): the app's events go on, a dialog says what it waits for, and
// Quit ends the wait at once.
void TestApp::openingASilentQueueCanBeQuit()
{
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QTemporaryDir dir;
    StoreLocation where;
    where.dataDir = dir.path();
    where.queueUrl = QStringLiteral("postgresql://spool@127.0.0.1:%1/spool?connect_timeout=60")
                         .arg(silent.serverPort());
    bool eventsRan = false;
    QString shown;
    QTimer::singleShot(50, this, [&] { eventsRan = true; });
    // Past the dialog's half second; it may take a while on a loaded machine.
    QTimer poll;
    connect(&poll, &QTimer::timeout, this, [&] {
        for (QWidget *w : QApplication::topLevelWidgets()) {
            auto *dialog = qobject_cast<QProgressDialog *>(w);
            if (dialog && dialog->isVisible()) {
                shown = dialog->labelText();
                dialog->findChild<QPushButton *>()->click(); // as the user does
            }
        }
    });
    poll.start(100);
    QElapsedTimer waited;
    waited.start();
    const auto opened = openQueueShowingProgress(where);
    QVERIFY(!opened.has_value());
    QVERIFY(eventsRan);
    QCOMPARE(shown,
        QStringLiteral("Connecting to the shared queue postgresql://127.0.0.1:%1/spool…")
            .arg(silent.serverPort()));
    QVERIFY2(waited.elapsed() < 30000, "Quit waited for the connection attempt");
}

// `spool FILE` while the first window still opens its queue (its event loop runs under the
// progress dialog): the words wait for the window and are queued, never answered "the window is
// already open" with nothing queued. (CI's loaded stress pass hit that in tst_cli.)
void TestApp::wordsWaitWhileTheWindowOpensItsQueue()
{
    QTemporaryDir dir;
    QString answer;
    bool toldToWait = false;
    std::atomic<bool> done { false };
    std::thread second;
    // Joined after the window is gone (declared before it): its spool then stops waiting.
    const auto joinSecond = qScopeGuard([&] {
        if (second.joinable())
            second.join();
    });
    SingleInstance window(dir.path());
    QCOMPARE(window.claim(), SingleInstance::Claim::Claimed);
    second = std::thread([&] {
        SingleInstance other(dir.path());
        answer = other.forward({ QStringLiteral("a.obj"), QStringLiteral("http://127.0.0.1:9/b") },
            20000, [&] { toldToWait = true; });
        done = true;
    });
    // The words have arrived and no handler is set yet.
    const auto arrived = [&] {
        const auto sockets = window.findChildren<QLocalSocket *>();
        return std::any_of(
            sockets.begin(), sockets.end(), [](const QLocalSocket *s) { return s->canReadLine(); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(arrived() || done, 30000);
    if (done) {
        second.join();
        QFAIL(qPrintable(QStringLiteral("answered before the window could queue: ") + answer));
    }
    QList<QUrl> queued;
    window.setHandler([&](const QList<QUrl> &urls) {
        queued = urls;
        return QStringLiteral("ok: Queued %1.").arg(urls.size());
    });
    QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    second.join();
    QVERIFY(toldToWait); // "the window is still opening its queue; waiting for it"
    QCOMPARE(answer, QStringLiteral("ok: Queued 2."));
    QCOMPARE(queued,
        QList<QUrl>(
            { QUrl::fromLocalFile(QDir::current().absoluteFilePath(QStringLiteral("a.obj"))),
                QUrl(QStringLiteral("http://127.0.0.1:9/b")) }));
}

// Quitting hands the running jobs back through the queue; while its server is away that can
// take a lease. The window then offers to leave without it: Keep Waiting asks again later, Quit
// Anyway leaves. (A gate job that does not finish holds the stop here, as the server would.)
void TestApp::quittingWhileTheQueueIsAwayOffersToLeave()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.start();
    controller.queue()->enqueue(QStringLiteral("gate"), {}).value();
    QTRY_COMPARE(f.kit.running(QStringLiteral("gate")), 1);
    int left = 0;
    window.setLeaveWithoutQueue(300, [&] { ++left; });
    Q_EMIT controller.queue()->storageError(
        QStringLiteral("the shared queue is unreachable (postgresql://db/spool)"));
    QStringList asked;
    QTimer answer;
    connect(&answer, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || !box->isVisible())
            return;
        asked.append(box->text());
        const QString choice =
            asked.size() == 1 ? QStringLiteral("Keep Waiting") : QStringLiteral("Quit Anyway");
        for (QAbstractButton *button : box->buttons()) {
            if (button->text() == choice)
                button->click();
        }
    });
    answer.start(50);
    QSignalSpy done(&controller, &AppController::shutDownComplete);
    window.quit(StopMode::Drain);
    QTRY_COMPARE_WITH_TIMEOUT(left, 1, 20000);
    QCOMPARE(asked.size(), 2);
    QCOMPARE(asked.first(),
        QStringLiteral("The queue cannot be reached, so Spool cannot hand its running jobs back."));
    answer.stop();
    f.kit.openGate();
    QVERIFY(done.wait(10000));
}

// "Forget finished jobs after 30 days": the app forgets them when it starts (and every hour),
// and keeps newer ones.
void TestApp::retentionForgetsOldJobsAtStart()
{
    Fixture f(1);
    f.settings.setRetentionDays(30);
    const qint64 day = 24LL * 3600 * 1000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<ExportedJob> jobs;
    for (const qint64 age : { 45 * day, 31 * day, 29 * day, day }) {
        ExportedJob job;
        job.record.id = QUuid::createUuid();
        job.record.kind = QStringLiteral("sleep");
        job.record.params = QJsonObject { { QStringLiteral("ms"), 1 } };
        job.record.state = JobState::Succeeded;
        job.record.attempts = 1;
        job.record.maxAttempts = 1;
        job.record.enqueuedAtMs = now - age - 10;
        job.record.finishedAtMs = now - age;
        jobs.append(job);
    }
    QVERIFY(f.store->importJobs(jobs, now).ok());
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    controller.start();
    QTRY_COMPARE(f.store->counts()->succeeded, qint64(2));
    auto left = f.store->query(JobQuery {});
    QVERIFY(left.ok());
    QCOMPARE(left->size(), 2);
    for (const JobRecord &r : std::as_const(left.value()))
        QVERIFY(r.finishedAtMs > now - 30 * day);
    f.settings.setRetentionDays(0);
}

// At the default size everything fits (the toolbar without its overflow menu, the columns
// without a horizontal scroll bar), and the empty table says what to do.
void TestApp::firstLaunchFitsAndExplains()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    auto *view = qobject_cast<JobTableView *>(window.jobView());
    QVERIFY(view);
    // The snapshot comes through the event loop, which has not run yet: not "no jobs" before.
    QCOMPARE(view->placeholderText(), QStringLiteral("Loading the queue…"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY2(view->placeholderText().contains(QLatin1String("Drop web addresses")),
        qPrintable(view->placeholderText()));
    const auto *toolbar = window.findChild<QToolBar *>();
    QCOMPARE(toolbar->toolButtonStyle(), Qt::ToolButtonTextUnderIcon); // room for the words
    for (QAction *action : toolbar->actions()) {
        if (action->isVisible() && !action->isSeparator())
            QVERIFY2(toolbar->widgetForAction(action)->isVisible(),
                qPrintable(action->iconText() + QStringLiteral(" is in the overflow menu")));
    }
    QVERIFY(!window.action(QStringLiteral("actionResumeQueue"))->isVisible());
    QTRY_COMPARE(view->horizontalScrollBar()->maximum(), 0);

    // A job makes the hint go; a filter that hides every job says so instead.
    controller.queue()->setQueuePaused(true);
    QVERIFY(controller.queue()->enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 10 } }));
    controller.start();
    QTRY_COMPARE(view->model()->rowCount(), 1);
    window.findChild<QLineEdit *>(QStringLiteral("searchEdit"))->setText(QStringLiteral("zzz"));
    QCOMPARE(view->model()->rowCount(), 0);
    QVERIFY2(view->placeholderText().contains(QLatin1String("filter")),
        qPrintable(view->placeholderText()));
    // The paused queue: the toolbar offers to resume it, in the same place.
    QTRY_VERIFY(window.action(QStringLiteral("actionResumeQueue"))->isVisible());
    QVERIFY(!window.action(QStringLiteral("actionPauseQueue"))->isVisible());
    controller.queue()->setQueuePaused(false);
}

// Tab leaves the table for the details and the timeline, Ctrl+F finds, Shift+F10 opens the
// context menu, and tooltips teach the shortcuts.
void TestApp::keyboardReachesEverything()
{
    Fixture f(1);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    controller.queue()->setQueuePaused(true);
    QVERIFY(controller.queue()->enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 10 } }));
    controller.start();
    QTableView *view = window.jobView();
    QTRY_COMPARE(view->model()->rowCount(), 1);
    view->setFocus();
    view->selectionModel()->setCurrentIndex(view->model()->index(0, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);

    QSet<QString> reached;
    // Once round the window, back to the table.
    for (int i = 0; i < 40 && (i == 0 || QApplication::focusWidget() != view); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        reached.insert(QApplication::focusWidget()->objectName());
    }
    QVERIFY2(reached.contains(QStringLiteral("timelineTree")),
        qPrintable(QStringList(reached.begin(), reached.end()).join(QLatin1Char(' '))));
    QVERIFY2(reached.contains(QStringLiteral("idValue")),
        qPrintable(QStringList(reached.begin(), reached.end()).join(QLatin1Char(' '))));

    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("searchEdit"));

    view->setFocus();
    QStringList menuItems;
    QTimer::singleShot(0, &window, [&menuItems] {
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (const QAction *a : menu->actions())
            menuItems.append(a->text());
        menu->close();
    });
    QTest::keyClick(view, Qt::Key_F10, Qt::ShiftModifier);
    QVERIFY2(menuItems.contains(QStringLiteral("&Pause")), qPrintable(menuItems.join(u',')));

    QVERIFY2(
        window.action(QStringLiteral("actionPause"))->toolTip().contains(QLatin1String("Ctrl+P")),
        qPrintable(window.action(QStringLiteral("actionPause"))->toolTip()));
    controller.queue()->setQueuePaused(false);
}

// The notice that a job is done, the job's row and the status bar's counts change together:
// at the moment the notice is shown, the row says Done and the counts include it. (They came
// from three sources before: the notice at once, the row a frame later, the counts 200 ms on.)
void TestApp::statusBarRowsAndNoticesAgree()
{
    Fixture f(2);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    auto *counts = window.findChild<QLabel *>(QStringLiteral("countsLabel"));
    JobTableModel *model = window.model();
    struct Seen
    {
        QString notice, state, counts;
    };
    QList<Seen> seen;
    connect(window.statusBar(), &QStatusBar::messageChanged, this, [&](const QString &text) {
        if (!text.endsWith(QLatin1String(" is done")))
            return;
        const QString title = text.chopped(int(qstrlen(" is done")));
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->index(row, JobTableModel::NameColumn).data().toString() == title)
                seen.append(
                    { title, model->index(row, JobTableModel::StateColumn).data().toString(),
                        counts->text() });
        }
    });
    QList<QUuid> ids;
    controller.start();
    for (int ms : { 30, 60, 90, 120 })
        ids.append(controller.queue()
                       ->enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), ms } })
                       .value());
    QTRY_COMPARE(seen.size(), 4);
    int done = 0;
    for (const Seen &s : std::as_const(seen)) {
        QCOMPARE(s.state, QStringLiteral("Done"));
        ++done;
        // Jobs that end in the same frame are counted together: at least this many are done.
        const int shown = s.counts.section(QStringLiteral(" done"), 0, 0)
                              .section(QStringLiteral(" · "), -1)
                              .toInt();
        QVERIFY2(shown >= done, qPrintable(s.notice + QStringLiteral(": ") + s.counts));
    }
    QTRY_VERIFY2(
        counts->text().contains(QStringLiteral("0 running · 0 queued · 0 paused · 4 done")),
        qPrintable(counts->text()));
}

// "1000000 done" is hard to read: the counts come in the locale's digit groups.
void TestApp::statusBarCountsAreGroupedByTheLocale()
{
    const QLocale before;
    auto restore = qScopeGuard([&] { QLocale::setDefault(before); });
    Fixture f(0);
    QList<ExportedJob> jobs;
    for (int i = 0; i < 1234; ++i)
        jobs.append(exported(QStringLiteral("sleep"), {}, JobState::Succeeded));
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    for (const auto &[locale, done] : { std::pair(QLocale(QLocale::English, QLocale::UnitedStates),
                                            QStringLiteral("· 1,234 done ·")),
             std::pair(
                 QLocale(QLocale::German, QLocale::Germany), QStringLiteral("· 1.234 done ·")) }) {
        QLocale::setDefault(locale);
        AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
        MainWindow window(&controller);
        auto *counts = window.findChild<QLabel *>(QStringLiteral("countsLabel"));
        controller.start();
        QTRY_VERIFY2(counts->text().contains(done), qPrintable(counts->text()));
    }
}

void TestApp::downloadDialogExplainsProblems()
{
    Fixture f;
    NewDownloadDialog dialog(f.registry, f.dir.path());
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *problemLine = dialog.findChild<QLabel *>(QStringLiteral("problemLabel"));
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog.problem().contains(QLatin1String("address")));
    // Nothing typed yet is not a mistake: a hint, not the red of an error.
    QCOMPARE(problemLine->property("problemKind").toString(), QStringLiteral("hint"));
    QVERIFY(problemLine->styleSheet().isEmpty());
    dialog.setUrl(QStringLiteral("ftp://example.org/file"));
    QVERIFY(!ok->isEnabled());
    QCOMPARE(problemLine->property("problemKind").toString(), QStringLiteral("error"));
    QVERIFY(!problemLine->styleSheet().isEmpty());
    QVERIFY2(dialog.problem().contains(QLatin1String("not an http or https URL")),
        qPrintable(dialog.problem()));
    dialog.setUrl(QStringLiteral("https://example.org/file.zip"));
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY(ok->isEnabled());
    dialog.findChild<QLineEdit *>(QStringLiteral("shaEdit"))->setText(QStringLiteral("1234"));
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog.problem().contains(QLatin1String("64 hexadecimal digits")));
    dialog.findChild<QLineEdit *>(QStringLiteral("shaEdit"))->clear();
    QVERIFY(ok->isEnabled());
    QCOMPARE(dialog.params().value(QStringLiteral("url")).toString(),
        QStringLiteral("https://example.org/file.zip"));
    QCOMPARE(dialog.params().value(QStringLiteral("dir")).toString(), f.dir.path());
}

void TestApp::droppedUrlsBecomeDownloads()
{
    Fixture f;
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *mime = new QMimeData;
    mime->setUrls({ QUrl(QStringLiteral("http://127.0.0.1:9/archive.tar.gz")),
        QUrl::fromLocalFile(f.dir.filePath(QStringLiteral("notes.txt"))) });
    const QPoint center = window.rect().center();
    QDragEnterEvent enter(center, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(center, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &drop);
    QTRY_COMPARE(window.model()->rowCount(), 1);
    const auto record = window.model()->record(0);
    QCOMPARE(record->kind, QStringLiteral("download"));
    QCOMPARE(JobTableModel::paramsOf(*record).value(QStringLiteral("url")).toString(),
        QStringLiteral("http://127.0.0.1:9/archive.tar.gz"));
    QCOMPARE(window.model()->title(*record), QStringLiteral("archive.tar.gz"));
    QVERIFY(window.statusBar()->currentMessage().contains(
        QLatin1String("notes.txt"))); // the file is refused, and said so
    delete mime;
}

void TestApp::renderDialogExplainsProblems()
{
    Fixture f;
    NewRenderDialog dialog(f.registry, f.dir.path());
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("model file")), qPrintable(dialog.problem()));

    dialog.setScene(QStringLiteral("/nonexistent/ship.obj"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("/nonexistent/ship.obj does not exist")),
        qPrintable(dialog.problem()));

    // A file Assimp cannot read is reported from the (background) camera read, before queuing.
    const QString garbage = f.dir.filePath(QStringLiteral("garbage.ply"));
    {
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, '\x01'));
    }
    dialog.setScene(garbage);
    QTRY_VERIFY(!dialog.readingCameras());
    QVERIFY2(
        dialog.problem().contains(QLatin1String("cannot be read")), qPrintable(dialog.problem()));
    QVERIFY(!ok->isEnabled());

    // The terrain: a suggested output beside the others, its camera offered once read.
    dialog.setScene(render::kProceduralTerrain);
    QTRY_VERIFY(!dialog.readingCameras());
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY(ok->isEnabled());
    QCOMPARE(dialog.params().value(QStringLiteral("out")).toString(),
        f.dir.filePath(QStringLiteral("terrain.png")));
    auto *cameras = dialog.findChild<QComboBox *>(QStringLiteral("cameraCombo"));
    QVERIFY(cameras->findData(QStringLiteral("overview")) > 0);
    dialog.setCamera(QStringLiteral("overview"));
    QCOMPARE(
        dialog.params().value(QStringLiteral("camera")).toString(), QStringLiteral("overview"));
    // Split into parts: each renders some of the samples, so there must be a sample for each.
    auto *split = dialog.findChild<QSpinBox *>(QStringLiteral("splitSpin"));
    split->setValue(3);
    dialog.setSamples(2);
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("in 3 parts needs at least 3 samples")),
        qPrintable(dialog.problem()));
    dialog.setSamples(16);
    QVERIFY(ok->isEnabled());
    QCOMPARE(dialog.params().value(QStringLiteral("split")).toInt(), 3);
    split->setValue(1);
    dialog.setSize(0, 10); // the spin box keeps it in range
    QCOMPARE(dialog.params().value(QStringLiteral("width")).toInt(), 1);

    // Never over an existing file; the suggestion steps around it.
    QFile existing(f.dir.filePath(QStringLiteral("terrain.png")));
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.close();
    dialog.setOutput(existing.fileName());
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("never replaces a file")),
        qPrintable(dialog.problem()));
    QCOMPARE(NewRenderDialog::freeOutputPath(f.dir.path(), render::kProceduralTerrain),
        f.dir.filePath(QStringLiteral("terrain (1).png")));
    dialog.setOutput(f.dir.filePath(QStringLiteral("picture.jpg")));
    QVERIFY(dialog.problem().contains(QLatin1String(".png")));
}

void TestApp::droppedModelsBecomeRenders()
{
    const QString spider = QStringLiteral("/usr/share/assimp/models/OBJ/spider.obj");
    if (!QFileInfo::exists(spider))
        QFAIL("assimp-testmodels is not installed (tools/deps.sh test installs it)");
    Fixture f;
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    controller.queue()->setQueuePaused(true); // queued, not run: this is about the drop
    controller.start();
    QTRY_VERIFY(window.statusBar()->currentMessage().contains(QLatin1String("paused")));
    QCOMPARE(window.queueDropped({ QUrl::fromLocalFile(spider),
                 QUrl(QStringLiteral("http://127.0.0.1:9/data.json")) }),
        2);
    QTRY_COMPARE(window.model()->rowCount(), 2);
    const auto render = window.model()->record(0);
    QCOMPARE(render->kind, QStringLiteral("render"));
    const QJsonObject renderParams = JobTableModel::paramsOf(*render);
    QCOMPARE(renderParams.value(QStringLiteral("scene")).toString(), spider);
    QCOMPARE(renderParams.value(QStringLiteral("out")).toString(),
        f.dir.filePath(QStringLiteral("spider.png")));
    QCOMPARE(window.model()->record(1)->kind, QStringLiteral("download"));
    QVERIFY2(window.statusBar()->currentMessage().contains(QLatin1String("1 render")),
        qPrintable(window.statusBar()->currentMessage()));
}

// "Split into: Auto" is one part per machine that runs the queue (counted when the dialog opens).
void TestApp::renderDialogSplitsAutoPerMachine()
{
    Fixture f;
    NewRenderDialog dialog(f.registry, f.dir.path());
    dialog.setScene(render::kProceduralTerrain);
    dialog.setOutput(f.dir.filePath(QStringLiteral("auto.png")));
    auto *split = dialog.findChild<QSpinBox *>(QStringLiteral("splitSpin"));
    QVERIFY(split);
    split->setValue(0);
    QCOMPARE(split->text(), QStringLiteral("Auto"));
    // Not a silent single part while the runners are still being counted.
    QCOMPARE(dialog.problem(), QStringLiteral("Counting the machines that run the queue…"));
    QVERIFY(dialog.params().isEmpty());
    dialog.setMachines(1000); // more machines than the 16 samples: a part per sample
    QCOMPARE(dialog.params().value(QStringLiteral("split")).toInt(), 16);
    dialog.setMachines(3);
    QCOMPARE(dialog.params().value(QStringLiteral("split")).toInt(), 3);
    QVERIFY2(dialog.findChild<QLabel *>(QStringLiteral("splitHint"))
                 ->text()
                 .endsWith(QLatin1String(": 3 now")),
        qPrintable(dialog.findChild<QLabel *>(QStringLiteral("splitHint"))->text()));
    split->setValue(2);
    QCOMPARE(dialog.params().value(QStringLiteral("split")).toInt(), 2);
}

// The details' parameter line: a yes/no reads so (a render's delivery showed "deliver: 0"), and
// a list of records (a render's files in a shared queue) says how many.
void TestApp::parametersReadAsGiven()
{
    const QJsonObject params { { QStringLiteral("deliver"), true },
        { QStringLiteral("files"),
            QJsonArray { QJsonObject { { QStringLiteral("path"), QStringLiteral("a.gltf") } },
                QJsonObject { { QStringLiteral("path"), QStringLiteral("a.bin") } } } },
        { QStringLiteral("headers"),
            QJsonArray { QStringLiteral("A: b"), QStringLiteral("C: d") } },
        { QStringLiteral("samples"), 64 }, { QStringLiteral("verbose"), false } };
    QCOMPARE(format::paramsText(params),
        QStringLiteral(
            "deliver: yes · files: 2 · headers: A: b; C: d · samples: 64 · verbose: no"));
}

void TestApp::renderPreviewShows()
{
    RenderWindow w;
    Fixture &f = w.f;
    AppController &controller = w.controller;
    MainWindow &window = w.window;
    JobQueue *queue = controller.queue();
    const auto params = [&](const char *name) {
        return QJsonObject { { QStringLiteral("scene"), render::kProceduralTerrain },
            { QStringLiteral("out"), f.dir.filePath(QString::fromLatin1(name)) },
            { QStringLiteral("width"), 64 }, { QStringLiteral("height"), 48 },
            { QStringLiteral("samples"), 2 } };
    };
    const QUuid elsewhere = queue->enqueue(QStringLiteral("render"), params("a.png")).value();
    const QUuid here = queue->enqueue(QStringLiteral("render"), params("b.png")).value();
    controller.start();
    QTRY_COMPARE(window.model()->rowCount(), 2);
    auto *panel = window.findChild<JobDetailsPanel *>();
    QVERIFY(panel);
    const auto select = [&](const QUuid &id) {
        selectJob(window, id);
        QCOMPARE(panel->currentJob(), id);
    };
    const auto colorOf = [](const QImage &image) {
        return image.isNull() ? QColor() : image.pixelColor(image.rect().center());
    };

    // A render run by another process leaves its preview in the job's work directory.
    select(elsewhere);
    QVERIFY(panel->findChild<QWidget *>(QStringLiteral("previewBox"))->isVisible());
    const QString workDir =
        jobfiles::workDir(f.settings.queueConfig(f.dir.path()).workRoot, elsewhere);
    QVERIFY(QDir().mkpath(workDir));
    QImage red(40, 30, QImage::Format_RGB32);
    red.fill(Qt::red);
    QVERIFY(red.save(QDir(workDir).filePath(QStringLiteral("preview.png"))));
    QTRY_COMPARE(colorOf(panel->previewImage()), QColor(Qt::red));

    // One in this process publishes to the hub, and the panel follows it.
    select(here);
    QImage green(40, 30, QImage::Format_RGB32);
    green.fill(Qt::green);
    render::PreviewHub::instance().publish(here, green);
    QTRY_COMPARE(colorOf(panel->previewImage()), QColor(Qt::green));

    // A real render: when it has finished, its picture.
    queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(
        window.model()->recordById(here)->state == JobState::Succeeded, kRenderTimeoutMs);
    QTRY_COMPARE(panel->previewImage().size(), QSize(64, 48));
    QVERIFY(colorOf(panel->previewImage()) != QColor(Qt::green));
}

// A part of a split render shows the whole render: the parts' previews merged, weighted by the
// samples each has done (equally before any has reported), then the finished picture.
void TestApp::splitRenderPreviewIsMerged()
{
    RenderWindow w;
    Fixture &f = w.f;
    AppController &controller = w.controller;
    MainWindow &window = w.window;
    JobQueue *queue = controller.queue();
    const QJsonObject params { { QStringLiteral("scene"), render::kProceduralTerrain },
        { QStringLiteral("out"), f.dir.filePath(QStringLiteral("split.png")) },
        { QStringLiteral("width"), 64 }, { QStringLiteral("height"), 48 },
        { QStringLiteral("samples"), 4 }, { QStringLiteral("split"), 2 } };
    const QList<QUuid> parts = queue->enqueueMany(QStringLiteral("render"), { params }).value();
    QCOMPARE(parts.size(), 2);
    QSignalSpy finished(window.model(), &JobTableModel::jobFinished);
    controller.start();
    QTRY_COMPARE(window.model()->rowCount(), 1); // the render
    // Right on its row opens it into its parts; a click on its arrow closes it.
    QTableView *view = window.jobView();
    view->setCurrentIndex(view->model()->index(0, 0));
    QTest::keyClick(view, Qt::Key_Right);
    QCOMPARE(view->model()->rowCount(), 3);
    const QRect name = view->visualRect(view->model()->index(0, 0));
    QTest::mouseClick(
        view->viewport(), Qt::LeftButton, {}, QPoint(name.left() + 4, name.center().y()));
    QCOMPARE(view->model()->rowCount(), 1);
    QTest::keyClick(view, Qt::Key_Plus);
    QCOMPARE(view->model()->rowCount(), 3);
    auto *panel = window.findChild<JobDetailsPanel *>();
    QVERIFY(panel);
    selectJob(window, parts.at(1));
    QCOMPARE(panel->currentJob(), parts.at(1));
    QImage red(40, 30, QImage::Format_RGB32), blue(40, 30, QImage::Format_RGB32);
    red.fill(Qt::red);
    blue.fill(Qt::blue);
    render::PreviewHub::instance().publish(parts.at(0), red);
    render::PreviewHub::instance().publish(parts.at(1), blue);
    const auto center = [&] {
        const QImage image = panel->previewImage();
        return image.isNull() ? QColor() : image.pixelColor(image.rect().center());
    };
    QTRY_VERIFY(center().isValid() && center().green() == 0 && qAbs(center().red() - 128) <= 1
        && qAbs(center().blue() - 128) <= 1);

    // Rendered and merged: the picture itself.
    queue->setQueuePaused(false);
    QTRY_VERIFY_WITH_TIMEOUT(
        QFileInfo::exists(f.dir.filePath(QStringLiteral("split.png"))), kRenderTimeoutMs);
    QTRY_COMPARE(panel->previewImage().size(), QSize(64, 48));
    // Done once, as one render: one notice, and its row opens the picture.
    QTRY_COMPARE(window.model()->record(0)->state, JobState::Succeeded);
    QCOMPARE(window.model()->index(0, JobTableModel::ProgressColumn).data().toString(),
        QStringLiteral("100%"));
    QCOMPARE(window.model()->record(0)->output, f.dir.filePath(QStringLiteral("split.png")));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("split.png"));
    window.jobView()->selectionModel()->select(window.jobView()->model()->index(0, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(window.action(QStringLiteral("actionOpenOutput"))->isEnabled());
}

// The details of a split job's row are the whole job's (its name, state and error, every part's
// timeline), not its first part's ("g.png (part 1 of 3) — Succeeded" while the render failed);
// a part's row still shows that part.
void TestApp::detailsOfASplitJobShowTheWholeJob()
{
    Fixture f(0);
    const QList<ExportedJob> jobs = splitWithAFailedPart(
        f.dir.filePath(QStringLiteral("g.png")), JobState::Canceled, JobState::Canceled, {});
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.start();
    QTRY_COMPARE(window.model()->rowCount(), 2);
    auto *panel = window.findChild<JobDetailsPanel *>();
    const auto text = [&](const char *name) {
        return panel->findChild<QLabel *>(QString::fromLatin1(name))->text();
    };
    auto *timeline = panel->findChild<QTreeWidget *>(QStringLiteral("timelineTree"));
    const auto parts = [&] { // the parts named in the timeline, each over its own events
        QSet<QString> named;
        for (int i = 0; i < timeline->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *item = timeline->topLevelItem(i);
            if (item->childCount() > 0)
                named.insert(item->text(0));
        }
        return named;
    };

    QTableView *view = window.jobView();
    view->selectionModel()->setCurrentIndex(view->model()->index(1, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(panel->showsWhole());
    QCOMPARE(text("titleLabel"), QStringLiteral("g.png — Failed"));
    QCOMPARE(text("errorValue"), QStringLiteral("boom"));
    QVERIFY2(
        !text("paramsValue").contains(QLatin1String("part:")), qPrintable(text("paramsValue")));
    QTRY_VERIFY2(parts().contains(QStringLiteral("part 1 of 3"))
            && parts().contains(QStringLiteral("part 2 of 3"))
            && parts().contains(QStringLiteral("part 3 of 3")),
        qPrintable(QStringList(parts().values()).join(QLatin1Char('|'))));

    // Opened, a part's own row shows that part alone.
    window.model()->setExpanded(1, true);
    selectJob(window, jobs.at(1).record.id);
    QVERIFY(!panel->showsWhole());
    QVERIFY2(text("titleLabel").startsWith(QStringLiteral("g.png (part 1 of 3)")),
        qPrintable(text("titleLabel")));
    QTRY_VERIFY(timeline->topLevelItemCount() > 0 && parts().isEmpty());
    QCOMPARE(timeline->topLevelItem(0)->text(2), QStringLiteral("imported"));
}

// The parts of a split render (and its delivery) are one row in the table, at the place of the
// first, with their combined state and progress; the row opens into the parts.
void TestApp::splitJobIsOneRowWithItsParts()
{
    Fixture f(0);
    const QString out = f.dir.filePath(QStringLiteral("g.png"));
    QList<ExportedJob> jobs = splitWithAFailedPart(
        out, JobState::Queued, JobState::Queued, { 1, 3, QStringLiteral("parts") });
    jobs.append(exported(QStringLiteral("sleep"), {}, JobState::Queued));
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    WatchedQueue w(f);
    JobTableModel &model = w.model;
    QTRY_VERIFY(!model.isLoading() && model.rowCount() == 3);

    const QModelIndex group = model.index(1, JobTableModel::NameColumn);
    QVERIFY(!model.index(0, 0).data(JobTableModel::ExpandedRole).isValid());
    QCOMPARE(group.data(JobTableModel::ExpandedRole), QVariant(false));
    QCOMPARE(group.data().toString(), QStringLiteral("g.png"));
    QCOMPARE(model.partsOf(1).size(), 4);
    QVERIFY(model.partsOf(0).isEmpty());
    // Waiting while a part waits; the parts' samples (the delivery counts parts), the waiting
    // part's as planned.
    QCOMPARE(
        model.index(1, JobTableModel::StateColumn).data().toString(), QStringLiteral("Queued"));
    QCOMPARE(model.index(1, JobTableModel::AmountColumn).data().toString(),
        QStringLiteral("150 of 300 samples"));
    QCOMPARE(
        model.index(1, JobTableModel::ProgressColumn).data(JobTableModel::FractionRole).toDouble(),
        0.5);
    QCOMPARE(
        model.index(1, JobTableModel::ProgressColumn).data().toString(), QStringLiteral("50%"));
    QCOMPARE(model.index(1, JobTableModel::KindColumn).data().toString(), QStringLiteral("render"));
    QCOMPARE(group.data(JobTableModel::MembersRole).value<QList<QUuid>>().size(), 4);
    QCOMPARE(model.jobs().size(), 6);
    QCOMPARE(model.recordById(jobs.at(2).record.id)->error, QStringLiteral("boom"));
    QCOMPARE(model.counts().queued, qint64(3)); // jobs, not rows

    // Opened: a row per part under it, named short; the rows after it move down.
    model.setExpanded(1, true);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.index(1, 0).data(JobTableModel::ExpandedRole), QVariant(true));
    QCOMPARE(model.index(3, 0).data().toString(), QStringLiteral("part 2 of 3"));
    QVERIFY(model.index(3, 0).data(JobTableModel::PartRole).toBool());
    QCOMPARE(model.index(5, 0).data().toString(), QStringLiteral("delivery to desk"));
    QCOMPARE(model.index(6, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(5).record.id);
    QCOMPARE(model.indexOf(jobs.at(3).record.id).row(), 4);
    QCOMPARE(model.rowOf(jobs.at(3).record.id), 1);
    QCOMPARE(model.rowOf(jobs.at(5).record.id), 6);

    // Filtered to the failed: the row stays for its failed part, which alone shows under it.
    JobFilterProxy proxy(&model);
    proxy.setStates({ JobState::Failed });
    QCOMPARE(proxy.rowCount(), 2);
    QCOMPARE(proxy.index(1, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(2).record.id);
    model.setExpanded(1, false);
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(1).record.id);
    proxy.setStates({});
    model.setExpanded(1, true);
    // A part is found by its render's name.
    proxy.setText(QStringLiteral("g.png"));
    QCOMPARE(proxy.rowCount(), 5);
    proxy.setText({});
    // Sorted by a column where the render's row ties with another ("Queued"), the parts opened
    // then still come right under their row.
    model.setExpanded(1, false);
    for (const Qt::SortOrder order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
        proxy.sort(JobTableModel::StateColumn, order);
        model.setExpanded(1, true);
        int at = 0;
        while (proxy.index(at, 0).data().toString() != QStringLiteral("g.png"))
            ++at;
        for (int part = 0; part < 4; ++part)
            QCOMPARE(proxy.index(at + 1 + part, 0).data(JobTableModel::IdRole).toUuid(),
                jobs.at(1 + part).record.id);
        model.setExpanded(1, false);
    }
    model.setExpanded(1, true);
    // Sorted either way, the parts stay under their row, in their order.
    for (const Qt::SortOrder order : { Qt::DescendingOrder, Qt::AscendingOrder }) {
        proxy.sort(JobTableModel::NameColumn, order);
        const int at = order == Qt::AscendingOrder ? 0 : 2; // "g.png" before or after "sleep …"
        QCOMPARE(proxy.index(at, 0).data().toString(), QStringLiteral("g.png"));
        for (int part = 0; part < 4; ++part)
            QCOMPARE(proxy.index(at + 1 + part, 0).data(JobTableModel::IdRole).toUuid(),
                jobs.at(1 + part).record.id);
    }

    proxy.sort(-1);

    // A job of the render that comes later (as from another machine) joins its row, open or
    // not; one that goes leaves it.
    JobRecord late =
        exported(QStringLiteral("render"), partParams(out, 0, 3), JobState::Queued).record;
    late.seq = 1000;
    late.rev = 1;
    Q_EMIT w.queue.jobsChanged({ late });
    model.applyPending();
    QCOMPARE(model.rowCount(), 8);
    QCOMPARE(model.index(6, 0).data(JobTableModel::IdRole).toUuid(), late.id);
    QCOMPARE(model.index(7, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(5).record.id);
    QCOMPARE(model.partsOf(1).size(), 5);
    Q_EMIT w.queue.jobsRemoved({ late.id });
    model.applyPending();
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.partsOf(1).size(), 4);
    QCOMPARE(model.index(6, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(5).record.id);

    // The queue's changes reach the parts: removing the render removes its rows, and only them.
    w.queue.remove(jobs.at(3).record.id);
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, 0).data(JobTableModel::IdRole).toUuid(), jobs.at(5).record.id);
    QVERIFY(!model.recordById(jobs.at(1).record.id));
    QCOMPARE(model.jobs().size(), 2);
    QCOMPARE(proxy.rowCount(), 2);
}

// While a batch removes rows, the window asks about its selection after each: the selected
// job's record is its own, not the next row's, nor read past the end.
void TestApp::recordsAreRightWhileRowsGo()
{
    Fixture f(0);
    QList<ExportedJob> jobs;
    for (int i = 0; i < 4; ++i)
        jobs.append(exported(QStringLiteral("sleep"), {}, JobState::Succeeded));
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    WatchedQueue w(f);
    JobTableModel &model = w.model;
    QTRY_VERIFY(!model.isLoading() && model.rowCount() == 4);
    int asked = 0;
    connect(&model, &QAbstractItemModel::rowsRemoved, this, [&] {
        for (const int i : { 2, 3 }) {
            const auto r = model.recordById(jobs.at(i).record.id);
            QVERIFY(r && r->id == jobs.at(i).record.id);
            ++asked;
        }
    });
    w.queue.commandMany({ jobs.at(0).record.id, jobs.at(1).record.id }, JobCommand::Remove);
    QTRY_COMPARE(model.rowCount(), 2);
    QCOMPARE(asked, 4);
}

// The window: a split render's row stands for all of its jobs. Its actions are those any of them
// can take (a failed part makes it retryable though its first part is done), and a command
// given to the row reaches them all.
void TestApp::splitJobRowActsForAllItsParts()
{
    Fixture f(1);
    const QString out = f.dir.filePath(QStringLiteral("g.png"));
    const QList<ExportedJob> jobs {
        exported(QStringLiteral("render"), partParams(out, 1, 2), JobState::Succeeded,
            { 100, 100, QStringLiteral("samples") }),
        exported(QStringLiteral("render"), partParams(out, 2, 2), JobState::Failed,
            { 50, 100, QStringLiteral("samples") }, QStringLiteral("boom")),
        exported(QStringLiteral("render"), partParams(out, 0, 2), JobState::Failed, {},
            QStringLiteral("part 2 of 2 failed: boom")),
    };
    QVERIFY(f.store->importJobs(jobs, QDateTime::currentMSecsSinceEpoch()).ok());
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    window.show();
    controller.queue()->setQueuePaused(true); // the retried part waits
    controller.start();
    JobTableModel *model = window.model();
    QTRY_VERIFY(!model->isLoading());
    QTRY_COMPARE(model->rowCount(), 1);
    QCOMPARE(
        model->index(0, JobTableModel::StateColumn).data().toString(), QStringLiteral("Failed"));
    QCOMPARE(model->index(0, JobTableModel::StateColumn).data(Qt::ToolTipRole).toString(),
        QStringLiteral("boom"));

    QTableView *view = window.jobView();
    view->selectionModel()->select(view->model()->index(0, 0),
        QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    const auto enabled = [&](const char *name) {
        return window.action(QString::fromLatin1(name))->isEnabled();
    };
    QVERIFY(enabled("actionRetry") && enabled("actionRemove") && !enabled("actionPause"));
    auto *panel = window.findChild<JobDetailsPanel *>();
    QVERIFY(panel);
    QCOMPARE(panel->currentJob(), jobs.at(0).record.id); // the first part, with the whole preview

    window.action(QStringLiteral("actionRetry"))->trigger();
    QTRY_COMPARE(model->recordById(jobs.at(1).record.id)->state, JobState::Queued);
    QTRY_COMPARE(model->recordById(jobs.at(2).record.id)->state, JobState::Queued);
    QCOMPARE(model->recordById(jobs.at(0).record.id)->state, JobState::Succeeded);
    QCOMPARE(
        model->index(0, JobTableModel::StateColumn).data().toString(), QStringLiteral("Queued"));
    QCOMPARE(model->rowCount(), 1);
}

void TestApp::partPreviewsMergeBySamplesDone()
{
    QImage red(40, 30, QImage::Format_RGB32), blue(20, 15, QImage::Format_RGB32);
    red.fill(Qt::red);
    blue.fill(Qt::blue);
    // Three times the samples in red; the smaller picture (another machine's) sets the size.
    const QImage merged = mergePartPreviews({ { red, 300 }, { blue, 100 }, { QImage(), 50 } });
    QCOMPARE(merged.size(), QSize(20, 15));
    QCOMPARE(merged.pixelColor(10, 7), QColor(191, 0, 64));
    QVERIFY(mergePartPreviews({ { QImage(), 1 } }).isNull());
}

void TestApp::pluginDialogsExplainThemselves()
{
    // The application's plugin folder (beside bin/) has the examples; the user's gets a bad file.
    QTemporaryDir home;
    const QByteArray oldHome = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(home.path()));
    QVERIFY(QDir().mkpath(home.filePath(QStringLiteral("spool/plugins"))));
    QFile junk(home.filePath(QStringLiteral("spool/plugins/libbroken.so")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not an ELF file");
    junk.close();
    PluginHost::instance().scan();
    qputenv("XDG_DATA_HOME", oldHome);
    QCOMPARE(PluginsDialog::refusedCount(), 1);

    PluginsDialog plugins;
    QStringList statuses;
    auto *tree = plugins.findChild<QTreeWidget *>(QStringLiteral("pluginTree"));
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        statuses.append(
            tree->topLevelItem(i)->text(0) + QLatin1Char(':') + tree->topLevelItem(i)->text(4));
    QVERIFY2(statuses.contains(QStringLiteral("wordcount:in use")),
        qPrintable(statuses.join(QLatin1Char('|'))));
    QVERIFY(std::any_of(statuses.cbegin(), statuses.cend(), [](const QString &s) {
        return s.startsWith(QLatin1String("libbroken.so:refused: not a plugin"));
    }));

    Fixture f;
    NewPluginJobDialog dialog(f.registry);
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(dialog.setKind(QStringLiteral("wordcount")));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("needs parameter 'file'")),
        qPrintable(dialog.problem()));
    dialog.setValue(QStringLiteral("file"), f.dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY2(ok->isEnabled(), qPrintable(dialog.problem()));
    QCOMPARE(dialog.params().value(QStringLiteral("name")).toString(), QStringLiteral("wordcount"));
    QVERIFY(dialog.params()
                .value(QStringLiteral("param"))
                .toArray()
                .contains(QJsonValue(
                    QStringLiteral("file=") + f.dir.filePath(QStringLiteral("notes.txt")))));
    QVERIFY(dialog.setKind(QStringLiteral("tally")));
    dialog.setValue(QStringLiteral("steps"), QStringLiteral("many"));
    QVERIFY(!ok->isEnabled());
    QVERIFY2(dialog.problem().contains(QLatin1String("'many' is not a whole number")),
        qPrintable(dialog.problem()));

    // The GIL's switch interval is a setting, applied when the queue is made.
    f.settings.setGilSwitchIntervalMs(20);
    {
        AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
        QCOMPARE(PluginHost::instance().gil().switchInterval(), std::chrono::microseconds(20000));
    }
    PluginHost::instance().gil().setSwitchInterval(Gil::kDefaultSwitchInterval);

    // GIL or worker processes, per legacy plugin, over the global choice: the settings dialog
    // lists the legacy plugins, saves each one's choice, and the queue made next uses it.
    f.settings.setGilMode(true);
    {
        SettingsDialog settingsDialog(&f.settings, f.registry->names(),
            { QStringLiteral("legacytally"), QStringLiteral("other") });
        auto *table = settingsDialog.findChild<QTableWidget *>(QStringLiteral("pluginModesTable"));
        QVERIFY(table && !table->isHidden());
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("legacytally"));
        auto *mode = qobject_cast<QComboBox *>(table->cellWidget(0, 1));
        QVERIFY(mode);
        QCOMPARE(mode->currentIndex(), 0); // as for all legacy plugins
        // The switch interval matters while any legacy plugin may run under the GIL.
        auto *global = settingsDialog.findChild<QComboBox *>(QStringLiteral("legacyCombo"));
        auto *interval = settingsDialog.findChild<QSpinBox *>(QStringLiteral("switchSpin"));
        global->setCurrentIndex(1); // all in worker processes
        QVERIFY(!interval->isEnabled());
        mode->setCurrentIndex(1); // but this one under the GIL
        QVERIFY(interval->isEnabled());
        global->setCurrentIndex(0);
        mode->setCurrentIndex(2); // in worker processes, the rest under the GIL
        QVERIFY(interval->isEnabled());
        settingsDialog.save();
    }
    QCOMPARE(f.settings.pluginGilModes(),
        (QHash<QString, bool> { { QStringLiteral("legacytally"), false } }));
    {
        AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
        QVERIFY(!PluginHost::instance().gilModeFor(QStringLiteral("legacytally")));
        QVERIFY(PluginHost::instance().gilModeFor(QStringLiteral("other")));
        // Reopened, the dialog shows the saved choice; no legacy plugins, no table.
        SettingsDialog again(&f.settings, f.registry->names(), { QStringLiteral("legacytally") });
        auto *table = again.findChild<QTableWidget *>(QStringLiteral("pluginModesTable"));
        QCOMPARE(qobject_cast<QComboBox *>(table->cellWidget(0, 1))->currentIndex(), 2);
        SettingsDialog none(&f.settings, f.registry->names(), {});
        QVERIFY(none.findChild<QTableWidget *>(QStringLiteral("pluginModesTable"))->isHidden());
    }
    f.settings.setPluginGilModes({});
    PluginHost::instance().setPluginGilModes({});
}

void TestApp::quittingLosesNothing_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("stop them") << int(StopMode::Release);
    QTest::newRow("let them finish") << int(StopMode::Drain);
}

void TestApp::quittingLosesNothing()
{
    QFETCH(int, mode);
    Fixture f(2);
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    const QList<QUuid> ids =
        controller.queue()->enqueueMany(QStringLiteral("gate"), QList<QJsonObject>(3)).value();
    controller.start();
    QTRY_COMPARE(f.kit.running(QStringLiteral("gate")), 2);
    QSignalSpy done(&controller, &AppController::shutDownComplete);
    controller.shutDown(static_cast<StopMode>(mode));
    if (static_cast<StopMode>(mode) == StopMode::Drain) {
        QTest::qWait(200);
        QCOMPARE(done.size(), 0); // still finishing
        f.kit.openGate();
    }
    QVERIFY(done.wait(10000));
    auto all = f.store->query(JobQuery {});
    QCOMPARE(all->size(), 3);
    int succeeded = 0, queued = 0;
    for (const JobRecord &r : std::as_const(all.value())) {
        succeeded += r.state == JobState::Succeeded;
        queued += r.state == JobState::Queued && r.attempts == 0;
    }
    if (static_cast<StopMode>(mode) == StopMode::Release) {
        QCOMPARE(queued, 3); // the two running ones went back, without using up an attempt
    } else {
        QCOMPARE(succeeded, 2); // the running ones finished
        QCOMPARE(queued, 1); // and nothing new started
    }
    Q_UNUSED(ids)
}

void TestApp::terminationReleasesRunningJobs()
{
    // The real app, killed politely (logout, `kill`): its running job goes back to the queue at
    // once, without using up an attempt, instead of waiting to be found dead.
    QTemporaryDir dir;
    auto ctl = [&](const QStringList &args) {
        QProcess p;
        p.start(QStringLiteral(SPOOLCTL_PATH),
            QStringList { QStringLiteral("--data-dir"), dir.path() } + args);
        p.waitForFinished(30000);
        return p.exitCode() == 0 ? QString::fromUtf8(p.readAllStandardOutput().trimmed())
                                 : QString();
    };
    const QString id = ctl({ QStringLiteral("add"), QStringLiteral("sleep"), QStringLiteral("--ms"),
        QStringLiteral("600000") });
    QVERIFY(!id.isEmpty());
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::ForwardedChannels);
    app.start(QStringLiteral(SPOOL_APP_PATH), { QStringLiteral("--data-dir"), dir.path() });
    QVERIFY(app.waitForStarted());
    auto job = [&] {
        return QJsonDocument::fromJson(
            ctl({ QStringLiteral("show"), id, QStringLiteral("--json") }).toUtf8())
            .object();
    };
    QTRY_COMPARE_WITH_TIMEOUT(
        job().value(QStringLiteral("state")).toString(), QStringLiteral("running"), 20000);
    QCOMPARE(job().value(QStringLiteral("attempts")).toInt(), 1);
    app.terminate(); // SIGTERM
    QVERIFY(app.waitForFinished(20000));
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    const QJsonObject after = job();
    QCOMPARE(after.value(QStringLiteral("state")).toString(), QStringLiteral("queued"));
    QCOMPARE(after.value(QStringLiteral("attempts")).toInt(), 0);
}

void TestApp::germanTranslationLoads()
{
    QTranslator german;
    QVERIFY(german.load(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("spool"),
        QStringLiteral("_"), QStringLiteral(":/i18n")));
    QApplication::installTranslator(&german);
    const auto restore = qScopeGuard([&] { QApplication::removeTranslator(&german); });
    Fixture f;
    AppController controller(f.dir.path(), f.store, f.registry, &f.settings);
    MainWindow window(&controller);
    QCOMPARE(window.action(QStringLiteral("actionPause"))->text(), QStringLiteral("&Anhalten"));
    QCOMPARE(window.model()->headerData(JobTableModel::StateColumn, Qt::Horizontal).toString(),
        QStringLiteral("Zustand"));
    QTranslator french;
    QVERIFY(french.load(QLocale(QLocale::French, QLocale::France), QStringLiteral("spool"),
        QStringLiteral("_"), QStringLiteral(":/i18n")));
}

// "%n job(s)" reads "1 job" and "3 jobs" in English too (from a file of plural forms only), in
// the C locale a session without LANG has, and never hides another language's own plurals.
void TestApp::pluralsAreSpelledInEveryLanguage()
{
    const auto running = [](int n) {
        return QCoreApplication::translate(
            "spool::app::MainWindow", "%n job(s) are running.", nullptr, n);
    };
    const auto check = [&](const QLocale &locale, const QString &one, const QString &three) {
        const QList<QTranslator *> installed = installTranslations(qApp, locale);
        const auto restore = qScopeGuard([&] {
            for (QTranslator *translator : installed) {
                QCoreApplication::removeTranslator(translator);
                delete translator;
            }
        });
        QCOMPARE(running(1), one);
        QCOMPARE(running(3), three);
    };
    check(QLocale::c(), QStringLiteral("1 job is running."), QStringLiteral("3 jobs are running."));
    check(QLocale(QLocale::English, QLocale::UnitedKingdom), QStringLiteral("1 job is running."),
        QStringLiteral("3 jobs are running."));
    check(QLocale(QLocale::German, QLocale::Germany), QStringLiteral("1 Auftrag läuft."),
        QStringLiteral("3 Aufträge laufen."));
    QCOMPARE(running(1), QStringLiteral("1 job(s) are running.")); // nothing left installed
}

namespace {

// The letters Alt+letter reaches in a widget tree: a label's (for its buddy) and a button's.
QStringList mnemonicClashes(QWidget *root)
{
    QHash<QChar, QStringList> owners;
    const auto note = [&](const QString &text) {
        for (qsizetype i = 0; i + 1 < text.size(); ++i) {
            if (text.at(i) != u'&')
                continue;
            if (text.at(i + 1) != u'&')
                owners[text.at(i + 1).toLower()].append(text);
            ++i; // "&&" is a literal ampersand
        }
    };
    for (QLabel *label : root->findChildren<QLabel *>()) {
        if (label->buddy())
            note(label->text());
    }
    for (QAbstractButton *button : root->findChildren<QAbstractButton *>())
        note(button->text());
    QStringList clashes;
    for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
        if (it->size() > 1)
            clashes.append(it->join(QStringLiteral(" / ")));
    }
    return clashes;
}

} // namespace

void TestApp::dialogMnemonicsAreUnique_data()
{
    QTest::addColumn<QString>("language");
    QTest::newRow("English") << QString();
    QTest::newRow("German") << QStringLiteral("de");
    QTest::newRow("French") << QStringLiteral("fr");
}

// Two fields with one Alt+letter: the letter reaches only the first ("Save as" and "Split into"
// both took S).
void TestApp::dialogMnemonicsAreUnique()
{
    QFETCH(QString, language);
    QTranslator translator;
    if (!language.isEmpty()) {
        QVERIFY(translator.load(QLocale(language), QStringLiteral("spool"), QStringLiteral("_"),
            QStringLiteral(":/i18n")));
        QApplication::installTranslator(&translator);
    }
    const auto restore = qScopeGuard([&] { QApplication::removeTranslator(&translator); });
    Fixture f;
    NewRenderDialog render(f.registry, f.dir.path());
    NewDownloadDialog download(f.registry, f.dir.path());
    for (QDialog *dialog : { static_cast<QDialog *>(&render), static_cast<QDialog *>(&download) }) {
        const QStringList clashes = mnemonicClashes(dialog);
        QVERIFY2(clashes.isEmpty(),
            qPrintable(
                QStringLiteral("%1: %2").arg(QString::fromLatin1(dialog->metaObject()->className()),
                    clashes.join(QStringLiteral("; ")))));
    }
}

QTEST_MAIN(TestApp)
#include "tst_app.moc"
