#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTranslator>

#include "appcontroller.h"
#include "appsettings.h"
#include "builtinkinds.h"
#include "mainwindow.h"
#include "store/sqlitejobstore.h"
#include "util/datadir.h"
#include "util/signalwatcher.h"

namespace {

// The app's command line; `dataDir` is filled in with its option.
void describeOptions(QCommandLineParser &parser, QCommandLineOption &dataDir)
{
    parser.setApplicationDescription(QCoreApplication::translate("main", "A desktop job queue."));
    parser.addHelpOption();
    parser.addVersionOption();
    dataDir = QCommandLineOption(QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "The queue's data directory."), QStringLiteral("DIR"));
    parser.addOption(dataDir);
}

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v"
            || arg == "--version")
            return true;
    }
    return false;
}

// --help and --version print and exit without a display (man pages, packaging checks, ssh).
int printHelpOrVersion(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spool"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));
    QCommandLineParser parser;
    QCommandLineOption dataDir(QStringLiteral("data-dir"));
    describeOptions(parser, dataDir);
    parser.process(app); // exits after printing
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    if (asksForHelpOrVersion(argc, argv))
        return printHelpOrVersion(argc, argv);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("spool"));
    QApplication::setOrganizationName(QStringLiteral("Spool"));
    QApplication::setApplicationDisplayName(QStringLiteral("Spool"));
    QApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/spool.svg")));
    // The window closes when the queue has stopped, not before.
    QApplication::setQuitOnLastWindowClosed(false);

    // The system's language: Spool's own strings, then Qt's (standard buttons and dialogs).
    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
            QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    QTranslator spoolTranslator;
    if (spoolTranslator.load(
            QLocale(), QStringLiteral("spool"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QApplication::installTranslator(&spoolTranslator);

    QCommandLineParser parser;
    QCommandLineOption dataDirOption(QStringLiteral("data-dir"));
    describeOptions(parser, dataDirOption);
    parser.process(app);

    // The same directory spoolctl uses: --data-dir, $SPOOL_DATA_DIR, the platform's default.
    QApplication::setOrganizationName(QString());
    const QString dataDir = spool::datadir::resolve(parser.value(dataDirOption));
    QApplication::setOrganizationName(QStringLiteral("Spool"));
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

    spool::app::AppSettings settings;
    auto registry = std::make_shared<spool::JobKindRegistry>();
    spool::registerBuiltinKinds(
        *registry, spool::BuiltinSettings { dataDir, settings.downloadDir() });
    spool::app::AppController controller(
        dataDir, std::shared_ptr<spool::JobStore>(std::move(store.value())), registry, &settings);
    spool::app::MainWindow window(&controller);
    // Logging out or `kill`: running jobs go back to the queue, nothing waits for a lease.
    spool::SignalWatcher terminationWatcher;
    QObject::connect(&terminationWatcher, &spool::SignalWatcher::terminationRequested, &window,
        [&window] { window.quit(spool::StopMode::Release); });
    window.show();
    controller.start();
    return app.exec();
}
