#include "admissionpolicy.h"

#include "job/jobkindregistry.h"
#include "util/clock.h"

namespace spool {

void RunningSet::add(const JobRecord &record)
{
    ++m_mine;
    insert(record);
}

void RunningSet::addFromStore(const JobRecord &record)
{
    insert(record);
}

void RunningSet::insert(const JobRecord &record)
{
    if (m_counted && !m_counted->contains(record.kind))
        return;
    if (m_ids.contains(record.id))
        return;
    m_ids.insert(record.id);
    m_jobs.append(record);
    ++m_perKind[record.kind];
    if (m_hostOf)
        ++m_perHost[m_hostOf(record)];
}

int RunningSet::countOfHost(
    const QString &host, const std::function<QString(const JobRecord &)> &hostOf) const
{
    if (!m_hostOf) {
        m_hostOf = hostOf;
        for (const JobRecord &job : m_jobs)
            ++m_perHost[m_hostOf(job)];
    }
    return m_perHost.value(host);
}

Admission WorkerLimitPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    Q_UNUSED(candidate)
    return running.mine() >= m_workers ? Admission::Stop : Admission::Admit;
}

Admission KindCapPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    const auto it = m_caps.constFind(candidate.kind);
    if (it == m_caps.cend() || *it <= 0)
        return Admission::Admit;
    return running.countOfKind(candidate.kind) >= *it ? Admission::SkipKind : Admission::Admit;
}

std::optional<QSet<QString>> KindCapPolicy::countedKinds() const
{
    QSet<QString> kinds;
    for (auto it = m_caps.cbegin(); it != m_caps.cend(); ++it) {
        if (it.value() > 0)
            kinds.insert(it.key());
    }
    return kinds;
}

Admission KnownKindPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    Q_UNUSED(running)
    return m_registry->find(candidate.kind) ? Admission::Admit : Admission::SkipKind;
}

Admission RunsOnPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    Q_UNUSED(running)
    const JobKind *kind = m_registry->find(candidate.kind);
    if (!kind || !kind->runsOn)
        return Admission::Admit;
    const QString host = kind->runsOn(candidate.params);
    return host.isEmpty() || host == m_host ? Admission::Admit : Admission::Skip;
}

HostCapPolicy::HostCapPolicy(std::shared_ptr<const JobKindRegistry> registry, int cap, Clock *clock)
    : m_registry(std::move(registry))
    , m_cap(cap)
    , m_clock(clock)
{ }

QString HostCapPolicy::hostOf(const JobRecord &record) const
{
    const JobKind *kind = m_registry->find(record.kind);
    return kind && kind->host ? kind->host(record.params) : QString();
}

Admission HostCapPolicy::admit(const JobRecord &candidate, const RunningSet &running) const
{
    const QString host = hostOf(candidate);
    if (host.isEmpty())
        return Admission::Admit;
    return isHeld(host) || isFull(host, running) ? Admission::Skip : Admission::Admit;
}

QString HostCapPolicy::hostAtCap(const JobRecord &candidate, const RunningSet &running) const
{
    const QString host = hostOf(candidate);
    return !host.isEmpty() && isFull(host, running) && !isHeld(host) ? host : QString();
}

bool HostCapPolicy::isFull(const QString &host, const RunningSet &running) const
{
    return m_cap > 0
        && running.countOfHost(host, [this](const JobRecord &job) { return hostOf(job); }) >= m_cap;
}

bool HostCapPolicy::isHeld(const QString &host) const
{
    std::lock_guard lock(m_mutex);
    const auto held = m_heldUntilMs.constFind(host);
    return held != m_heldUntilMs.cend() && *held > m_clock->nowMs();
}

// The kinds that name a host; a kind this runner lacks has no host to it (hostOf).
std::optional<QSet<QString>> HostCapPolicy::countedKinds() const
{
    QSet<QString> kinds;
    if (m_cap <= 0)
        return kinds;
    for (const QString &name : m_registry->names()) {
        const JobKind *kind = m_registry->find(name);
        if (kind && kind->host)
            kinds.insert(name);
    }
    return kinds;
}

void HostCapPolicy::holdLike(const JobRecord &job, qint64 untilMs)
{
    const QString host = hostOf(job);
    if (host.isEmpty())
        return;
    std::lock_guard lock(m_mutex);
    qint64 &until = m_heldUntilMs[host];
    until = qMax(until, untilMs);
}

qint64 HostCapPolicy::nextChangeMs(qint64 nowMs) const
{
    std::lock_guard lock(m_mutex);
    qint64 next = 0;
    for (const qint64 until : m_heldUntilMs) {
        if (until > nowMs && (next == 0 || until < next))
            next = until;
    }
    return next;
}

Admission admitAll(const QList<std::shared_ptr<AdmissionPolicy>> &policies,
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

qint64 nextChangeMs(const QList<std::shared_ptr<AdmissionPolicy>> &policies, qint64 nowMs)
{
    qint64 next = 0;
    for (const auto &policy : policies) {
        const qint64 at = policy->nextChangeMs(nowMs);
        if (at > 0 && (next == 0 || at < next))
            next = at;
    }
    return next;
}

std::optional<QStringList> countedKinds(const QList<std::shared_ptr<AdmissionPolicy>> &policies)
{
    QSet<QString> kinds;
    for (const auto &policy : policies) {
        const std::optional<QSet<QString>> counted = policy->countedKinds();
        if (!counted)
            return std::nullopt;
        kinds.unite(*counted);
    }
    QStringList list = kinds.values();
    list.sort(); // a stable order: the same claims read the same way
    return list;
}

} // namespace spool
