#pragma once

// The Spool plugin SDK: everything a job-kind plugin compiles against (Qt Core only).
//
// A plugin is a Qt plugin whose root object implements spool::sdk::JobPlugin:
//
//     class MyPlugin : public QObject, public spool::sdk::JobPlugin
//     {
//         Q_OBJECT
//         Q_PLUGIN_METADATA(IID SPOOL_JOB_PLUGIN_IID FILE "myplugin.json")
//         Q_INTERFACES(spool::sdk::JobPlugin)
//     public:
//         std::unique_ptr<spool::sdk::PluginJob> createJob(const QString &kind) override;
//     };
//
// The JSON file is read before the library is loaded; see docs/plugins.md for its fields
// (name, version, sdkVersion, threadSafe, kinds with their parameters).

#include <memory>

#include <QJsonObject>
#include <QString>
#include <QtPlugin>
#include <QUrl>

#define SPOOL_SDK_VERSION_MAJOR 1
#define SPOOL_SDK_VERSION_MINOR 0
// The major version is part of the interface id: a plugin for another major is refused.
#define SPOOL_JOB_PLUGIN_IID "org.spool.JobPlugin/1"

namespace spool::sdk {

// What a running plugin job gets from the host. For a legacy (not thread-safe) plugin in GIL
// mode every call is a checkpoint: the lock may change hands there.
class JobContext
{
public:
    virtual ~JobContext() = default;
    // The job's parameters, checked against the kind's schema.
    virtual QJsonObject params() const = 0;
    // Progress in the kind's unit (declared in the metadata); total < 0: unknown.
    virtual void setProgress(qint64 done, qint64 total) = 0;
    // True when the job should stop now (canceled, paused, the runner quitting): return soon.
    virtual bool shouldStop() = 0;
    // One line for the job's log (shown in the app and by `spoolctl show`).
    virtual void log(const QString &line) = 0;
    // A directory for the job's own files, kept until the job ends.
    virtual QString scratchDir() const = 0;
    // An explicit checkpoint: lets waiting legacy jobs run.
    virtual void yield() = 0;
    // Waits without holding the GIL; returns false early when the job should stop.
    virtual bool sleepFor(int milliseconds) = 0;
    // GETs a URL without holding the GIL (the host's network stack). Returns the body, or sets
    // `error` and returns an empty array.
    virtual QByteArray httpGet(const QUrl &url, QString *error) = 0;

    // Around blocking work of your own (use BlockingScope).
    virtual void beginBlocking() = 0;
    virtual void endBlocking() = 0;
};

// Releases the GIL while it lives (reading a file, a blocking library call). Nests.
class BlockingScope
{
public:
    explicit BlockingScope(JobContext &context)
        : m_context(context)
    {
        m_context.beginBlocking();
    }
    ~BlockingScope() { m_context.endBlocking(); }
    BlockingScope(const BlockingScope &) = delete;
    BlockingScope &operator=(const BlockingScope &) = delete;

private:
    JobContext &m_context;
};

// One run of a job. Return true on success (with `output` describing the result, e.g. a file
// path), false on failure with `error` saying why in one line.
class PluginJob
{
public:
    virtual ~PluginJob() = default;
    virtual bool run(JobContext &context, QString *output, QString *error) = 0;
};

// The plugin's root object.
class JobPlugin
{
public:
    virtual ~JobPlugin() = default;
    // A job of one of the kinds the metadata lists.
    virtual std::unique_ptr<PluginJob> createJob(const QString &kind) = 0;
};

} // namespace spool::sdk

Q_DECLARE_INTERFACE(spool::sdk::JobPlugin, SPOOL_JOB_PLUGIN_IID)
