#include "runningjob.h"

#include <chrono>

namespace spool {

namespace {
constexpr int kMaxPendingLogLines = 1000;
}

RunningJob::RunningJob(JobRecord claimed, WorkFiles *files)
    : m_record(std::move(claimed))
    , m_files(files)
    , m_progress(m_record.progress)
{
    if (m_record.control != JobControl::None)
        m_control.store(static_cast<int>(m_record.control));
}

void RunningJob::setProgress(qint64 done, qint64 total)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_progress.done == done && m_progress.total == total)
            return;
        m_progress.done = done;
        m_progress.total = total;
    }
    m_progressVersion.fetch_add(1, std::memory_order_acq_rel);
}

void RunningJob::setProgressUnit(const QString &unit)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_progress.unit == unit)
            return;
        m_progress.unit = unit;
    }
    m_progressVersion.fetch_add(1, std::memory_order_acq_rel);
}

Progress RunningJob::progress() const
{
    std::lock_guard lock(m_mutex);
    return m_progress;
}

JobControl RunningJob::stopRequested() const
{
    return static_cast<JobControl>(m_control.load(std::memory_order_acquire));
}

void RunningJob::requestStop(JobControl control)
{
    if (control == JobControl::None)
        return;
    {
        std::lock_guard lock(m_mutex);
        const auto current = static_cast<JobControl>(m_control.load(std::memory_order_relaxed));
        if (current != JobControl::None
            && !(current == JobControl::Interrupt && control != JobControl::Interrupt))
            return;
        m_control.store(static_cast<int>(control), std::memory_order_release);
    }
    m_stopped.notify_all();
    m_changed.notify_all();
}

bool RunningJob::sleepFor(qint64 ms)
{
    std::unique_lock lock(m_mutex);
    return !m_stopped.wait_for(
        lock, std::chrono::milliseconds(qMax<qint64>(0, ms)), [this] { return shouldStop(); });
}

bool RunningJob::waitForChanges(qint64 ms)
{
    std::unique_lock lock(m_mutex);
    // Set before the first look at the count: a change counted after that look finds it set and
    // wakes the wait (it takes the lock, so not before the wait has begun).
    m_waitingForChanges.store(true);
    // A change heard while the job was looking (between two waits) ends the next wait at once.
    m_changed.wait_for(lock, std::chrono::milliseconds(qMax<qint64>(0, ms)),
        [this] { return shouldStop() || m_queueChanges.load() != m_queueChangesSeen; });
    m_waitingForChanges.store(false);
    m_queueChangesSeen = m_queueChanges.load();
    return !shouldStop();
}

void RunningJob::noteQueueChanged()
{
    m_queueChanges.fetch_add(1);
    if (!m_waitingForChanges.load())
        return;
    {
        std::lock_guard lock(m_mutex); // the wait is under way, not between its look and sleep
    }
    m_changed.notify_all();
}

void RunningJob::log(const QString &line)
{
    std::lock_guard lock(m_mutex);
    if (m_logLines.size() >= kMaxPendingLogLines) {
        ++m_droppedLogLines;
        return;
    }
    m_logLines.append(line);
}

Result<JobState> RunningJob::stateOf(const QUuid &id) const
{
    if (!m_store)
        return JobContext::stateOf(id);
    auto found = m_store->query(JobQuery { { id }, {} });
    if (!found)
        return found.error();
    if (found->isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no job %1").arg(idString(id)));
    return found->first().state;
}

void RunningJob::sharePreview(const QByteArray &image)
{
    // The size a preview may reach: the queue holds one per running job.
    constexpr qsizetype kMaxSharedPreviewBytes = 256 * 1024;
    if (!m_previewsShared || image.size() > kMaxSharedPreviewBytes || !leaseHeld())
        return;
    std::lock_guard lock(m_mutex);
    m_sharedPreview = image;
}

QByteArray RunningJob::takeSharedPreview()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_sharedPreview, {});
}

QStringList RunningJob::takeLogLines()
{
    std::lock_guard lock(m_mutex);
    QStringList lines = std::exchange(m_logLines, {});
    if (m_droppedLogLines > 0) {
        lines.append(QStringLiteral(
            "(%1 log lines dropped: the job logged faster than they could be stored)")
                         .arg(m_droppedLogLines));
        m_droppedLogLines = 0;
    }
    return lines;
}

int RunningJob::borrowWorkers(int wanted)
{
    if (!m_budget || wanted <= 0 || stopRequested() != JobControl::None)
        return 0;
    const int lent = m_budget->lend(wanted);
    m_borrowed.fetch_add(lent);
    return lent;
}

void RunningJob::returnWorkers(int count)
{
    // Never more than it holds: a double return must not inflate the queue's budget.
    int held = m_borrowed.load();
    int giving = 0;
    do {
        giving = qBound(0, count, held);
    } while (!m_borrowed.compare_exchange_weak(held, held - giving));
    if (giving > 0 && m_budget)
        m_budget->giveBack(giving);
}

bool RunningJob::workersNeeded() const
{
    return m_budget && m_borrowed.load(std::memory_order_relaxed) > 0 && m_budget->needed();
}

void RunningJob::enterHelperThread()
{
    if (m_budget)
        m_budget->enterHelperThread();
}

void RunningJob::beginParkedWait()
{
    if (m_budget)
        m_budget->park();
}

void RunningJob::endParkedWait()
{
    if (m_budget)
        m_budget->unpark();
}

bool RunningJob::holdsLease() const
{
    std::unique_lock lock(m_leaseMutex);
    const auto held = [this] { return !m_leaseLost && steadyMs() < m_leaseDeadline; };
    if (!held() && !m_leaseLost) {
        // Past the deadline by this clock: the process was frozen (the next heartbeat finds the
        // job taken), or the runner's control thread was late (it renews). Wait for the verdict
        // rather than give up a job nobody else took; no verdict within a lease counts as lost.
        m_leaseSettled.wait_for(
            lock, std::chrono::milliseconds(m_leaseMs), [&] { return m_leaseLost || held(); });
    }
    if (held())
        return true;
    // A job told no may give up work that is still its own (see Scheduler::execute). The doubt
    // lasts for the attempt: a later yes does not undo what the job gave up on this no.
    m_leaseDoubted.store(true, std::memory_order_release);
    return false;
}

bool RunningJob::leaseHeld() const
{
    std::lock_guard lock(m_leaseMutex);
    return !m_leaseLost && steadyMs() < m_leaseDeadline;
}

void RunningJob::renewLease(qint64 deadline, qint64 leaseMs)
{
    {
        std::lock_guard lock(m_leaseMutex);
        m_leaseDeadline = deadline;
        m_leaseMs = leaseMs;
    }
    m_leaseSettled.notify_all();
}

void RunningJob::loseLease()
{
    {
        std::lock_guard lock(m_leaseMutex);
        m_leaseLost = true;
    }
    m_leaseSettled.notify_all();
}

qint64 RunningJob::steadyMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

QString RunningJob::workDir() const
{
    return m_files->handOut(m_record.id);
}

} // namespace spool
