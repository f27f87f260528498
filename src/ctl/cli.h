#pragma once

#include <functional>
#include <memory>

#include <QStringList>
#include <QTextStream>

#include "job/jobkindregistry.h"
#include "store/jobstore.h"

namespace spool::ctl {

enum ExitCode {
    ExitOk = 0,
    ExitFailure = 1, // anything that is not the user's fault (disk full, a job that failed to run)
    ExitUsage = 2, // bad usage or bad input; nothing was written
};

// The spoolctl command line of design.md. Output goes to the given streams so tests and the
// executable share one implementation.
class Cli final
{
public:
    // Builds the job kinds once the data directory is known (kinds keep state there).
    using RegistryFactory =
        std::function<std::shared_ptr<const JobKindRegistry>(const QString &dataDir)>;

    Cli(RegistryFactory makeRegistry, QTextStream &out, QTextStream &err);
    Q_DISABLE_COPY_MOVE(Cli)

    // `arguments[0]` is the program name. Returns the exit status; `run` may start an event loop.
    int run(const QStringList &arguments);

private:
    int add(const QStringList &args);
    int list(const QStringList &args);
    int show(const QStringList &args);
    int jobCommand(JobCommand command, const QStringList &args);
    int runQueue(const QStringList &args);
    int plugins(const QStringList &args);
    int gilStats(const QStringList &args);
    int exportJobs(const QStringList &args);
    int importJobs(const QStringList &args);
    int runners(const QStringList &args);
    int prune(const QStringList &args);
    int checkPlugin(const QString &file);
    int helpCommand(const QStringList &args);
    int pluginKindHelp(const QString &name);
    int completion(const QStringList &args);
    int usage(bool toErr);
    // The kinds, made on first use (help needs them before there is a data directory).
    const JobKindRegistry *registry();

    int usageError(const QString &message);
    int fail(const Error &error);
    Result<std::shared_ptr<JobStore>> openStore(bool createIfMissing);
    Result<QUuid> resolveId(JobStore &store, const QString &text);
    // Machines with a live runner on the queue (for "auto" values); 0 when there is no queue.
    Result<int> machinesRunningTheQueue();
    static QString runsOnNote(const JobKind &kind, const QList<NewJob> &jobs, JobStore &store);
    QString workRoot() const;

    RegistryFactory m_makeRegistry;
    std::shared_ptr<const JobKindRegistry> m_registry;
    QTextStream &m_out;
    QTextStream &m_err;
    QString m_dataDirOption;
    QString m_dataDir;
    QString m_queueOption;
    QString m_queueUrl; // the shared queue; empty: the one in the data directory
};

} // namespace spool::ctl
