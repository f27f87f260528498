#include "admissionpolicy.h"

#include "job/jobkindregistry.h"

namespace spool {

void RunningSet::add(const JobRecord &record)
{
    m_jobs.append(record);
    ++m_perKind[record.kind];
}

Admission WorkerLimitPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    Q_UNUSED(candidate)
    return running.total() >= m_workers ? Admission::Stop : Admission::Admit;
}

Admission KindCapPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    const auto it = m_caps.constFind(candidate.kind);
    if (it == m_caps.cend() || *it <= 0)
        return Admission::Admit;
    return running.countOfKind(candidate.kind) >= *it ? Admission::SkipKind : Admission::Admit;
}

Admission KnownKindPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    Q_UNUSED(running)
    return m_registry->find(candidate.kind) ? Admission::Admit : Admission::SkipKind;
}

Admission admitAll(const QList<std::shared_ptr<const AdmissionPolicy>> &policies,
    const JobRecord &candidate, const RunningSet &running)
{
    Admission verdict = Admission::Admit;
    for (const auto &policy : policies) {
        const Admission a = policy->admit(candidate, running);
        if (static_cast<int>(a) > static_cast<int>(verdict))
            verdict = a;
        if (verdict == Admission::Stop)
            break;
    }
    return verdict;
}

} // namespace spool
