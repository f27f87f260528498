#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <QHash>
#include <QList>
#include <QSet>

#include "job/jobrecord.h"
#include "store/jobstore.h"

namespace spool {

class Clock;
class JobKindRegistry;

// The running jobs, as admission policies see them while a claim is made: this runner's (for
// its worker limit) and every runner's (for caps, which hold across runners).
class RunningSet final
{
public:
    // `counted`: the kinds whose jobs the policies count (countedKinds()); unset: all. Jobs of
    // other kinds count only toward mine(): a runner with 2,000 jobs in hand copied every record
    // into the set for each claim.
    explicit RunningSet(std::optional<QStringList> counted = std::nullopt)
        : m_counted(std::move(counted))
    { }
    // A job this runner runs, or has just admitted.
    void add(const JobRecord &record);
    // A job the store shows running, under this runner or another; each job counts once.
    void addFromStore(const JobRecord &record);
    int mine() const { return m_mine; }
    int countOfKind(const QString &kind) const { return m_perKind.value(kind); }
    // The jobs on network host `host` (HostCapPolicy's count): hostOf() runs once per job, not
    // once per job and candidate. The first hostOf() given is the one used.
    int countOfHost(
        const QString &host, const std::function<QString(const JobRecord &)> &hostOf) const;
    const QList<JobRecord> &jobs() const { return m_jobs; }

private:
    void insert(const JobRecord &record);

    std::optional<QStringList> m_counted;
    int m_mine = 0;
    QSet<QUuid> m_ids;
    QList<JobRecord> m_jobs;
    QHash<QString, int> m_perKind;
    mutable std::function<QString(const JobRecord &)> m_hostOf; // set by the first countOfHost()
    mutable QHash<QString, int> m_perHost;
};

// "May this job start now?" Policies compose: the most restrictive verdict wins. Per-host caps
// and the GIL plug in here too.
class AdmissionPolicy
{
public:
    virtual ~AdmissionPolicy() = default;
    virtual QString name() const = 0;
    virtual Admission admit(const JobRecord &candidate, const RunningSet &running) const = 0;
    // The kinds of running jobs (this runner's and others') that admit() counts; unset: it may
    // count any. A claim reads only those from the store, and the running set keeps only those
    // (mine() still counts every job of this runner). Asked by worker slots, several at once.
    virtual std::optional<QSet<QString>> countedKinds() const { return std::nullopt; }
    // A job asked that jobs like it wait until `untilMs` (a server's Retry-After). Thread-safe.
    virtual void holdLike(const JobRecord &job, qint64 untilMs)
    {
        Q_UNUSED(job)
        Q_UNUSED(untilMs)
    }
    // The next time after `nowMs` at which a verdict may change by itself, with no job ending (a
    // hold that ends); 0: none. Thread-safe.
    virtual qint64 nextChangeMs(qint64 nowMs) const
    {
        Q_UNUSED(nowMs)
        return 0;
    }
};

// No more than N jobs at once in this runner.
class WorkerLimitPolicy final : public AdmissionPolicy
{
public:
    explicit WorkerLimitPolicy(int workers)
        : m_workers(workers)
    { }
    QString name() const override { return QStringLiteral("workers"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;
    // Only this runner's own jobs count.
    std::optional<QSet<QString>> countedKinds() const override { return QSet<QString> {}; }

private:
    int m_workers;
};

// No more than caps[kind] jobs of one kind at once, across every runner of the queue.
class KindCapPolicy final : public AdmissionPolicy
{
public:
    explicit KindCapPolicy(QHash<QString, int> caps)
        : m_caps(std::move(caps))
    { }
    QString name() const override { return QStringLiteral("per-kind cap"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;
    std::optional<QSet<QString>> countedKinds() const override;

private:
    QHash<QString, int> m_caps;
};

// Leaves jobs of kinds this process cannot run (a plugin it lacks) to a runner that can.
class KnownKindPolicy final : public AdmissionPolicy
{
public:
    explicit KnownKindPolicy(std::shared_ptr<const JobKindRegistry> registry)
        : m_registry(std::move(registry))
    { }
    QString name() const override { return QStringLiteral("known kind"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;
    std::optional<QSet<QString>> countedKinds() const override { return QSet<QString> {}; }

private:
    std::shared_ptr<const JobKindRegistry> m_registry;
};

// Leaves a job that names the machine it must run on (JobKind::runsOn) to that machine.
class RunsOnPolicy final : public AdmissionPolicy
{
public:
    RunsOnPolicy(std::shared_ptr<const JobKindRegistry> registry, QString host)
        : m_registry(std::move(registry))
        , m_host(std::move(host))
    { }
    QString name() const override { return QStringLiteral("machine"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;
    std::optional<QSet<QString>> countedKinds() const override { return QSet<QString> {}; }

private:
    std::shared_ptr<const JobKindRegistry> m_registry;
    QString m_host;
};

// No more than `cap` jobs at once per network host (as the job's kind names it) across every
// runner of the queue, and none for a host that asked this runner to wait (Retry-After).
class HostCapPolicy final : public AdmissionPolicy
{
public:
    HostCapPolicy(std::shared_ptr<const JobKindRegistry> registry, int cap, Clock *clock);
    QString name() const override { return QStringLiteral("per-host cap"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;
    std::optional<QSet<QString>> countedKinds() const override;
    void holdLike(const JobRecord &job, qint64 untilMs) override;
    qint64 nextChangeMs(qint64 nowMs) const override;
    QString hostOf(const JobRecord &record) const;
    // The host admit() turns `candidate` down for because `running` holds its cap, with no hold
    // on it: a refusal that only a job of that host ending can lift. Empty otherwise.
    QString hostAtCap(const JobRecord &candidate, const RunningSet &running) const;
    // Whether `running` holds the cap of `host`.
    bool isFull(const QString &host, const RunningSet &running) const;

private:
    bool isHeld(const QString &host) const; // under a server's Retry-After

    std::shared_ptr<const JobKindRegistry> m_registry;
    int m_cap;
    Clock *m_clock;
    mutable std::mutex m_mutex;
    QHash<QString, qint64> m_heldUntilMs;
};

// The combined verdict of `policies`, strictest first: Stop, SkipKind, Skip, Admit.
Admission admitAll(const QList<std::shared_ptr<AdmissionPolicy>> &policies,
    const JobRecord &candidate, const RunningSet &running);
// The earliest of `policies`' nextChangeMs(); 0: none.
qint64 nextChangeMs(const QList<std::shared_ptr<AdmissionPolicy>> &policies, qint64 nowMs);
// The kinds of running jobs any of `policies` counts (ClaimRequest::runningKinds).
std::optional<QStringList> countedKinds(const QList<std::shared_ptr<AdmissionPolicy>> &policies);

} // namespace spool
