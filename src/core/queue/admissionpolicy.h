#pragma once

#include <memory>

#include <QHash>
#include <QList>

#include "job/jobrecord.h"
#include "store/jobstore.h"

namespace spool {

class JobKindRegistry;

// The jobs a runner has started, as admission policies see them while a claim is made.
class RunningSet final
{
public:
    void add(const JobRecord &record);
    int total() const { return static_cast<int>(m_jobs.size()); }
    int countOfKind(const QString &kind) const { return m_perKind.value(kind); }
    const QList<JobRecord> &jobs() const { return m_jobs; }

private:
    QList<JobRecord> m_jobs;
    QHash<QString, int> m_perKind;
};

// "May this job start now?" Policies compose: the most restrictive verdict wins. Per-host caps
// and the GIL plug in here too.
class AdmissionPolicy
{
public:
    virtual ~AdmissionPolicy() = default;
    virtual QString name() const = 0;
    virtual Admission admit(const JobRecord &candidate, const RunningSet &running) const = 0;
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

private:
    int m_workers;
};

// No more than caps[kind] jobs of one kind at once.
class KindCapPolicy final : public AdmissionPolicy
{
public:
    explicit KindCapPolicy(QHash<QString, int> caps)
        : m_caps(std::move(caps))
    { }
    QString name() const override { return QStringLiteral("per-kind cap"); }
    Admission admit(const JobRecord &candidate, const RunningSet &running) const override;

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

private:
    std::shared_ptr<const JobKindRegistry> m_registry;
};

// The combined verdict of `policies`, strictest first: Stop, SkipKind, Skip, Admit.
Admission admitAll(const QList<std::shared_ptr<const AdmissionPolicy>> &policies,
    const JobRecord &candidate, const RunningSet &running);

} // namespace spool
