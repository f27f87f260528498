// spool-worker-host: runs legacy plugin jobs in a process of their own, so that the plugin needs
// no lock and a crash, abort or hang there costs only that job. For each job Spool names a local
// socket to connect to, sends one `run` message, and reads progress, log lines and the result
// (src/core/plugins/workerprotocol.h).
//   spool-worker-host SOCKET   one job, then exit
//   spool-worker-host --version
//   spool-worker-host --serve  one job per socket name read from stdin, one at a time, so that
//                              Spool can keep the process for the plugin's next job; exits at
//                              the end of stdin or after a minute without work
#include <cerrno>
#include <poll.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QLocalSocket>
#include <QPluginLoader>
#include <QThread>

#include "plugins/hostio.h"
#include "plugins/workerprotocol.h"
#include "spool/plugin.h"
#include "util/sleepinsteps.h"

namespace {

using namespace spool;

class WorkerContext final : public sdk::JobContext
{
public:
    WorkerContext(QLocalSocket &socket, QJsonObject params, QString scratch)
        : m_socket(socket)
        , m_params(std::move(params))
        , m_scratch(std::move(scratch))
    {
        m_sinceProgress.start();
    }

    QJsonObject params() const override { return m_params; }
    void setProgress(qint64 done, qint64 total) override
    {
        m_done = done;
        m_total = total;
        // Coalesced: the host shows ~30 updates a second at most anyway.
        if (m_sinceProgress.elapsed() >= 30)
            flushProgress();
    }
    void flushProgress()
    {
        m_sinceProgress.restart();
        workerprotocol::send(m_socket,
            { { QStringLiteral("type"), QStringLiteral("progress") },
                { QStringLiteral("done"), m_done }, { QStringLiteral("total"), m_total } });
    }
    bool shouldStop() override
    {
        if (m_stop)
            return true;
        if (m_socket.state() != QLocalSocket::ConnectedState)
            return m_stop = true; // Spool is gone: nobody wants the result
        m_socket.waitForReadyRead(0);
        m_buffer += m_socket.readAll();
        QString error;
        while (auto message = workerprotocol::take(m_buffer, &error)) {
            if (message->value(QStringLiteral("type")).toString() == QLatin1String("stop"))
                m_stop = true;
        }
        return m_stop;
    }
    void log(const QString &line) override
    {
        workerprotocol::send(m_socket,
            { { QStringLiteral("type"), QStringLiteral("log") },
                { QStringLiteral("line"), line } });
    }
    QString scratchDir() const override
    {
        QDir().mkpath(m_scratch);
        return m_scratch;
    }
    void yield() override { }
    bool sleepFor(int milliseconds) override
    {
        QElapsedTimer timer;
        timer.start();
        return sleepInSteps(milliseconds, 10,
            { [this] { return shouldStop(); }, [&timer] { return timer.elapsed(); },
                [](qint64 ms) { QThread::msleep(quint64(ms)); } });
    }
    QByteArray httpGet(const QUrl &url, QString *error) override
    {
        return hostio::httpGet(
            url, [this] { return shouldStop(); }, error);
    }
    void beginBlocking() override { } // no lock in a process of its own
    void endBlocking() override { }

private:
    QLocalSocket &m_socket;
    QJsonObject m_params;
    QString m_scratch;
    QByteArray m_buffer;
    QElapsedTimer m_sinceProgress;
    qint64 m_done = 0, m_total = -1;
    bool m_stop = false;
};

int fail(QLocalSocket &socket, const QString &error)
{
    workerprotocol::send(socket,
        { { QStringLiteral("type"), QStringLiteral("done") }, { QStringLiteral("ok"), false },
            { QStringLiteral("error"), error } });
    socket.flush();
    socket.disconnectFromServer();
    return 1;
}

// Connects to `socketName`, runs the job it is sent, and reports the result: 0 when the job
// succeeded.
int runOne(const QString &socketName)
{
    QLocalSocket socket;
    socket.connectToServer(socketName);
    if (!socket.waitForConnected(10000)) {
        fprintf(
            stderr, "spool-worker-host: cannot connect: %s\n", qPrintable(socket.errorString()));
        return 1;
    }
    QByteArray buffer;
    QString error;
    std::optional<QJsonObject> run;
    while (!run) {
        if (!socket.waitForReadyRead(30000))
            return 1; // Spool never sent the job
        buffer += socket.readAll();
        run = workerprotocol::take(buffer, &error);
        if (!error.isEmpty())
            return fail(socket, error);
    }
    QPluginLoader loader(run->value(QStringLiteral("plugin")).toString());
    auto *plugin = qobject_cast<sdk::JobPlugin *>(loader.instance());
    if (!plugin)
        return fail(socket, QStringLiteral("cannot load the plugin: %1").arg(loader.errorString()));
    const QString kind = run->value(QStringLiteral("kind")).toString();
    std::unique_ptr<sdk::PluginJob> job = plugin->createJob(kind);
    if (!job)
        return fail(socket, QStringLiteral("the plugin made no job for '%1'").arg(kind));
    WorkerContext context(socket, run->value(QStringLiteral("params")).toObject(),
        run->value(QStringLiteral("scratch")).toString());
    QString output, jobError;
    const bool ok = job->run(context, &output, &jobError);
    context.flushProgress();
    workerprotocol::send(socket,
        { { QStringLiteral("type"), QStringLiteral("done") }, { QStringLiteral("ok"), ok },
            { QStringLiteral("output"), output }, { QStringLiteral("error"), jobError },
            { QStringLiteral("stopped"), context.shouldStop() },
            { QStringLiteral("worker"), qint64(QCoreApplication::applicationPid()) } });
    socket.flush();
    socket.disconnectFromServer();
    if (socket.state() != QLocalSocket::UnconnectedState)
        socket.waitForDisconnected(1000);
    return ok ? 0 : 1;
}

// The next socket name on stdin; empty at its end or after `idleMs` without one.
QString nextSocketName(QByteArray &buffer, int idleMs)
{
    for (;;) {
        if (const qsizetype end = buffer.indexOf('\n'); end >= 0) {
            const QByteArray line = buffer.left(end).trimmed();
            buffer.remove(0, end + 1);
            if (!line.isEmpty())
                return QString::fromLocal8Bit(line);
            continue;
        }
        pollfd in { STDIN_FILENO, POLLIN, 0 };
        const int ready = ::poll(&in, 1, idleMs);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return {}; // idle too long: Spool starts another when it needs one
        char chunk[512];
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return {}; // Spool closed the channel (or is gone)
        buffer.append(chunk, n);
    }
}

} // namespace

int main(int argc, char **argv)
{
#ifdef __linux__
    // A render in the process that started this one opts it out of transparent huge pages
    // (renderer.cpp), and children inherit that: a plugin's jobs run as they would anywhere.
    prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
#endif
    QCoreApplication app(argc, argv);
    if (app.arguments().size() != 2) {
        fprintf(stderr, "usage: spool-worker-host SOCKET | --serve (started by Spool)\n");
        return 2;
    }
    if (app.arguments().at(1) == QLatin1String("--version")) {
        printf("spool-worker-host %s\n", SPOOL_VERSION);
        return 0;
    }
    if (app.arguments().at(1) != QLatin1String("--serve"))
        return runOne(app.arguments().at(1));
    QByteArray buffer;
    for (;;) {
        const QString name = nextSocketName(buffer, 60000);
        if (name.isEmpty())
            return 0;
        runOne(name);
    }
}
