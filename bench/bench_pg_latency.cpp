// How soon a change committed on the shared queue reaches another process's view: this process
// enqueues one job every 20 ms on a PostgreSQL queue; a second process (this program with
// --viewer) watches the same queue as the app does (a JobQueue with no workers: LISTEN/NOTIFY,
// then the change feed) and notes when each job reaches its jobsChanged signal. Prints p50, p99
// and the worst latency from the start of the enqueue call (so: at most) to that signal. Both
// processes read one system clock.
//
//   bench_pg_latency URL [N]      (default 500 changes; run it under pg_virtualenv)
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <QCoreApplication>
#include <QHash>
#include <QProcess>
#include <QTimer>

#include "benchcommon.h"
#include "queue/jobqueueimpl.h"

using namespace spool;

namespace {

constexpr int kEveryMs = 20;

qint64 nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The watching process: prints "ready", then "<id> <microseconds>" for each job it sees queued.
int viewer(const QString &url, const QString &schema)
{
    QueueConfig config;
    config.workers = 0; // it watches, as an app on a machine that runs nothing would
    JobQueueImpl queue(bench::openPostgres(url, schema), bench::noopRegistry(), config);
    QObject::connect(&queue, &JobQueue::jobsChanged, &queue, [](const QList<JobRecord> &records) {
        const qint64 seen = nowUs();
        for (const JobRecord &record : records) {
            if (record.state == JobState::Queued)
                std::printf("%s %lld\n", qPrintable(record.id.toString(QUuid::WithoutBraces)),
                    static_cast<long long>(seen));
        }
        std::fflush(stdout);
    });
    queue.start();
    std::printf("ready\n");
    std::fflush(stdout);
    return QCoreApplication::exec();
}

double percentile(QList<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    return values.at(qMin(values.size() - 1, qsizetype(p * values.size()))) / 1000.0;
}

int writer(const QString &url, int n)
{
    const QString schema =
        QStringLiteral("spool_latency_%1").arg(QCoreApplication::applicationPid());
    const auto store =
        bench::openPostgres(url, schema); // creates the schema before the viewer opens it
    QProcess watcher;
    watcher.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    watcher.start(
        QCoreApplication::applicationFilePath(), { QStringLiteral("--viewer"), url, schema });
    if (!watcher.waitForReadyRead(30000) || watcher.readLine().trimmed() != "ready")
        qFatal("the viewer did not start");

    QHash<QString, qint64> committedAt; // id -> when its enqueue call began
    QList<qint64> latencies;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (committedAt.size() == n)
            return tick.stop();
        NewJob job { QUuid::createUuid(), QStringLiteral("noop"), {}, 1 };
        const qint64 began = nowUs();
        if (!store->enqueue({ job }, began / 1000).ok())
            qFatal("enqueue failed");
        committedAt.insert(job.id.toString(QUuid::WithoutBraces), began);
    });
    QObject::connect(&watcher, &QProcess::readyReadStandardOutput, [&] {
        while (watcher.canReadLine()) {
            const QList<QByteArray> parts = watcher.readLine().trimmed().split(' ');
            const auto at = committedAt.constFind(QString::fromLatin1(parts.value(0)));
            if (parts.size() == 2 && at != committedAt.cend())
                latencies.append(parts.at(1).toLongLong() - at.value());
            if (latencies.size() == n)
                QCoreApplication::quit();
        }
    });
    QTimer::singleShot(n * kEveryMs + 30000, [] { QCoreApplication::quit(); });
    tick.start(kEveryMs);
    QCoreApplication::exec();
    watcher.kill();
    watcher.waitForFinished();
    QProcess::execute(QStringLiteral("psql"),
        { QStringLiteral("-q"), QStringLiteral("-d"), url, QStringLiteral("-c"),
            QStringLiteral("SET client_min_messages = warning; DROP SCHEMA %1 CASCADE")
                .arg(schema) });
    if (latencies.size() < n) {
        std::printf("only %lld of %d changes reached the viewer within 30 s\n",
            static_cast<long long>(latencies.size()), n);
        return 1;
    }
    std::printf("commit to another process's view, %d changes, one every %d ms (LISTEN/NOTIFY):\n",
        n, kEveryMs);
    std::printf("  p50 %.1f ms   p99 %.1f ms   worst %.1f ms   (goal: within 1000 ms)\n",
        percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(latencies, 1.0));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 4 && args.at(1) == QLatin1String("--viewer"))
        return viewer(args.at(2), args.at(3));
    if (args.size() < 2)
        qFatal("usage: bench_pg_latency URL [N]");
    return writer(args.at(1), bench::intArgument(args, 2, 500));
}
