#pragma once

#include <memory>
#include <mutex>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "gil/gil.h"
#include "job/paramspec.h"

class QPluginLoader;

namespace spool {

class JobKindRegistry;

namespace sdk {
class JobPlugin;
}

struct PluginKindInfo
{
    QString name;
    QString description;
    QString unit; // progress unit; "items" when the plugin does not say
    QList<ParamSpec> params;
};

// What the host found in a plugin file, from its metadata (read before loading the library).
struct PluginInfo
{
    QString file;
    QString name;
    QString version;
    QString sdkVersion;
    bool threadSafe = false; // undeclared: legacy
    QList<PluginKindInfo> kinds;
    QString refusal; // why the plugin is not used; empty when it is
};

// Finds job-kind plugins in the application's and the user's plugin directories, refuses the
// ones it cannot use (with the reason), and runs their jobs: thread-safe ones in parallel like
// built-in jobs, legacy ones under the GIL. One per process.
class PluginHost
{
public:
    static PluginHost &instance();

    // The application's <bin>/../lib/spool/plugins and the user's $XDG_DATA_HOME/spool/plugins
    // (~/.local/share/spool/plugins); nowhere else.
    static QStringList defaultDirectories();
    // Reads every file in `directories` (once per process unless called again): the result in
    // the order found. The default directories when never called. A new scan invalidates what
    // pluginFor() returned: call it before jobs run, not while they do. It also ends the idle
    // worker processes kept for process mode (they hold the plugins as they were).
    QList<PluginInfo> scan(const QStringList &directories = defaultDirectories());
    QList<PluginInfo> plugins();
    // One plugin file's metadata and whether its safety and metadata let it load, without
    // loading it or looking at other plugins (`spoolctl plugins --check`).
    static PluginInfo inspect(const QString &file);

    // Legacy plugin jobs run in-process under the GIL when on (the default); off, each in a
    // spool-worker-host process of its own (process mode).
    void setGilMode(bool on) { m_gilMode = on; }
    bool gilMode() const { return m_gilMode; }
    // Per plugin (by name), over the global mode: true GIL, false process mode. Plugins not
    // named follow the global mode. Read when a job starts: running jobs keep their mode.
    void setPluginGilModes(const QHash<QString, bool> &modes);
    QHash<QString, bool> pluginGilModes() const;
    bool gilModeFor(const QString &pluginName) const;
    Gil &gil() { return m_gil; }
    // Process mode: a worker silent (no progress, no log) this long is taken for hung and killed.
    qint64 workerTimeoutMs() const { return m_workerTimeoutMs; }
    void setWorkerTimeoutMs(qint64 ms) { m_workerTimeoutMs = ms; }

    // Adds this process's GIL statistics to <dataDir>/gil-stats.json (per plugin, summed over
    // runs), for `spoolctl gil-stats` and the app. Nothing when no legacy job ran.
    void saveGilStats(const QString &dataDir);
    // The summed statistics, per plugin; empty when none were saved.
    static QHash<QString, Gil::Stats> loadGilStats(const QString &dataDir, QString *error);

    // The plugin providing `kind`, or null.
    const PluginInfo *pluginFor(const QString &kind);
    // The loaded root object of an accepted plugin (loads it on first use), or null with the
    // loader's reason.
    sdk::JobPlugin *load(const PluginInfo &plugin, QString *error);

private:
    PluginHost() = default;
    void ensureScanned();
    QList<PluginInfo> scanLocked(const QStringList &directories);

    std::mutex m_scanMutex; // held for a whole scan
    std::mutex m_mutex;
    bool m_scanned = false;
    QList<PluginInfo> m_plugins;
    QHash<QString, std::shared_ptr<QPluginLoader>> m_loaders; // by file
    std::atomic<bool> m_gilMode { true };
    mutable std::mutex m_modesMutex;
    QHash<QString, bool> m_pluginGilModes;
    std::atomic<qint64> m_workerTimeoutMs { 60000 };
    Gil m_gil;
};

// The `plugin` job kind: `spoolctl add plugin NAME --param k=v...`; parameters are checked
// against the plugin's schema.
void registerPluginKind(JobKindRegistry &registry);

} // namespace spool
