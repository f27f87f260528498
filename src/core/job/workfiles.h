#pragma once

#include <mutex>

#include <QSet>
#include <QString>
#include <QUuid>

namespace spool {

// Which jobs may have files in a runner's work root (a work directory, a delivery note): those
// this process handed their work directory to, and those with files there when its runner
// started. A job claimed once ever that ends here without either is released without looking
// on disk (Scheduler::releaseFiles): the three file system calls of looking were 12% of a no-op
// job's CPU on SQLite (perf, bench_lifecycle). Thread-safe.
class WorkFiles final
{
public:
    // Empty `root`: no work root, nothing kept.
    explicit WorkFiles(QString root);
    Q_DISABLE_COPY_MOVE(WorkFiles)

    // Notes the jobs with files in the root now. Before the first job starts, off the GUI thread.
    void lookAtRoot();
    const QString &root() const { return m_root; }
    // The job's work directory (jobfiles::workDir), noting that the job may now keep files.
    QString handOut(const QUuid &id);
    bool mayHave(const QUuid &id) const;
    // After the job's files were released for good.
    void forget(const QUuid &id);

private:
    const QString m_root;
    mutable std::mutex m_mutex;
    QSet<QUuid> m_ids;
};

} // namespace spool
