// The main window shows what the queue reports (offscreen platform).
#include <QDir>
#include <QLabel>
#include <QTest>

#include "builtinkinds.h"
#include "mainwindow.h"
#include "queue/jobqueueimpl.h"
#include "store/memoryjobstore.h"

using namespace spool;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsTheQueueCounts();
};

void TestMainWindow::showsTheQueueCounts()
{
    auto registry = std::make_shared<JobKindRegistry>();
    registerBuiltinKinds(*registry, BuiltinSettings { QDir::tempPath(), QDir::tempPath() });
    QueueConfig config;
    config.workers = 1;
    JobQueueImpl queue(std::make_shared<MemoryJobStore>(), registry, config);
    app::MainWindow window(&queue);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *counts = window.findChild<QLabel *>(QStringLiteral("countsLabel"));
    QVERIFY(counts);

    QVERIFY(queue.enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 10 } }).ok());
    const QUuid canceled =
        queue.enqueue(QStringLiteral("sleep"), { { QStringLiteral("ms"), 60000 } }).value();
    queue.cancel(canceled);
    queue.start();
    QTRY_VERIFY2(counts->text().contains(QLatin1String("1 done"))
            && counts->text().contains(QLatin1String("1 canceled")),
        qPrintable(counts->text()));
    QVERIFY(window.windowTitle().contains(QLatin1String("Spool")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
