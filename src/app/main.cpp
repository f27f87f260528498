#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QLocale>
#include <QMessageBox>
#include <QTextStream>

#include "appcontroller.h"
#include "appsettings.h"
#include "builtinkinds.h"
#include "largeblocks.h"
#include "mainwindow.h"
#include "queueopener.h"
#include "singleinstance.h"
#include "store/openstore.h"
#include "translations.h"
#include "util/datadir.h"
#include "util/signalwatcher.h"

namespace {

// The app's command line; `dataDir` is filled in with its option.
void describeOptions(
    QCommandLineParser &parser, QCommandLineOption &dataDir, QCommandLineOption &queue)
{
    parser.setApplicationDescription(QCoreApplication::translate("main", "A desktop job queue."));
    parser.addHelpOption();
    parser.addVersionOption();
    dataDir = QCommandLineOption(QStringLiteral("data-dir"),
        QCoreApplication::translate("main", "The queue's data directory."), QStringLiteral("DIR"));
    parser.addOption(dataDir);
    queue = QCommandLineOption(QStringLiteral("queue"),
        QCoreApplication::translate("main",
            "A shared queue on PostgreSQL (postgresql://HOST/DB; else $SPOOL_QUEUE) instead of "
            "the one in the data directory. The password comes from ~/.pgpass."),
        QStringLiteral("URL"));
    parser.addOption(queue);
    parser.addPositionalArgument(QStringLiteral("files"),
        QCoreApplication::translate("main",
            "3D model files to render and web addresses to download, queued in the window "
            "(the one already open for this data directory, if there is one)."),
        QStringLiteral("[FILE|URL...]"));
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
    QCommandLineOption queue(QStringLiteral("queue"));
    describeOptions(parser, dataDir, queue);
    parser.process(app); // exits after printing
    return 0;
}

// A second `spool` on a data directory: the first window queues the words and answers.
int forwardToWindow(const spool::app::SingleInstance &instance, const QStringList &words)
{
    QTextStream out(stdout), err(stderr);
    const QString answer = instance.forward(words, 10000, [&err] {
        err << "spool: the window is still opening its queue; waiting for it" << Qt::endl;
    });
    if (answer.startsWith(QLatin1String("ok: ")) || answer.isEmpty()) {
        out << (answer.isEmpty() ? QStringLiteral("spool: the window is already open")
                                 : QStringLiteral("spool: ") + answer.mid(4))
            << '\n';
        return 0;
    }
    err << "spool: " << answer.section(QLatin1String(": "), 1) << '\n';
    return 2;
}

} // namespace

int main(int argc, char *argv[])
{
    if (asksForHelpOrVersion(argc, argv))
        return printHelpOrVersion(argc, argv);
    spool::app::mapLargeBlocksApart();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("spool"));
    QApplication::setOrganizationName(QStringLiteral("Spool"));
    QApplication::setApplicationDisplayName(QStringLiteral("Spool"));
    QApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/spool.svg")));
    // The window closes when the queue has stopped, not before.
    QApplication::setQuitOnLastWindowClosed(false);

    // The system's language.
    spool::app::installTranslations(&app, QLocale());

    QCommandLineParser parser;
    QCommandLineOption dataDirOption(QStringLiteral("data-dir"));
    QCommandLineOption queueOption(QStringLiteral("queue"));
    describeOptions(parser, dataDirOption, queueOption);
    parser.process(app);

    // The same directory spoolctl uses: --data-dir, $SPOOL_DATA_DIR, the platform's default.
    QApplication::setOrganizationName(QString());
    const QString dataDir = spool::datadir::resolve(parser.value(dataDirOption));
    QApplication::setOrganizationName(QStringLiteral("Spool"));
    // One window per data directory: a second `spool` hands its files and addresses to it.
    QDir().mkpath(dataDir);
    spool::app::SingleInstance instance(dataDir);
    const QStringList words = parser.positionalArguments();
    if (instance.claim() == spool::app::SingleInstance::Claim::Taken)
        return forwardToWindow(instance, words);

    spool::app::AppSettings settings;
    spool::StoreLocation where;
    where.dataDir = dataDir;
    // --queue, else $SPOOL_QUEUE, else the choice in Settings, else this computer's queue.
    where.queueUrl = spool::resolveQueueUrl(parser.value(queueOption));
    if (where.queueUrl.isEmpty())
        where.queueUrl = settings.sharedQueueUrl();
    const auto opened = spool::app::openQueueShowingProgress(where);
    if (!opened)
        return 0; // the user quit while it connected
    auto store = *opened;
    if (!store) {
        // The queue is never replaced behind the user's back: say what is wrong and stop.
        QMessageBox::critical(nullptr, QApplication::translate("main", "Spool"),
            QApplication::translate("main", "Spool cannot open its queue:\n%1")
                .arg(store.error().message));
        return 2;
    }

    auto registry = std::make_shared<spool::JobKindRegistry>();
    spool::registerBuiltinKinds(
        *registry, spool::BuiltinSettings { dataDir, settings.downloadDir() });
    spool::app::AppController controller(dataDir, std::move(store.value()), registry, &settings);
    spool::app::MainWindow window(&controller);
    // Logging out or `kill`: running jobs go back to the queue, nothing waits for a lease.
    spool::SignalWatcher terminationWatcher;
    QObject::connect(&terminationWatcher, &spool::SignalWatcher::terminationRequested, &window,
        [&window] { window.quit(spool::StopMode::Release); });
    QObject::connect(
        &instance, &spool::app::SingleInstance::activationRequested, &window, [&window] {
            window.showNormal();
            window.raise();
            window.activateWindow();
        });
    window.show();
    controller.start();
    if (!words.isEmpty())
        window.queueFromCommandLine(spool::app::urlsFromWords(words, QDir::currentPath()));
    // Words of a later `spool` that came while the queue opened are queued after these.
    instance.setHandler(
        [&window](const QList<QUrl> &urls) { return window.queueFromCommandLine(urls); });
    return app.exec();
}
