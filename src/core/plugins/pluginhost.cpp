#include "pluginhost.h"

#include <chrono>
#include <cstring>
#include <vector>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLibrary>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPluginLoader>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include "hostio.h"
#include "job/jobkindregistry.h"
#include "pluginmetadata.h"
#include "pluginsafety.h"
#include "spool/plugin.h"
#include "util/atomicfile.h"
#include "util/helperprogram.h"
#include "util/ids.h"
#include "workerprocess.h"
#include "workerprotocol.h"

namespace spool {

namespace {

const PluginKindInfo *kindIn(const PluginInfo &plugin, const QString &name)
{
    for (const PluginKindInfo &k : plugin.kinds) {
        if (k.name == name)
            return &k;
    }
    return nullptr;
}

// The host's side of spool::sdk::JobContext. For a legacy job in GIL mode, every call is a
// checkpoint and every wait releases the lock.
class SdkContext final : public sdk::JobContext
{
public:
    SdkContext(spool::JobContext &context, QJsonObject params, Gil *gil, Gil::Holder *holder)
        : m_context(context)
        , m_params(std::move(params))
        , m_gil(gil)
        , m_holder(holder)
    { }

    QJsonObject params() const override { return m_params; }
    void setProgress(qint64 done, qint64 total) override
    {
        m_context.setProgress(done, total);
        checkpoint();
    }
    bool shouldStop() override
    {
        checkpoint();
        return m_context.shouldStop();
    }
    void log(const QString &line) override
    {
        m_context.log(line);
        checkpoint();
    }
    QString scratchDir() const override
    {
        const QString dir = m_context.workDir();
        QDir().mkpath(dir);
        return dir;
    }
    void yield() override
    {
        if (m_gil)
            m_gil->yield(*m_holder);
    }
    bool sleepFor(int milliseconds) override
    {
        sdk::BlockingScope released(*this);
        return m_context.sleepFor(milliseconds);
    }
    QByteArray httpGet(const QUrl &url, QString *error) override
    {
        sdk::BlockingScope released(*this);
        return hostio::httpGet(
            url, [this] { return m_context.shouldStop(); }, error);
    }
    void beginBlocking() override
    {
        if (m_gil)
            m_gil->beginRelease(*m_holder);
    }
    void endBlocking() override
    {
        if (m_gil)
            m_gil->endRelease(*m_holder);
    }

private:
    void checkpoint()
    {
        if (m_gil)
            m_gil->checkpoint(*m_holder);
    }

    spool::JobContext &m_context;
    QJsonObject m_params;
    Gil *m_gil;
    Gil::Holder *m_holder;
};

// Idle spool-worker-host processes, by plugin file, kept for the plugin's next job: a fresh one
// costs about 18 ms (exec, Qt, loading the plugin). Only a worker that finished its job normally
// comes back here; one that crashed, hung or was stopped is killed. An idle worker ends itself
// after a minute; this pool hands out none idle for more than 50 s.
class WorkerPool
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kMaxIdleTime = std::chrono::seconds(50);
    static constexpr size_t kMaxIdle = 8;

    std::unique_ptr<WorkerProcess> take(const QString &pluginFile)
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_idle.begin(); it != m_idle.end();) {
            if (!it->process->running() || Clock::now() - it->since > kMaxIdleTime) {
                it = m_idle.erase(it); // killed and reaped by its destructor
            } else if (it->pluginFile == pluginFile) {
                std::unique_ptr<WorkerProcess> process = std::move(it->process);
                m_idle.erase(it);
                return process;
            } else {
                ++it;
            }
        }
        return nullptr;
    }

    void clear()
    {
        std::lock_guard lock(m_mutex);
        m_idle.clear();
    }

    void give(const QString &pluginFile, std::unique_ptr<WorkerProcess> process)
    {
        std::lock_guard lock(m_mutex);
        if (m_idle.size() >= kMaxIdle)
            m_idle.erase(m_idle.begin()); // the one idle longest
        m_idle.push_back({ pluginFile, std::move(process), Clock::now() });
    }

private:
    struct Idle
    {
        QString pluginFile;
        std::unique_ptr<WorkerProcess> process;
        Clock::time_point since;
    };
    std::mutex m_mutex;
    std::vector<Idle> m_idle;
};

WorkerPool &workerPool()
{
    static WorkerPool pool;
    return pool;
}

// Process mode: the job runs in a spool-worker-host process (one job at a time per process, kept
// for the plugin's next job); a crash, abort or hang there fails this job only. A job that brings
// its worker down twice is not retried again.
JobResult runInWorker(
    JobContext &context, const PluginInfo &plugin, const QString &kind, const QJsonObject &args)
{
    const QString program = helperProgram(QStringLiteral("spool-worker-host"));
    if (program.isEmpty())
        return JobResult::failure(
            QStringLiteral("spool-worker-host is not installed beside this program"), false);
    const bool retryCrash = context.attempt() < 2;
    const auto crashed = [&](const QString &what) {
        return JobResult::failure(QStringLiteral("%1%2").arg(what,
                                      retryCrash ? QString()
                                                 : QStringLiteral(" (the second time: not "
                                                                  "retried)")),
            retryCrash);
    };
    QLocalServer server;
    server.setSocketOptions(QLocalServer::UserAccessOption);
    const QString name = QStringLiteral("spool-worker-%1").arg(idString(QUuid::createUuid()));
    if (!server.listen(name))
        return JobResult::failure(
            QStringLiteral("cannot open a socket for the worker: %1").arg(server.errorString()));
    // The worker kept from this plugin's last job if it takes this one, else a fresh one.
    std::unique_ptr<WorkerProcess> worker = workerPool().take(plugin.file);
    const auto finish = [&](JobResult result) {
        worker.reset(); // killed and reaped
        return result;
    };
    // Hands the job's socket name to `candidate`: its connection, or null when it ended, did not
    // connect within 10 s, or the job is to stop.
    const auto offer = [&](WorkerProcess &candidate) -> QLocalSocket * {
        if (!candidate.sendLine(server.fullServerName().toLocal8Bit()))
            return nullptr;
        QElapsedTimer waiting;
        waiting.start();
        while (!context.shouldStop() && candidate.running() && waiting.elapsed() <= 10000) {
            if (server.waitForNewConnection(50))
                return server.nextPendingConnection();
        }
        return nullptr;
    };
    bool reused = worker != nullptr;
    QLocalSocket *socket = reused ? offer(*worker) : nullptr;
    if (!socket && !context.shouldStop()) {
        reused = false;
        worker = std::make_unique<WorkerProcess>(); // a kept one that ended meanwhile: killed
        QString startError;
        if (!worker->start(program, { QStringLiteral("--serve") }, &startError, true))
            return finish(JobResult::failure(
                QStringLiteral("cannot start spool-worker-host: %1").arg(startError)));
        socket = offer(*worker);
        if (!socket && !context.shouldStop())
            return finish(crashed(worker->running()
                    ? QStringLiteral("the worker process did not connect in 10 s")
                    : QStringLiteral("the worker process ended before it took the job")));
    }
    if (!socket)
        return finish(JobResult::stopped());
    context.log(QStringLiteral("running in worker process %1%2")
                    .arg(worker->pid())
                    .arg(reused ? QStringLiteral(" (kept from an earlier job)") : QString()));
    workerprotocol::send(*socket,
        { { QStringLiteral("type"), QStringLiteral("run") },
            { QStringLiteral("plugin"), plugin.file }, { QStringLiteral("kind"), kind },
            { QStringLiteral("params"), args }, { QStringLiteral("scratch"), context.workDir() } });
    const qint64 timeoutMs = PluginHost::instance().workerTimeoutMs();
    QElapsedTimer sinceHeard, sinceStop;
    sinceHeard.start();
    QByteArray buffer;
    bool stopSent = false;
    for (;;) {
        socket->waitForReadyRead(50);
        buffer += socket->readAll();
        QString error;
        while (auto message = workerprotocol::take(buffer, &error)) {
            sinceHeard.restart();
            const QString type = message->value(QStringLiteral("type")).toString();
            if (type == QLatin1String("progress")) {
                context.setProgress(message->value(QStringLiteral("done")).toInteger(),
                    message->value(QStringLiteral("total")).toInteger(-1));
            } else if (type == QLatin1String("log")) {
                context.log(message->value(QStringLiteral("line")).toString());
            } else if (type == QLatin1String("done")) {
                if (message->value(QStringLiteral("stopped")).toBool() || context.shouldStop())
                    return finish(JobResult::stopped());
                workerPool().give(plugin.file, std::move(worker)); // healthy: for the next job
                if (message->value(QStringLiteral("ok")).toBool())
                    return finish(
                        JobResult::success(message->value(QStringLiteral("output")).toString()));
                const QString why = message->value(QStringLiteral("error")).toString();
                return finish(JobResult::failure(
                    why.isEmpty() ? QStringLiteral("the plugin job failed") : why));
            }
        }
        if (!error.isEmpty())
            return finish(JobResult::failure(QStringLiteral("worker: %1").arg(error), false));
        if (!worker->running() || socket->state() != QLocalSocket::ConnectedState) {
            worker->waitForFinished(5000);
            if (worker->crashed())
                return finish(
                    crashed(QStringLiteral("the plugin crashed its worker process (%1)")
                                .arg(QString::fromLocal8Bit(strsignal(worker->signal())))));
            return finish(
                crashed(QStringLiteral("the worker process exited (code %1) without a result")
                            .arg(worker->exitCode())));
        }
        if (context.shouldStop() && !stopSent) {
            workerprotocol::send(*socket, { { QStringLiteral("type"), QStringLiteral("stop") } });
            stopSent = true;
            sinceStop.start();
        }
        if (stopSent && sinceStop.elapsed() > 2000)
            return finish(JobResult::stopped()); // it did not listen: killed
        if (sinceHeard.elapsed() > timeoutMs)
            return finish(crashed(QStringLiteral("no sign of life from the worker for %1 s: killed")
                                      .arg(timeoutMs / 1000.0)));
    }
}

class PluginJobAdapter final : public Job
{
public:
    JobResult run(JobContext &context) override
    {
        PluginHost &host = PluginHost::instance();
        const QString kindName = context.params().value(QStringLiteral("name")).toString();
        const PluginInfo *plugin = host.pluginFor(kindName);
        const PluginKindInfo *kind = plugin ? kindIn(*plugin, kindName) : nullptr;
        if (!kind)
            return JobResult::failure(
                QStringLiteral("no plugin here provides '%1' (see spoolctl plugins)").arg(kindName),
                false);
        QStringList words;
        for (const QJsonValue &v : context.params().value(QStringLiteral("param")).toArray())
            words.append(v.toString());
        auto args = pluginmetadata::parseArguments(*kind, words);
        if (!args)
            return JobResult::failure(args.error().message, false);
        const bool legacy = !plugin->threadSafe;
        if (legacy && !host.gilModeFor(plugin->name))
            return runInWorker(context, *plugin, kindName, args.value());
        QString error;
        sdk::JobPlugin *root = host.load(*plugin, &error);
        if (!root)
            return JobResult::failure(error, false);
        context.setProgressUnit(kind->unit);

        Gil::Holder holder(plugin->name);
        // Waiting for the lock takes no worker slot from thread-safe jobs.
        holder.onSleep = [&context](bool sleeping) {
            if (sleeping)
                context.beginParkedWait();
            else
                context.endParkedWait();
        };
        Gil *gil = legacy ? &host.gil() : nullptr;
        if (gil)
            gil->acquire(holder);
        QString output, failure;
        bool ok = false;
        {
            SdkContext sdkContext(context, args.value(), gil, &holder);
            std::unique_ptr<sdk::PluginJob> job = root->createJob(kindName);
            if (!job) {
                failure = QStringLiteral("the plugin made no job for '%1'").arg(kindName);
            } else {
                ok = job->run(sdkContext, &output, &failure);
            }
        }
        if (gil)
            gil->release(holder);
        if (context.shouldStop())
            return JobResult::stopped();
        if (!ok)
            return JobResult::failure(
                failure.isEmpty() ? QStringLiteral("the plugin job failed") : failure);
        return JobResult::success(output);
    }
};

} // namespace

PluginHost &PluginHost::instance()
{
    static PluginHost host;
    return host;
}

QStringList PluginHost::defaultDirectories()
{
    const QString app = QCoreApplication::applicationDirPath();
    QString user = qEnvironmentVariable("XDG_DATA_HOME");
    if (user.isEmpty())
        user = QDir::home().filePath(QStringLiteral(".local/share"));
    return { QDir::cleanPath(QDir(app).filePath(QStringLiteral("../lib/spool/plugins"))),
        QDir::cleanPath(QDir(user).filePath(QStringLiteral("spool/plugins"))) };
}

QList<PluginInfo> PluginHost::scan(const QStringList &directories)
{
    std::lock_guard scanning(m_scanMutex);
    workerPool().clear(); // idle workers hold what the files were; the next jobs start afresh
    return scanLocked(directories);
}

PluginInfo PluginHost::inspect(const QString &file)
{
    PluginInfo info;
    info.file = file;
    // Checked before the file is read at all: its code would run in this process.
    info.refusal = pluginsafety::refusal(info.file);
    if (!info.refusal.isEmpty())
        return info;
    QPluginLoader loader(info.file); // reads the metadata section; loads nothing
    const QJsonObject data = loader.metaData();
    if (data.isEmpty())
        info.refusal = QStringLiteral("not a plugin (%1)").arg(loader.errorString());
    else
        info.refusal = pluginmetadata::read(data, info);
    return info;
}

QList<PluginInfo> PluginHost::scanLocked(const QStringList &directories)
{
    QList<PluginInfo> found;
    QHash<QString, QString> kindOwner; // kind -> file
    for (const QString &directory : directories) {
        const QDir dir(directory);
        if (!dir.exists())
            continue;
        for (const QFileInfo &file : dir.entryInfoList(QDir::Files, QDir::Name)) {
            if (!QLibrary::isLibrary(file.fileName()))
                continue; // a README beside the plugins is not a refused plugin
            const QString path = file.canonicalFilePath();
            if (std::any_of(found.cbegin(), found.cend(),
                    [&](const PluginInfo &p) { return p.file == path; }))
                continue; // the same file through two directories
            PluginInfo info = inspect(path);
            if (info.refusal.isEmpty()) {
                for (const PluginKindInfo &kind : std::as_const(info.kinds)) {
                    if (kindOwner.contains(kind.name)) {
                        info.refusal = QStringLiteral("kind '%1' is already provided by %2")
                                           .arg(kind.name, kindOwner.value(kind.name));
                        break;
                    }
                }
            }
            if (info.refusal.isEmpty()) {
                for (const PluginKindInfo &kind : std::as_const(info.kinds))
                    kindOwner.insert(kind.name, info.file);
            }
            found.append(info);
        }
    }
    std::lock_guard lock(m_mutex);
    m_plugins = found;
    m_scanned = true;
    return found;
}

void PluginHost::ensureScanned()
{
    // Several workers may start the first plugin jobs at once: one scans, the others wait for
    // it. (Two scans at once replaced the list under a pointer pluginFor() had handed out.)
    std::lock_guard scanning(m_scanMutex);
    {
        std::lock_guard lock(m_mutex);
        if (m_scanned)
            return;
    }
    scanLocked(defaultDirectories());
}

QList<PluginInfo> PluginHost::plugins()
{
    ensureScanned();
    std::lock_guard lock(m_mutex);
    return m_plugins;
}

void PluginHost::setPluginGilModes(const QHash<QString, bool> &modes)
{
    std::lock_guard lock(m_modesMutex);
    m_pluginGilModes = modes;
}

QHash<QString, bool> PluginHost::pluginGilModes() const
{
    std::lock_guard lock(m_modesMutex);
    return m_pluginGilModes;
}

bool PluginHost::gilModeFor(const QString &pluginName) const
{
    std::lock_guard lock(m_modesMutex);
    const auto it = m_pluginGilModes.constFind(pluginName);
    return it != m_pluginGilModes.cend() ? *it : m_gilMode.load();
}

const PluginInfo *PluginHost::pluginFor(const QString &kind)
{
    ensureScanned();
    std::lock_guard lock(m_mutex);
    for (const PluginInfo &p : std::as_const(m_plugins)) {
        if (p.refusal.isEmpty() && kindIn(p, kind))
            return &p;
    }
    return nullptr;
}

sdk::JobPlugin *PluginHost::load(const PluginInfo &plugin, QString *error)
{
    std::lock_guard lock(m_mutex);
    auto &loader = m_loaders[plugin.file];
    if (!loader)
        loader = std::make_shared<QPluginLoader>(plugin.file);
    QObject *root = loader->instance();
    auto *jobPlugin = qobject_cast<sdk::JobPlugin *>(root);
    if (!jobPlugin && error)
        *error = root ? QStringLiteral("%1 does not implement the job plugin interface")
                            .arg(QFileInfo(plugin.file).fileName())
                      : QStringLiteral("cannot load %1: %2")
                            .arg(QFileInfo(plugin.file).fileName(), loader->errorString());
    return jobPlugin;
}

namespace {

QJsonArray histogramToJson(const std::array<quint64, Gil::kBuckets> &h)
{
    QJsonArray a;
    for (quint64 n : h)
        a.append(qint64(n));
    return a;
}

void addHistogram(std::array<quint64, Gil::kBuckets> &into, const QJsonArray &a)
{
    for (int i = 0; i < Gil::kBuckets && i < a.size(); ++i)
        into[size_t(i)] += quint64(a.at(i).toInteger());
}

QString gilStatsPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("gil-stats.json"));
}

} // namespace

QHash<QString, Gil::Stats> PluginHost::loadGilStats(const QString &dataDir, QString *error)
{
    QHash<QString, Gil::Stats> out;
    QFile file(gilStatsPath(dataDir));
    if (!file.exists())
        return out;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString());
        return out;
    }
    const QJsonObject all = QJsonDocument::fromJson(file.readAll()).object();
    for (auto it = all.begin(); it != all.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        Gil::Stats &s = out[it.key()];
        s.acquisitions = quint64(o.value(QStringLiteral("acquisitions")).toInteger());
        s.handoffs = quint64(o.value(QStringLiteral("handoffs")).toInteger());
        s.ioReturns = quint64(o.value(QStringLiteral("ioReturns")).toInteger());
        s.waitTotalUs = quint64(o.value(QStringLiteral("waitTotalUs")).toInteger());
        s.holdTotalUs = quint64(o.value(QStringLiteral("holdTotalUs")).toInteger());
        s.maxWaitUs = quint64(o.value(QStringLiteral("maxWaitUs")).toInteger());
        s.maxHoldUs = quint64(o.value(QStringLiteral("maxHoldUs")).toInteger());
        addHistogram(s.waitUs, o.value(QStringLiteral("waitUs")).toArray());
        addHistogram(s.holdUs, o.value(QStringLiteral("holdUs")).toArray());
    }
    return out;
}

void PluginHost::saveGilStats(const QString &dataDir)
{
    const QHash<QString, Gil::Stats> now = m_gil.stats();
    if (now.isEmpty())
        return;
    QHash<QString, Gil::Stats> all = loadGilStats(dataDir, nullptr);
    for (auto it = now.begin(); it != now.end(); ++it) {
        Gil::Stats &s = all[it.key()];
        const Gil::Stats &n = it.value();
        s.acquisitions += n.acquisitions;
        s.handoffs += n.handoffs;
        s.ioReturns += n.ioReturns;
        s.waitTotalUs += n.waitTotalUs;
        s.holdTotalUs += n.holdTotalUs;
        s.maxWaitUs = std::max(s.maxWaitUs, n.maxWaitUs);
        s.maxHoldUs = std::max(s.maxHoldUs, n.maxHoldUs);
        for (int i = 0; i < Gil::kBuckets; ++i) {
            s.waitUs[size_t(i)] += n.waitUs[size_t(i)];
            s.holdUs[size_t(i)] += n.holdUs[size_t(i)];
        }
    }
    QJsonObject json;
    for (auto it = all.begin(); it != all.end(); ++it) {
        const Gil::Stats &s = it.value();
        json.insert(it.key(),
            QJsonObject { { QStringLiteral("acquisitions"), qint64(s.acquisitions) },
                { QStringLiteral("handoffs"), qint64(s.handoffs) },
                { QStringLiteral("ioReturns"), qint64(s.ioReturns) },
                { QStringLiteral("waitTotalUs"), qint64(s.waitTotalUs) },
                { QStringLiteral("holdTotalUs"), qint64(s.holdTotalUs) },
                { QStringLiteral("maxWaitUs"), qint64(s.maxWaitUs) },
                { QStringLiteral("maxHoldUs"), qint64(s.maxHoldUs) },
                { QStringLiteral("waitUs"), histogramToJson(s.waitUs) },
                { QStringLiteral("holdUs"), histogramToJson(s.holdUs) } });
    }
    QString ignored; // statistics are a courtesy: a full disk must not fail the run
    atomicfile::write(gilStatsPath(dataDir), QJsonDocument(json).toJson(), &ignored);
}

void registerPluginKind(JobKindRegistry &registry)
{
    JobKind kind;
    kind.name = QStringLiteral("plugin");
    kind.description = QStringLiteral("A job of a kind a plugin provides (see spoolctl plugins).");
    ParamSpec name;
    name.name = QStringLiteral("name");
    name.type = ParamType::String;
    name.description = QStringLiteral("the plugin's job kind");
    name.valueName = QStringLiteral("NAME");
    name.required = true;
    name.positional = true;
    ParamSpec param;
    param.name = QStringLiteral("param");
    param.type = ParamType::StringList;
    param.description = QStringLiteral("a parameter of that kind (repeat for more)");
    param.valueName = QStringLiteral("K=V");
    kind.params = { name, param };
    kind.validate = [](QJsonObject &params) -> QString {
        const QString kindName = params.value(QStringLiteral("name")).toString();
        const PluginInfo *plugin = PluginHost::instance().pluginFor(kindName);
        if (!plugin)
            return QStringLiteral("no plugin provides '%1' (see spoolctl plugins)").arg(kindName);
        QStringList words;
        for (const QJsonValue &v : params.value(QStringLiteral("param")).toArray())
            words.append(v.toString());
        const PluginKindInfo *info = kindIn(*plugin, kindName);
        auto args = pluginmetadata::parseArguments(*info, words);
        if (!args)
            return args.error().message;
        // Stored as checked, with absolute paths and defaults.
        QJsonArray normalized;
        for (auto it = args->begin(); it != args->end(); ++it) {
            const QJsonValue v = it.value();
            QString text;
            if (v.isArray()) {
                QStringList items;
                for (const QJsonValue &item : v.toArray())
                    items.append(item.toString());
                text = items.join(QLatin1Char(','));
            } else if (v.isBool()) {
                text = v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
            } else if (v.isDouble()) {
                text = QString::number(v.toInteger());
            } else {
                text = v.toString();
            }
            normalized.append(QStringLiteral("%1=%2").arg(it.key(), text));
        }
        params.insert(QStringLiteral("param"), normalized);
        return {};
    };
    kind.title = [](const QJsonObject &params) {
        return params.value(QStringLiteral("name")).toString();
    };
    kind.create = [] { return std::make_unique<PluginJobAdapter>(); };
    if (!registry.add(std::move(kind)).ok())
        qFatal("the plugin kind is registered twice");
}

} // namespace spool
