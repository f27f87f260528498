#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QMessageBox>
#include <QThread>

#include "builtinkinds.h"
#include "mainwindow.h"
#include "queue/jobqueueimpl.h"
#include "store/sqlitejobstore.h"
#include "util/datadir.h"

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("spool"));
    QApplication::setApplicationDisplayName(QStringLiteral("Spool"));
    QApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/spool.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "A desktop job queue."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
        QApplication::translate("main", "The queue's data directory."), QStringLiteral("DIR"));
    parser.addOption(dataDirOption);
    parser.process(app);

    const QString dataDir = spool::datadir::resolve(parser.value(dataDirOption));
    spool::SqliteJobStore::Options options;
    options.dataDir = dataDir;
    auto store = spool::SqliteJobStore::open(options);
    if (!store) {
        // The queue is never replaced behind the user's back: say what is wrong and stop.
        QMessageBox::critical(nullptr, QApplication::translate("main", "Spool"),
            QApplication::translate("main", "Spool cannot open its queue:\n%1")
                .arg(store.error().message));
        return 2;
    }

    auto registry = std::make_shared<spool::JobKindRegistry>();
    spool::registerBuiltinKinds(*registry, spool::BuiltinSettings { dataDir, QString() });
    spool::QueueConfig config;
    config.workers = qMax(1, QThread::idealThreadCount());
    config.workRoot = QDir(dataDir).filePath(QStringLiteral("work"));
    spool::JobQueueImpl queue(
        std::shared_ptr<spool::JobStore>(std::move(store.value())), registry, config);

    spool::app::MainWindow window(&queue);
    window.show();
    queue.start();
    return app.exec();
}
