#include "jobtablemodel.h"

#include <algorithm>
#include <thread>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <QColor>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QPromise>

#include "backgroundpool.h"
#include "format.h"
#include "problemline.h"
#include "progress/progressrate.h"
#include "util/runneridentity.h"

namespace spool::app {

namespace {
constexpr int kFrameMs = 33; // ~30 updates a second
constexpr int kResetThreshold = 500; // removing more rows than this at once: rebuild instead
// A snapshot loads a slice per event-loop turn. The first is a screenful, painted at once; each
// other one takes rows a step at a time until its 4 ms are up. Slices planned from the pace of
// the turn before took 15-57 ms when they reached memory the process had not touched yet (page
// faults, 70% of their time): a turn's cost is not known ahead, only as it goes.
constexpr int kFirstSnapshotSlice = 256;
constexpr int kSnapshotStep = 64; // rows between looks at the clock: well under 1 ms even then
constexpr qint64 kSnapshotTurnNs = 4'000'000;
// Rows are inserted, indexed and filtered after the clock stops: a cap keeps that part short on a
// machine fast enough to pack many rows in 4 ms.
constexpr int kMaxSnapshotSlice = 16384;
} // namespace

JobTableModel::JobTableModel(std::shared_ptr<const JobKindRegistry> registry, QObject *parent)
    : QAbstractItemModel(parent)
    , m_registry(std::move(registry))
    , m_loadClock([] { return QDeadlineTimer::current().deadlineNSecs(); })
{
    m_applyTimer.setSingleShot(true);
    m_applyTimer.setInterval(kFrameMs);
    connect(&m_applyTimer, &QTimer::timeout, this, &JobTableModel::onApplyTimer);
    m_loadTimer.setSingleShot(true);
    m_loadTimer.setInterval(0);
    connect(&m_loadTimer, &QTimer::timeout, this, &JobTableModel::loadSnapshotSlice);
    connect(
        &m_reservedIndex, &QFutureWatcherBase::finished, this, &JobTableModel::adoptReservedIndex);
}

void JobTableModel::setQueue(JobQueue *queue)
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_queue = queue;
    m_hasSnapshot = false;
    if (!queue)
        return;
    m_connections = {
        connect(queue, &JobQueue::snapshotReady, this, &JobTableModel::onSnapshot),
        connect(queue, &JobQueue::jobsChanged, this, &JobTableModel::onChanged),
        connect(queue, &JobQueue::jobsRemoved, this, &JobTableModel::onRemoved),
        connect(queue, &JobQueue::progressChanged, this, &JobTableModel::onProgress),
    };
    queue->requestSnapshot();
}

QModelIndex JobTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || row >= rowCount() || column < 0 || column >= ColumnCount)
        return {};
    return createIndex(row, column);
}

QModelIndex JobTableModel::parent(const QModelIndex &) const
{
    return {};
}

int JobTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    expandedTops(); // brings m_shownParts up to date
    return int(m_rows.size()) + m_shownParts;
}

int JobTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

// Found by its place in the FIFO order, not remembered: rows move while others are inserted
// and removed.
int JobTableModel::topRowOf(int key) const
{
    const auto group = m_groups.constFind(key);
    if (group == m_groups.cend() || !group->shown)
        return -1;
    const auto at = std::lower_bound(m_rows.cbegin(), m_rows.cend(), group->seq,
        [](const Row &r, qint64 seq) { return r.job.seq() < seq; });
    return at != m_rows.cend() && at->group == key ? int(at - m_rows.cbegin()) : -1;
}

// The open split jobs' top-level rows and how many parts each shows, in table order.
const QList<QPair<int, int>> &JobTableModel::expandedTops() const
{
    if (!m_expandedDirty)
        return m_expandedTops;
    m_expandedTops.clear();
    m_shownParts = 0;
    for (const int key : m_expanded) {
        const int top = topRowOf(key);
        const Group *group = findGroup(key);
        if (top >= 0 && group) {
            m_expandedTops.append({ top, int(group->members.size()) });
            m_shownParts += int(group->members.size());
        }
    }
    std::sort(m_expandedTops.begin(), m_expandedTops.end());
    m_expandedDirty = false;
    return m_expandedTops;
}

JobTableModel::Place JobTableModel::placeOf(int row) const
{
    int before = 0; // parts shown above
    for (const auto &[top, parts] : expandedTops()) {
        if (row <= top + before)
            break;
        if (row <= top + before + parts)
            return { top, row - top - before - 1 };
        before += parts;
    }
    return { row - before, -1 };
}

int JobTableModel::rowOfTop(int top) const
{
    int row = top;
    for (const auto &[open, parts] : expandedTops()) {
        if (open >= top)
            break;
        row += parts;
    }
    return row;
}

bool JobTableModel::isExpanded(int row) const
{
    const Place place = placeOf(row);
    return place.child < 0 && place.top < m_rows.size()
        && m_expanded.contains(m_rows.at(place.top).group);
}

void JobTableModel::setExpanded(int row, bool expanded)
{
    const Place place = placeOf(row);
    if (place.child >= 0 || place.top >= m_rows.size() || isExpanded(row) == expanded)
        return;
    const int key = m_rows.at(place.top).group;
    const Group *group = findGroup(key);
    if (!group || group->members.isEmpty())
        return;
    const int parts = int(group->members.size());
    if (expanded)
        beginInsertRows(QModelIndex(), row + 1, row + parts);
    else
        beginRemoveRows(QModelIndex(), row + 1, row + parts);
    if (expanded)
        m_expanded.insert(key);
    else
        m_expanded.remove(key);
    m_expandedDirty = true;
    if (expanded)
        endInsertRows();
    else
        endRemoveRows();
}

const JobTableModel::Group *JobTableModel::findGroup(int key) const
{
    const auto group = m_groups.constFind(key);
    return group == m_groups.cend() ? nullptr : &*group;
}

const JobTableModel::Row *JobTableModel::rowAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return nullptr;
    const Place place = placeOf(index.row());
    if (place.top >= m_rows.size())
        return nullptr;
    const Row &top = m_rows.at(place.top);
    if (place.child < 0)
        return &top;
    const Group *group = findGroup(top.group);
    return group && place.child < group->members.size() ? &group->members.at(place.child) : nullptr;
}

JobTableModel::Row *JobTableModel::memberRow(const QUuid &id)
{
    const auto group = m_groups.find(m_memberOf.value(id));
    if (group == m_groups.end())
        return nullptr;
    for (Row &row : group->members) {
        if (row.job.id() == id)
            return &row;
    }
    return nullptr;
}

const JobTableModel::Row *JobTableModel::memberRow(const QUuid &id) const
{
    return const_cast<JobTableModel *>(this)->memberRow(id);
}

std::optional<JobRecord> JobTableModel::record(int row) const
{
    return record(index(row, 0));
}

std::optional<JobRecord> JobTableModel::record(const QModelIndex &index) const
{
    const Row *row = rowAt(index);
    return row ? std::optional(row->job.unpack()) : std::nullopt;
}

// A job's own top-level row. The index is brought up to date once a batch's rows are in place;
// while rows are still being removed or inserted (and the view asks about the selection) the row
// is at most that many places off, so it is looked for around the indexed one.
int JobTableModel::topOf(const QUuid &id) const
{
    const int indexed = m_index.value(id, -1);
    if (indexed < 0)
        return -1;
    const auto isIt = [&](int row) {
        return row >= 0 && row < m_rows.size() && m_rows.at(row).group == 0
            && m_rows.at(row).job.id() == id;
    };
    for (int off = 0; off <= kResetThreshold; ++off) {
        if (isIt(indexed - off))
            return indexed - off;
        if (isIt(indexed + off))
            return indexed + off;
    }
    return -1;
}

int JobTableModel::rowOf(const QUuid &id) const
{
    const int top = m_memberOf.contains(id) ? topRowOf(m_memberOf.value(id)) : topOf(id);
    return top < 0 ? -1 : rowOfTop(top);
}

// A part's own row while its split job is open, else the split job's row.
QModelIndex JobTableModel::indexOf(const QUuid &id, int column) const
{
    const int key = m_memberOf.value(id);
    const int top = key ? topRowOf(key) : topOf(id);
    if (top < 0)
        return {};
    const Group *group = findGroup(key);
    for (int i = 0; group && m_expanded.contains(key) && i < group->members.size(); ++i) {
        if (group->members.at(i).job.id() == id)
            return index(rowOfTop(top) + 1 + i, column);
    }
    return index(rowOfTop(top), column);
}

const JobTableModel::Row *JobTableModel::jobRow(const QUuid &id) const
{
    if (const Row *member = memberRow(id))
        return member;
    const int row = topOf(id);
    return row >= 0 ? &m_rows.at(row) : nullptr;
}

std::optional<JobRecord> JobTableModel::recordById(const QUuid &id) const
{
    const Row *row = jobRow(id);
    return row ? std::optional(row->job.unpack()) : std::nullopt;
}

std::optional<JobTableModel::Status> JobTableModel::statusById(const QUuid &id) const
{
    const Row *row = jobRow(id);
    return row ? std::optional(Status { row->job.state(), row->job.control() }) : std::nullopt;
}

QList<JobRecord> JobTableModel::partsOf(int row) const
{
    QList<JobRecord> parts;
    const Place place = placeOf(row);
    if (place.child >= 0 || place.top < 0 || place.top >= m_rows.size())
        return parts;
    if (const Group *group = findGroup(m_rows.at(place.top).group)) {
        for (const Row &member : group->members)
            parts.append(member.job.unpack());
    }
    return parts;
}

QList<JobTableModel::FinishedRow> JobTableModel::finishedRows() const
{
    QList<FinishedRow> finished;
    for (const Row &row : m_rows) {
        const JobState state = row.job.state();
        if (!isFinishedState(state))
            continue;
        if (row.group == 0) {
            finished.append({ state, { row.job.id() } });
        } else if (const Group *group = findGroup(row.group)) {
            QList<QUuid> ids;
            for (const Row &member : group->members)
                ids.append(member.job.id());
            finished.append({ state, ids });
        }
    }
    return finished;
}

QList<JobRecord> JobTableModel::jobs() const
{
    QList<JobRecord> all;
    all.reserve(m_index.size() + m_memberOf.size());
    for (const Row &row : m_rows) {
        if (row.group == 0)
            all.append(row.job.unpack());
    }
    for (const Group &group : m_groups) {
        for (const Row &member : group.members)
            all.append(member.job.unpack());
    }
    return all;
}

const JobProgress *JobTableModel::liveProgress(const QUuid &id) const
{
    const Row *row = memberRow(id);
    if (const int top = topOf(id); !row && top >= 0)
        row = &m_rows.at(top);
    return row ? row->live.get() : nullptr;
}

QStringList JobTableModel::kinds() const
{
    return m_kinds;
}

QString JobTableModel::title(const JobRecord &record) const
{
    // A finished download's real name is its file's.
    if (record.state == JobState::Succeeded && !record.output.isEmpty()
        && record.kind == QLatin1String("download"))
        return QFileInfo(record.output).fileName();
    const JobKind *kind = m_registry->find(record.kind);
    QString title = kind && kind->title ? kind->title(paramsOf(record)) : QString();
    return title.isEmpty() ? record.kind + QLatin1Char(' ') + idString(record.id).left(8) : title;
}

// Under its split job's row a part needs no name of its own: "part 2 of 3", not
// "terrain.png (part 2 of 3)".
QString JobTableModel::memberTitle(const JobRecord &record) const
{
    const QString full = title(record);
    const JobKind *kind = m_registry->find(record.kind);
    const QString whole = kind && kind->groupTitle ? kind->groupTitle(paramsOf(record)) : QString();
    const QString prefix = whole + QStringLiteral(" (");
    if (whole.isEmpty() || !full.startsWith(prefix) || !full.endsWith(QLatin1Char(')')))
        return full;
    return full.mid(prefix.size(), full.size() - prefix.size() - 1);
}

QString JobTableModel::groupOf(const JobRecord &record) const
{
    const JobKind *kind = m_registry->find(record.kind);
    return kind && !kind->groupParam.isEmpty() ? paramsOf(record).value(kind->groupParam).toString()
                                               : QString();
}

QJsonObject JobTableModel::paramsOf(const JobRecord &record)
{
    return record.paramsText.isEmpty() ? record.params
                                       : QJsonDocument::fromJson(record.paramsText).object();
}

QList<QUuid> JobTableModel::groupMembers(const QString &group) const
{
    QList<QUuid> ids;
    if (const Group *found = findGroup(m_groupKeys.value(group))) {
        for (const Row &member : found->members)
            ids.append(member.job.id());
    }
    return ids;
}

const QString *JobTableModel::noteKind(const QString &kind)
{
    // Every row of a kind shares one copy of its name.
    for (const QString &known : m_kindNames) {
        if (known == kind)
            return &known;
    }
    m_kindNames.push_back(kind);
    m_kinds.append(kind);
    std::sort(m_kinds.begin(), m_kinds.end());
    Q_EMIT kindsChanged();
    return &m_kindNames.back();
}

void JobTableModel::schedule()
{
    if (!m_applyTimer.isActive())
        m_applyTimer.start();
}

void JobTableModel::onSnapshot(const QList<JobRecord> &records)
{
    m_hasSnapshot = true; // before the reset, which views answer by asking
    beginResetModel();
    m_rows.clear();
    m_groups.clear();
    m_groupKeys.clear();
    m_memberOf.clear();
    m_expanded.clear();
    m_expandedDirty = true;
    m_counts = {};
    m_byteRates.clear();
    m_rows.reserve(records.size());
    m_index.clear();
    reserveIndexInBackground(records.size());
    // Changes that arrived before the snapshot are in it; later ones stay pending until it is
    // loaded, and a record's rev tells which version is newer.
    m_pendingChanges.clear();
    m_pendingRemovals.clear();
    m_pendingProgress.clear();
    releaseSnapshot(); // what is left of one that was loading
    m_packed = Packed {};
    m_snapshot = records; // shared, not copied; in FIFO order
    m_snapshotNext = 0;
    endResetModel();
    if (records.isEmpty())
        Q_EMIT frameApplied(); // an empty queue is loaded at once
    loadSnapshotSlice(); // the first rows at once
}

void JobTableModel::loadSnapshotSlice()
{
    if (m_snapshot.isEmpty())
        return;
    if (m_snapshotNext == 0) {
        packJobs(takeSnapshotRows(kFirstSnapshotSlice), m_packed.batch, m_packed.top);
        insertPackedSlice(); // the first rows at once
    } else if (!m_packed.waiting) {
        // Packed in one turn, inserted in the next: the view paints after an insert, and a turn
        // that packed, inserted and painted held the GUI thread for up to 16 ms.
        const qint64 started = m_loadClock();
        const int end = int(qMin(m_snapshot.size(), qsizetype(m_snapshotNext) + kMaxSnapshotSlice));
        do
            packJobs(takeSnapshotRows(qMin(kSnapshotStep, end - m_snapshotNext)), m_packed.batch,
                m_packed.top);
        while (m_snapshotNext < end && m_loadClock() - started < kSnapshotTurnNs);
        m_packed.waiting = true;
        m_loadTimer.start();
        return;
    } else {
        insertPackedSlice();
    }
    if (m_snapshotNext < m_snapshot.size()) {
        m_loadTimer.start();
        return;
    }
    releaseSnapshot();
    m_snapshotNext = 0;
    if (!m_pendingChanges.isEmpty() || !m_pendingRemovals.isEmpty() || !m_pendingProgress.isEmpty())
        schedule();
    Q_EMIT frameApplied();
}

void JobTableModel::insertPackedSlice()
{
    Packed packed = std::exchange(m_packed, Packed {});
    insertPacked(std::move(packed.top));
    combineGroups(packed.batch);
    emitChanges(packed.batch);
}

QList<JobRecord> JobTableModel::takeSnapshotRows(int rows)
{
    const int end = qMin(int(m_snapshot.size()), m_snapshotNext + rows);
    // Once the queue's copy is gone the records are ours alone: move them instead of copying,
    // and nothing is left to free all at once at the end.
    const bool own = m_snapshot.isDetached();
    QList<JobRecord> records;
    records.reserve(end - m_snapshotNext);
    for (int i = m_snapshotNext; i < end; ++i)
        records.append(own ? std::move(m_snapshot[i]) : m_snapshot.at(i));
    m_snapshotNext = end;
    return records;
}

void JobTableModel::setLoadClock(std::function<qint64()> clock)
{
    m_loadClock = std::move(clock);
}

void JobTableModel::releaseSnapshot()
{
    // Not cleared: QList::clear() keeps the capacity, and the array of moved-from records (a third
    // of the table's memory) would stay for good. Freed on another thread: for 1,000,000 jobs,
    // handing 280 MB back to the system held this one for 25 ms.
    if (m_snapshot.isEmpty() && m_snapshot.capacity() == 0)
        return;
    startInBackground([snapshot = std::exchange(m_snapshot, {})]() mutable {
        snapshot = {};
#ifdef __GLIBC__
        // The records came from the store's thread, and its allocator arena keeps what they held
        // once the rows are packed (100,000 jobs: 17 of its 20 MB free, in pieces between what
        // the store still holds; RSS 638 bytes a job instead of 468). Trimming gives those pages
        // back. Each arena is locked only while it is trimmed; the GUI thread's own arena holds
        // little free memory, so its allocations wait microseconds (all arenas: 1.3-3.5 ms for
        // 100,000 jobs, 17 ms for 1,000,000).
        malloc_trim(0);
#endif
    });
}

// The index of 1,000,000 jobs has 2.4 MB of buckets that reserve() writes at once: on this VM
// the page faults of that first touch held the GUI thread for 15 ms. A background thread makes
// it; the rows loaded meanwhile go into the small index, and move over when it comes.
void JobTableModel::reserveIndexInBackground(qsizetype size)
{
    m_indexPending = true;
    m_reservedSlot = std::make_shared<ReservedIndex>();
    QPromise<void> made;
    made.start();
    m_reservedIndex.setFuture(made.future());
    // A thread of its own, not the pool: ThreadSanitizer cannot see the order in which
    // QThreadPool gives a task to a thread that is still busy.
    std::thread([slot = m_reservedSlot, size, hook = m_indexMadeHook,
                    made = std::move(made)]() mutable {
        QHash<QUuid, int> index;
        index.reserve(size);
        {
            std::lock_guard lock(slot->mutex);
            slot->index = std::move(index);
            slot->made = true;
        }
        if (hook)
            hook();
        made.finish();
    }).detach();
}

void JobTableModel::adoptReservedIndex()
{
    if (!m_reservedSlot)
        return;
    QHash<QUuid, int> index;
    {
        std::lock_guard lock(m_reservedSlot->mutex);
        if (!m_reservedSlot->made)
            return;
        index = std::move(m_reservedSlot->index); // moved: not shared, no copy on insert
    }
    m_reservedSlot.reset();
    m_indexPending = false;
    // Late (the machine was busy), the small index has grown on its own by now: copying it over
    // would cost more than it saves. Freed elsewhere, as the snapshot is.
    if (!isLoading() || m_index.size() > kFirstSnapshotSlice + kMaxSnapshotSlice) {
        startInBackground([late = std::move(index)]() mutable { late = {}; });
        return;
    }
    for (auto it = m_index.cbegin(); it != m_index.cend(); ++it)
        index.insert(it.key(), it.value());
    m_index = std::move(index);
}

void JobTableModel::onApplyTimer()
{
    // Updates wait for the snapshot's rows; loading it schedules them when done.
    if (!isLoading())
        applyPending();
}

void JobTableModel::onChanged(const QList<JobRecord> &records)
{
    for (const JobRecord &record : records) {
        auto it = m_pendingChanges.find(record.id);
        if (it == m_pendingChanges.end())
            m_pendingChanges.insert(record.id, record);
        else if (record.rev > it->rev)
            *it = record;
    }
    schedule();
}

void JobTableModel::onRemoved(const QList<QUuid> &ids)
{
    for (const QUuid &id : ids) {
        m_pendingRemovals.insert(id);
        m_pendingChanges.remove(id);
        m_pendingProgress.remove(id);
    }
    schedule();
}

void JobTableModel::onProgress(const QList<JobProgress> &progress)
{
    for (const JobProgress &p : progress)
        m_pendingProgress.insert(p.id, p);
    schedule();
}

void JobTableModel::reindexFrom(int row)
{
    for (int i = row; i < m_rows.size(); ++i) {
        if (m_rows.at(i).group == 0)
            m_index.insert(m_rows.at(i).job.id(), i);
    }
}

void JobTableModel::applyPending()
{
    while (isLoading())
        loadSnapshotSlice();
    m_applyTimer.stop();
    Batch batch;
    sortChanges(batch);
    removeJobs(batch);
    insertJobs(std::exchange(batch.inserts, {}), batch);
    applyProgress(batch);
    combineGroups(batch);
    emitChanges(batch);
    if (!batch.touched.isEmpty())
        Q_EMIT rowsUpdated(batch.touched);
    // The counts first: a notice that a job is done finds it counted.
    Q_EMIT frameApplied();
    const auto finished = std::exchange(m_finishedNow, {});
    for (const auto &[record, name] : finished)
        Q_EMIT jobFinished(record, name);
}

// Changes in place are applied here; new jobs, removals and moves (a retried job has a new place
// at the back of the queue; a split job's part keeps its place in its row) are sorted out.
void JobTableModel::sortChanges(Batch &batch)
{
    for (auto it = m_pendingChanges.cbegin(); it != m_pendingChanges.cend(); ++it) {
        const JobRecord &record = it.value();
        batch.touched.insert(record.id);
        if (Row *member = memberRow(record.id)) {
            if (record.rev >= member->job.rev()) {
                if (isFinishedState(record.state) && !isFinishedState(member->job.state()))
                    batch.finishedGroups.insert(m_memberOf.value(record.id));
                updateRow(*member, record, false);
                batch.changed.insert(record.id);
                batch.groups.insert(m_memberOf.value(record.id));
            }
            continue;
        }
        const int row = m_index.value(record.id, -1);
        if (row < 0) {
            batch.inserts.append(record);
        } else if (m_rows.at(row).job.seq() != record.seq) {
            batch.removals.append(record.id);
            batch.inserts.append(record);
        } else if (record.rev >= m_rows.at(row).job.rev()) {
            updateRow(m_rows[row], record, true);
            batch.changed.insert(record.id);
        }
    }
    m_pendingChanges.clear();
    for (const QUuid &id : std::as_const(m_pendingRemovals))
        batch.removals.append(id);
    m_pendingRemovals.clear();
}

void JobTableModel::updateRow(Row &row, const JobRecord &record, bool own)
{
    noteStateChange(row.job.state(), record, own);
    JobRecord changed = record;
    // A job's params never change: the text it had serves the new record too.
    if (QByteArray paramsText = row.job.paramsText(); !paramsText.isEmpty()) {
        changed.paramsText = std::move(paramsText);
        changed.params = QJsonObject();
    }
    const QString *kind = noteKind(changed.kind);
    const QString rowTitle = row.job.output() == changed.output
        ? row.job.title()
        : (own ? title(changed) : memberTitle(changed));
    row.job = PackedRecord(changed, kind, rowTitle);
    if (changed.state != JobState::Running) {
        row.live.reset();
        m_byteRates.remove(changed.id);
    }
}

void JobTableModel::removeJobs(Batch &batch)
{
    QList<int> topRows;
    QHash<int, QList<QUuid>> fromGroups;
    for (const QUuid &id : std::as_const(batch.removals)) {
        if (const int key = m_memberOf.value(id))
            fromGroups[key].append(id);
        else if (const int row = m_index.value(id, -1); row >= 0)
            topRows.append(row);
    }
    for (auto it = fromGroups.cbegin(); it != fromGroups.cend(); ++it) {
        Group &group = m_groups[it.key()];
        if (it->size() >= group.members.size()) { // the whole split job goes: its row
            topRows.append(topRowOf(it.key()));
            continue;
        }
        for (const QUuid &id : *it)
            removeMember(it.key(), id);
        batch.groups.insert(it.key());
    }
    topRows.removeAll(-1);
    removeTopRows(std::move(topRows));
}

void JobTableModel::removeMember(int key, const QUuid &id)
{
    Group &group = m_groups[key];
    int child = 0;
    while (child < group.members.size() && group.members.at(child).job.id() != id)
        ++child;
    if (child == group.members.size())
        return;
    const bool shown = m_expanded.contains(key);
    const int row = rowOfTop(topRowOf(key)) + 1 + child;
    if (shown)
        beginRemoveRows(QModelIndex(), row, row);
    forgetJob(group.members.at(child).job);
    group.members.remove(child);
    m_expandedDirty = true;
    if (shown)
        endRemoveRows();
}

void JobTableModel::removeTopRows(QList<int> rows)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    if (rows.size() > kResetThreshold) {
        // "Clear finished" on a long queue: one reset instead of thousands of row removals.
        beginResetModel();
        QSet<int> gone(rows.begin(), rows.end());
        QList<int> goneGroups;
        QVector<Row> kept;
        kept.reserve(m_rows.size() - gone.size());
        for (int i = 0; i < m_rows.size(); ++i) {
            if (!gone.contains(i))
                kept.append(std::move(m_rows[i]));
            else
                goneGroups.append(forgetTopRow(m_rows.at(i)));
        }
        m_rows = std::move(kept);
        forgetGroups(goneGroups);
        m_index.clear();
        reindexFrom(0);
        endResetModel();
        return;
    }
    for (int top : std::as_const(rows)) {
        const int key = forgetTopRow(m_rows.at(top));
        const int first = rowOfTop(top);
        const int parts = m_expanded.contains(key) ? int(m_groups.value(key).members.size()) : 0;
        beginRemoveRows(QModelIndex(), first, first + parts);
        m_rows.remove(top);
        forgetGroups({ key });
        endRemoveRows();
    }
    reindexFrom(rows.last());
}

// Forgets the jobs a top-level row shows; returns its group's key (0: none) for forgetGroups.
int JobTableModel::forgetTopRow(const Row &row)
{
    if (row.group == 0) {
        forgetJob(row.job);
        m_index.remove(row.job.id());
        return 0;
    }
    if (const Group *group = findGroup(row.group)) {
        for (const Row &member : group->members)
            forgetJob(member.job);
    }
    return row.group;
}

void JobTableModel::forgetGroups(const QList<int> &keys)
{
    for (int key : keys) {
        if (key == 0)
            continue;
        if (const Group *group = findGroup(key))
            m_groupKeys.remove(group->name);
        m_groups.remove(key);
        m_expanded.remove(key);
    }
    m_expandedDirty = true;
}

void JobTableModel::forgetJob(const PackedRecord &job)
{
    m_counts.adjust(job.state(), -1);
    m_byteRates.remove(job.id());
    m_memberOf.remove(job.id());
}

// New jobs join their split job's row (made with the first of them) or get a row of their own.
void JobTableModel::insertJobs(QList<JobRecord> records, Batch &batch)
{
    QVector<Row> top;
    packJobs(std::move(records), batch, top);
    insertPacked(std::move(top));
}

// Packs new jobs into rows: a split job's part joins its group (the group's row is made with its
// first part), other jobs' rows are added to `top`, for insertPacked().
void JobTableModel::packJobs(QList<JobRecord> records, Batch &batch, QVector<Row> &top)
{
    if (records.isEmpty())
        return;
    // A snapshot comes in order (insertTopRows() appends a slice's rows after checking only the
    // first); only changes need sorting (a stable sort of records already in order still moves
    // every one of them).
    const auto bySeq = [](const JobRecord &a, const JobRecord &b) { return a.seq < b.seq; };
    if (!std::is_sorted(records.cbegin(), records.cend(), bySeq))
        std::stable_sort(records.begin(), records.end(), bySeq);
    for (JobRecord &record : records) {
        const QString *kind = noteKind(record.kind);
        const QString name = groupOf(record);
        noteStateChange(JobState::Invalid, record, batch.announce && name.isEmpty());
        const QString rowTitle = name.isEmpty() ? title(record) : memberTitle(record);
        Row row { PackedRecord(record, kind, rowTitle), {}, 0 };
        if (name.isEmpty()) {
            top.append(std::move(row));
            continue;
        }
        int &key = m_groupKeys[name];
        if (key == 0) {
            key = m_nextGroupKey++;
            Group &group = m_groups[key];
            group.name = name;
            group.seq = row.job.seq();
            JobRecord placeholder; // until combine() gives it its parts' record
            placeholder.seq = group.seq;
            top.append(Row { PackedRecord(placeholder, nullptr, {}), {}, key });
        }
        const int groupKey = key; // `key` may dangle once m_groupKeys grows
        Group &group = m_groups[groupKey];
        m_memberOf.insert(row.job.id(), groupKey);
        batch.groups.insert(groupKey);
        if (!group.shown) { // its row comes with this batch: nobody shows its children yet
            group.members.append(std::move(row));
            continue;
        }
        const auto at = std::upper_bound(group.members.cbegin(), group.members.cend(),
            row.job.seq(), [](qint64 seq, const Row &r) { return seq < r.job.seq(); });
        const int child = int(at - group.members.cbegin());
        const bool shown = m_expanded.contains(groupKey);
        const int place = rowOfTop(topRowOf(groupKey)) + 1 + child;
        if (shown)
            beginInsertRows(QModelIndex(), place, place);
        group.members.insert(child, std::move(row));
        m_expandedDirty = true;
        if (shown)
            endInsertRows();
    }
}

void JobTableModel::insertPacked(QVector<Row> top)
{
    // A split job's row shows its jobs combined from the start.
    for (Row &row : top) {
        if (row.group != 0) {
            Group &group = m_groups[row.group];
            combine(group, row);
            group.shown = true;
        }
    }
    insertTopRows(std::move(top));
}

void JobTableModel::insertTopRows(QVector<Row> rows)
{
    if (rows.isEmpty())
        return;
    const qint64 lastSeq = m_rows.isEmpty() ? 0 : m_rows.constLast().job.seq();
    if (rows.constFirst().job.seq() > lastSeq) {
        // The usual case: new jobs join the back of the queue.
        const int first = int(m_rows.size());
        const int shownFirst = rowCount();
        beginInsertRows(QModelIndex(), shownFirst, shownFirst + int(rows.size()) - 1);
        for (Row &row : rows)
            m_rows.append(std::move(row));
        reindexFrom(first);
        m_expandedDirty = true;
        endInsertRows();
        return;
    }
    int lowest = int(m_rows.size());
    for (Row &row : rows) {
        const auto at = std::lower_bound(m_rows.begin(), m_rows.end(), row.job.seq(),
            [](const Row &r, qint64 seq) { return r.job.seq() < seq; });
        const int place = int(at - m_rows.begin());
        const int shown = rowOfTop(place);
        beginInsertRows(QModelIndex(), shown, shown);
        m_rows.insert(place, std::move(row));
        m_expandedDirty = true;
        endInsertRows();
        lowest = qMin(lowest, place);
    }
    reindexFrom(lowest);
}

void JobTableModel::applyProgress(Batch &batch)
{
    for (auto it = m_pendingProgress.cbegin(); it != m_pendingProgress.cend(); ++it) {
        const int key = m_memberOf.value(it.key());
        Row *row = key ? memberRow(it.key()) : nullptr;
        if (const int top = key ? -1 : topOf(it.key()); top >= 0)
            row = &m_rows[top];
        if (!row || row->job.state() != JobState::Running)
            continue;
        row->live = std::make_shared<const JobProgress>(it.value());
        if (it->progress.unit == units::Bytes)
            m_byteRates.insert(it.key(), qMax(0.0, it->ratePerSecond));
        batch.progressed.insert(it.key());
        batch.touched.insert(it.key());
        if (key)
            batch.groups.insert(key);
    }
    m_pendingProgress.clear();
}

void JobTableModel::combineGroups(const Batch &batch)
{
    for (int key : batch.groups) {
        const auto group = m_groups.find(key);
        const int top = topRowOf(key);
        if (group == m_groups.end() || top < 0 || group->members.isEmpty())
            continue;
        Row &row = m_rows[top];
        const JobState before = row.job.state();
        combine(*group, row);
        // Only for a part that finished now, not for one that went (a done render whose stuck
        // delivery the user removed is no news).
        if (batch.announce && batch.finishedGroups.contains(key) && isFinishedState(row.job.state())
            && !isFinishedState(before))
            m_finishedNow.append({ row.job.unpack(), row.job.title() });
    }
}

void JobTableModel::emitChanges(const Batch &batch)
{
    QList<int> whole, progress;
    for (const QUuid &id : batch.changed) {
        if (const QModelIndex at = indexOf(id); at.isValid())
            whole.append(at.row());
    }
    for (const QUuid &id : batch.progressed) {
        const QModelIndex at = indexOf(id);
        if (at.isValid() && !batch.changed.contains(id))
            progress.append(at.row());
    }
    // A split job's row, and its parts: sorted by a column, they go where their row goes.
    for (int key : batch.groups) {
        const int top = topRowOf(key);
        if (top < 0)
            continue;
        const int row = rowOfTop(top);
        const int parts = m_expanded.contains(key) ? int(m_groups.value(key).members.size()) : 0;
        for (int i = 0; i <= parts; ++i)
            whole.append(row + i);
    }
    emitRanges(whole, 0, ColumnCount - 1);
    emitRanges(progress, ProgressColumn, EtaColumn);
}

void JobTableModel::noteStateChange(JobState before, const JobRecord &after, bool own)
{
    m_counts.adjust(before, -1);
    m_counts.adjust(after.state, 1);
    if (own && isFinishedState(after.state) && !isFinishedState(before))
        m_finishedNow.append({ after, title(after) });
}

// A part's progress as the row counts it: what it reported, or before it reported anything
// what its kind plans (a part that waits counts as not done, not as unknown).
static Progress countedProgress(const JobKind *kind, const Progress &reported, const JobRecord &r,
    const std::function<QJsonObject()> &params)
{
    if (!reported.unit.isEmpty() || !kind || !kind->plannedProgress)
        return reported;
    Progress planned = kind->plannedProgress(params());
    if (r.state == JobState::Succeeded)
        planned.done = planned.total;
    return planned;
}

// A split job's row: running while any of its jobs runs, then waiting, paused, failed,
// canceled or done in that order; its progress counts the jobs whose unit is the first job's (a
// render's delivery counts parts, not samples).
void JobTableModel::combine(Group &group, Row &row) const
{
    QList<JobRecord> records;
    for (const Row &member : std::as_const(group.members))
        records.append(member.job.unpack());
    const JobRecord &first = records.constFirst();
    const JobKind *kind = m_registry->find(first.kind);
    QList<Progress> progress;
    for (qsizetype i = 0; i < records.size(); ++i) {
        const Row &member = group.members.at(i);
        const JobRecord &r = records.at(i);
        progress.append(countedProgress(kind, member.live ? member.live->progress : r.progress, r,
            [&] { return paramsOf(r); }));
    }
    const QString unit = progress.constFirst().unit;
    JobRecord combined;
    combined.id = first.id;
    combined.kind = first.kind;
    combined.params = paramsOf(first);
    combined.seq = group.seq;
    combined.maxAttempts = first.maxAttempts;
    combined.enqueuedAtMs = first.enqueuedAtMs;
    combined.progress = Progress { 0, 0, unit };
    QSet<JobState> states;
    QSet<QString> hosts; // where its parts run: "Running on render-02" when on one machine
    double fractions = 0, rate = 0;
    int parts = 0, waiting = 0;
    for (int i = 0; i < group.members.size(); ++i) {
        const Row &member = group.members.at(i);
        const JobRecord &r = records.at(i);
        states.insert(r.state);
        combined.attempts = qMax(combined.attempts, r.attempts);
        combined.enqueuedAtMs = qMin(combined.enqueuedAtMs, r.enqueuedAtMs);
        if (r.startedAtMs > 0
            && (combined.startedAtMs == 0 || r.startedAtMs < combined.startedAtMs))
            combined.startedAtMs = r.startedAtMs;
        combined.finishedAtMs = qMax(combined.finishedAtMs, r.finishedAtMs);
        if (combined.output.isEmpty())
            combined.output = r.output;
        if (r.state == JobState::Failed && combined.error.isEmpty())
            combined.error = r.error;
        if (r.state == JobState::Running && r.control != JobControl::None)
            combined.control = r.control;
        if (r.state == JobState::Running) {
            hosts.insert(runneridentity::hostOf(r.leaseOwner));
            if (combined.leaseOwner.isEmpty())
                combined.leaseOwner = r.leaseOwner;
        }
        const Progress &p = progress.at(i);
        if (p.unit != unit)
            continue;
        ++parts;
        const bool done = r.state == JobState::Succeeded;
        fractions += done ? 1.0 : p.fraction();
        if (!p.totalKnown())
            combined.progress.total = -1;
        else if (combined.progress.totalKnown())
            combined.progress.total += p.total;
        combined.progress.done += done && p.totalKnown() ? p.total : p.done;
        waiting += r.state != JobState::Running && !done;
        if (member.live && member.live->ratePerSecond > 0)
            rate += member.live->ratePerSecond;
    }
    for (const JobState state : { JobState::Running, JobState::Queued, JobState::Paused,
             JobState::Failed, JobState::Canceled, JobState::Succeeded }) {
        if (states.contains(state)) {
            combined.state = state;
            break;
        }
    }
    if (!isFinishedState(combined.state))
        combined.finishedAtMs = 0;
    if (hosts.size() != 1)
        combined.leaseOwner.clear();
    const Progress &total = combined.progress;
    group.fraction = total.totalKnown() && total.total > 0 ? total.fraction()
        : parts > 0                                        ? fractions / parts
                                                           : -1;
    row.live.reset();
    if (rate > 0 && combined.state == JobState::Running) {
        JobProgress live { combined.id, total, rate, -1, 0 };
        // Known only while every part still to do runs: a waiting part starts when it can.
        if (waiting == 0 && total.totalKnown())
            live.etaMs = ProgressRate::etaFromRate(double(total.total - total.done), rate);
        row.live = std::make_shared<const JobProgress>(std::move(live));
    }
    const QString rowTitle =
        kind && kind->groupTitle ? kind->groupTitle(combined.params) : title(first);
    row.job = PackedRecord(combined, group.members.constFirst().job.sharedKind(), rowTitle);
}

double JobTableModel::bytesPerSecond() const
{
    double sum = 0;
    for (const double rate : m_byteRates)
        sum += rate;
    return sum;
}

// One dataChanged per run of adjacent rows.
void JobTableModel::emitRanges(QList<int> rows, int firstColumn, int lastColumn)
{
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    int start = rows.first();
    int previous = start;
    for (qsizetype i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows.at(i) <= previous + 1) {
            previous = rows.at(i);
            continue;
        }
        Q_EMIT dataChanged(index(start, firstColumn), index(previous, lastColumn));
        if (i < rows.size())
            start = previous = rows.at(i);
    }
}

QVariant JobTableModel::display(const Row &row, int column) const
{
    const PackedRecord &r = row.job;
    const auto progressOf = [&] { return row.live ? row.live->progress : r.progress(); };
    switch (column) {
    case NameColumn:
        return r.title();
    case KindColumn:
        return r.kind();
    case StateColumn:
        return stateText(r.unpack());
    case ProgressColumn: {
        if (r.state() == JobState::Succeeded)
            return QStringLiteral("100%");
        const double fraction = fractionOf(row);
        return fraction < 0 ? QString() : QStringLiteral("%1%").arg(int(fraction * 100.0));
    }
    case AmountColumn: {
        const Progress progress = progressOf();
        if (progress.done <= 0 && !progress.totalKnown())
            return QString();
        if (!progress.totalKnown())
            return format::amount(progress.done, progress.unit);
        if (progress.unit != units::Bytes && progress.unit != units::Milliseconds)
            return tr("%1 of %2 %3") // the unit once: "15.0 M of 1.06 G samples"
                .arg(format::count(double(progress.done)), format::count(double(progress.total)),
                    progress.unit);
        return tr("%1 of %2")
            .arg(format::amount(progress.done, progress.unit),
                format::amount(progress.total, progress.unit));
    }
    case SpeedColumn:
        return row.live ? format::rate(row.live->ratePerSecond, row.live->progress.unit)
                        : QString();
    case EtaColumn:
        return row.live
            ? format::eta(row.live->etaMs, row.live->progress.totalKnown(), row.live->ratePerSecond)
            : QString();
    case AttemptsColumn:
        return QStringLiteral("%1/%2").arg(attemptShown(row)).arg(r.maxAttempts());
    case EnqueuedColumn:
        return format::timestamp(r.enqueuedAtMs());
    case StartedColumn:
        return format::timestamp(r.startedAtMs());
    case FinishedColumn:
        return format::timestamp(r.finishedAtMs());
    default:
        return QVariant();
    }
}

QVariant JobTableModel::sortValue(const Row &row, int column) const
{
    const PackedRecord &r = row.job;
    switch (column) {
    case NameColumn:
        return r.title().toLower();
    case KindColumn:
        return r.kind();
    case StateColumn:
        return int(r.state());
    case ProgressColumn:
        return r.state() == JobState::Succeeded ? 1.0 : fractionOf(row);
    case AmountColumn:
        return row.live ? row.live->progress.done : r.progressDone();
    case SpeedColumn:
        return row.live ? row.live->ratePerSecond : -1.0;
    case EtaColumn:
        return row.live ? row.live->etaMs : qint64(-1);
    case AttemptsColumn:
        return attemptShown(row);
    case EnqueuedColumn:
        return r.enqueuedAtMs();
    case StartedColumn:
        return r.startedAtMs();
    case FinishedColumn:
        return r.finishedAtMs();
    default:
        return r.seq();
    }
}

// attemptShown() of the row's record, without unpacking it.
int JobTableModel::attemptShown(const Row &row)
{
    JobRecord counts;
    counts.state = row.job.state();
    counts.attempts = row.job.attempts();
    counts.maxAttempts = row.job.maxAttempts();
    return spool::attemptShown(counts);
}

QVariant JobTableModel::data(const QModelIndex &index, int role) const
{
    const Row *found = rowAt(index);
    if (!found)
        return QVariant();
    const Row &row = *found;
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && row.job.hasError())
            return row.job.error();
        if (index.column() == NameColumn) {
            const QString output = row.job.output();
            return output.isEmpty() ? row.job.title() : output;
        }
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() >= AmountColumn && index.column() <= AttemptsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant();
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && row.job.state() == JobState::Failed)
            return problemColor(); // readable on dark palettes too, unlike Qt::darkRed
        return QVariant();
    case IdRole:
        return row.job.id();
    case ExpandedRole:
        return row.group == 0 ? QVariant() : QVariant(m_expanded.contains(row.group));
    case PartRole:
        return placeOf(index.row()).child >= 0;
    case MembersRole: {
        if (row.group == 0)
            return QVariant::fromValue(QList<QUuid> { row.job.id() });
        QList<QUuid> ids;
        if (const Group *group = findGroup(row.group)) {
            for (const Row &member : group->members)
                ids.append(member.job.id());
        }
        return QVariant::fromValue(ids);
    }
    case StateRole:
        return int(row.job.state());
    case KindRole:
        return row.job.kind();
    case OutputRole:
        return row.job.output();
    case FractionRole:
        return row.job.state() == JobState::Succeeded ? 1.0 : fractionOf(row);
    case SortRole:
        return sortValue(row, index.column());
    default:
        return QVariant();
    }
}

// 0..1, or -1 when not known; a split job's row: the mean of its parts'.
double JobTableModel::fractionOf(const Row &row) const
{
    if (row.group != 0) {
        const Group *group = findGroup(row.group);
        return group ? group->fraction : -1.0;
    }
    if (row.live)
        return row.live->progress.totalKnown() ? row.live->progress.fraction() : -1.0;
    const Progress progress { row.job.progressDone(), row.job.progressTotal(), {} };
    return progress.totalKnown() ? progress.fraction() : -1.0;
}

// A job running on another machine of a shared queue says where.
QString JobTableModel::stateText(const JobRecord &record) const
{
    const QString state = format::stateText(record);
    if (record.state != JobState::Running || record.leaseOwner.isEmpty())
        return state;
    const QString host = runneridentity::hostOf(record.leaseOwner);
    //: A job's state and the machine it runs on: "Running on render-01"
    return host.isEmpty() || host == runneridentity::hostName() ? state
                                                                : tr("%1 on %2").arg(state, host);
}

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    case AmountColumn:
        return tr("Done");
    case SpeedColumn:
        return tr("Speed");
    case EtaColumn:
        return tr("ETA");
    case AttemptsColumn:
        return tr("Attempt");
    case EnqueuedColumn:
        return tr("Queued at");
    case StartedColumn:
        return tr("Started");
    case FinishedColumn:
        return tr("Finished");
    default:
        return QVariant();
    }
}

} // namespace spool::app
