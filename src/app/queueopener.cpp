#include "queueopener.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>
#include <QTimer>

#include "backgroundpool.h"
#include "store/postgresjobstore.h"

namespace spool::app {

namespace {
constexpr int kShowAfterMs = 500; // an embedded queue or a near server opens sooner
} // namespace

std::optional<Result<std::shared_ptr<JobStore>>> openQueueShowingProgress(
    const StoreLocation &where, QWidget *parent)
{
    using Opened = Result<std::shared_ptr<JobStore>>;
    QFutureWatcher<Opened> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    const QString what = where.queueUrl.isEmpty()
        ? QCoreApplication::translate("QueueOpener", "Opening the queue in %1…").arg(where.dataDir)
        : QCoreApplication::translate("QueueOpener", "Connecting to the shared queue %1…")
              .arg(PostgresJobStore::displayUrl(where.queueUrl));
    QProgressDialog progress(
        what, QCoreApplication::translate("QueueOpener", "Quit"), 0, 0, parent);
    progress.setWindowTitle(QStringLiteral("Spool"));
    progress.setAutoClose(false);
    progress.setAutoReset(false);
    // QProgressDialog shows itself only as values are set; this one has none.
    QTimer::singleShot(kShowAfterMs, &progress, [&progress] { progress.show(); });
    bool quit = false;
    QObject::connect(&progress, &QProgressDialog::canceled, &loop, [&] {
        quit = true;
        loop.quit();
    });
    watcher.setFuture(QtConcurrent::run(backgroundPool(), [where] { return openStore(where); }));
    // A queue opened within the first moment needs no dialog, and no event loop turn.
    if (!watcher.isFinished())
        loop.exec();
    progress.reset();
    if (quit)
        return std::nullopt;
    return watcher.result();
}

} // namespace spool::app
