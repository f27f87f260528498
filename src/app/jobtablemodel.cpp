#include "jobtablemodel.h"

#include <algorithm>
#include <numeric>

#include <QColor>
#include <QFileInfo>

#include "format.h"
#include "problemline.h"

namespace spool::app {

namespace {
constexpr int kFrameMs = 33; // ~30 updates a second
constexpr int kResetThreshold = 500; // removing more rows than this at once: rebuild instead
constexpr int kSnapshotChunk = 2048; // rows per event-loop turn: a few milliseconds
constexpr int kFirstSnapshotChunk = 256;
} // namespace

JobTableModel::JobTableModel(std::shared_ptr<const JobKindRegistry> registry, QObject *parent)
    : QAbstractTableModel(parent)
    , m_registry(std::move(registry))
{
    m_applyTimer.setSingleShot(true);
    m_applyTimer.setInterval(kFrameMs);
    connect(&m_applyTimer, &QTimer::timeout, this, &JobTableModel::onApplyTimer);
    m_loadTimer.setSingleShot(true);
    m_loadTimer.setInterval(0);
    connect(&m_loadTimer, &QTimer::timeout, this, &JobTableModel::loadSnapshotChunk);
}

void JobTableModel::setQueue(JobQueue *queue)
{
    for (const auto &c : std::as_const(m_connections))
        disconnect(c);
    m_connections.clear();
    m_queue = queue;
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

int JobTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int JobTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const JobRecord *JobTableModel::record(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows.at(row).record : nullptr;
}

int JobTableModel::rowOf(const QUuid &id) const
{
    return m_index.value(id, -1);
}

const JobRecord *JobTableModel::recordById(const QUuid &id) const
{
    return record(rowOf(id));
}

const JobProgress *JobTableModel::liveProgress(const QUuid &id) const
{
    const int row = rowOf(id);
    if (row < 0 || !m_rows.at(row).hasLive)
        return nullptr;
    return &m_rows.at(row).live;
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
    QString title = kind && kind->title ? kind->title(record.params) : QString();
    return title.isEmpty() ? record.kind + QLatin1Char(' ') + idString(record.id).left(8) : title;
}

QString JobTableModel::groupOf(const JobRecord &record) const
{
    const JobKind *kind = m_registry->find(record.kind);
    return kind && !kind->groupParam.isEmpty() ? record.params.value(kind->groupParam).toString()
                                               : QString();
}

QList<QUuid> JobTableModel::groupMembers(const QString &group) const
{
    const auto it = m_groups.constFind(group);
    return it == m_groups.cend() ? QList<QUuid>() : it->values();
}

void JobTableModel::noteGroup(const JobRecord &record, bool member)
{
    const QString group = groupOf(record);
    if (group.isEmpty())
        return;
    if (member) {
        m_groups[group].insert(record.id);
        return;
    }
    const auto it = m_groups.find(group);
    if (it == m_groups.end())
        return;
    it->remove(record.id);
    if (it->isEmpty())
        m_groups.erase(it);
}

void JobTableModel::noteKind(const QString &kind)
{
    if (m_kinds.contains(kind))
        return;
    m_kinds.append(kind);
    std::sort(m_kinds.begin(), m_kinds.end());
    Q_EMIT kindsChanged();
}

void JobTableModel::schedule()
{
    if (!m_applyTimer.isActive())
        m_applyTimer.start();
}

void JobTableModel::onSnapshot(const QList<JobRecord> &records)
{
    beginResetModel();
    m_rows.clear();
    m_groups.clear();
    m_counts = {};
    m_byteRates.clear();
    m_rows.reserve(records.size());
    m_index.clear();
    m_index.reserve(records.size());
    // Changes that arrived before the snapshot are in it; later ones stay pending until it is
    // loaded, and a record's rev tells which version is newer.
    m_pendingChanges.clear();
    m_pendingRemovals.clear();
    m_pendingProgress.clear();
    m_snapshot = records; // shared, not copied
    m_snapshotOrder.resize(records.size());
    std::iota(m_snapshotOrder.begin(), m_snapshotOrder.end(), 0);
    std::stable_sort(m_snapshotOrder.begin(), m_snapshotOrder.end(),
        [&records](int a, int b) { return records.at(a).seq < records.at(b).seq; });
    m_snapshotNext = 0;
    endResetModel();
    if (records.isEmpty())
        Q_EMIT frameApplied(); // an empty queue is loaded at once
    loadSnapshotChunk(); // the first rows at once
}

void JobTableModel::loadSnapshotChunk()
{
    if (m_snapshot.isEmpty())
        return;
    // The first slice only fills the screen: it is copied, the rest is moved (see below).
    const int chunk = m_snapshotNext == 0 ? kFirstSnapshotChunk : kSnapshotChunk;
    const int end = qMin(int(m_snapshot.size()), m_snapshotNext + chunk);
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + (end - m_snapshotNext) - 1);
    // Once the queue's copy is gone the records are ours alone: move them instead of copying,
    // and nothing is left to free all at once at the end.
    const bool own = m_snapshot.isDetached();
    for (int i = m_snapshotNext; i < end; ++i) {
        const int at = m_snapshotOrder.at(i);
        const JobRecord &record = m_snapshot.at(at);
        noteKind(record.kind);
        noteGroup(record, true);
        m_counts.adjust(record.state, 1);
        m_index.insert(record.id, int(m_rows.size()));
        QString name = title(record);
        m_rows.append(Row { own ? std::move(m_snapshot[at]) : record, std::move(name), {}, false });
    }
    m_snapshotNext = end;
    endInsertRows();
    if (m_snapshotNext < m_snapshot.size()) {
        m_loadTimer.start();
        return;
    }
    m_snapshot.clear();
    m_snapshotOrder.clear();
    m_snapshotNext = 0;
    if (!m_pendingChanges.isEmpty() || !m_pendingRemovals.isEmpty() || !m_pendingProgress.isEmpty())
        schedule();
    Q_EMIT frameApplied();
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
    for (int i = row; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).record.id, i);
}

void JobTableModel::applyPending()
{
    while (isLoading())
        loadSnapshotChunk();
    m_applyTimer.stop();
    QSet<QUuid> touched;

    // Removals (and moves: a retried job has a new place at the back of the queue).
    QList<int> removeRows;
    for (const QUuid &id : std::as_const(m_pendingRemovals)) {
        if (const int row = rowOf(id); row >= 0)
            removeRows.append(row);
    }
    QList<JobRecord> inserts;
    QList<int> changedRows;
    for (auto it = m_pendingChanges.cbegin(); it != m_pendingChanges.cend(); ++it) {
        const int row = rowOf(it.key());
        touched.insert(it.key());
        if (row < 0) {
            inserts.append(it.value());
        } else if (m_rows.at(row).record.seq != it->seq) {
            removeRows.append(row);
            inserts.append(it.value());
        } else if (it->rev >= m_rows.at(row).record.rev) {
            Row &r = m_rows[row];
            const bool outputChanged = r.record.output != it->output;
            noteStateChange(r.record.state, it.value());
            r.record = it.value();
            if (outputChanged)
                r.title = title(r.record);
            if (r.record.state != JobState::Running) {
                r.hasLive = false;
                m_byteRates.remove(r.record.id);
            }
            changedRows.append(row);
        }
    }
    m_pendingChanges.clear();
    m_pendingRemovals.clear();
    std::sort(removeRows.begin(), removeRows.end(), std::greater<int>());
    removeRows.erase(std::unique(removeRows.begin(), removeRows.end()), removeRows.end());
    for (int row : std::as_const(removeRows)) {
        m_counts.adjust(m_rows.at(row).record.state, -1);
        m_byteRates.remove(m_rows.at(row).record.id);
        noteGroup(m_rows.at(row).record, false);
    }

    if (removeRows.size() > kResetThreshold) {
        // "Clear finished" on a long queue: one reset instead of thousands of row removals.
        beginResetModel();
        QSet<int> gone(removeRows.begin(), removeRows.end());
        QVector<Row> kept;
        kept.reserve(m_rows.size() - gone.size());
        for (int i = 0; i < m_rows.size(); ++i) {
            if (!gone.contains(i))
                kept.append(std::move(m_rows[i]));
        }
        m_rows = std::move(kept);
        m_index.clear();
        reindexFrom(0);
        endResetModel();
        changedRows.clear(); // all rows were reset anyway
    } else if (!removeRows.isEmpty()) {
        for (int row : std::as_const(removeRows)) {
            beginRemoveRows(QModelIndex(), row, row);
            m_index.remove(m_rows.at(row).record.id);
            m_rows.remove(row);
            endRemoveRows();
        }
        reindexFrom(removeRows.last());
        // Rows after a removal moved up: look the changed ones up again.
        changedRows.clear();
        for (const QUuid &id : std::as_const(touched)) {
            if (const int row = rowOf(id); row >= 0)
                changedRows.append(row);
        }
    }

    for (const JobRecord &record : std::as_const(inserts)) {
        noteStateChange(JobState::Invalid, record);
        noteGroup(record, true);
    }
    if (!inserts.isEmpty()) {
        std::sort(inserts.begin(), inserts.end(),
            [](const JobRecord &a, const JobRecord &b) { return a.seq < b.seq; });
        const qint64 lastSeq = m_rows.isEmpty() ? 0 : m_rows.constLast().record.seq;
        if (inserts.constFirst().seq > lastSeq) {
            // The usual case: new jobs join the back of the queue.
            const int first = int(m_rows.size());
            beginInsertRows(QModelIndex(), first, first + int(inserts.size()) - 1);
            for (const JobRecord &record : std::as_const(inserts)) {
                noteKind(record.kind);
                m_rows.append(Row { record, title(record), {}, false });
            }
            reindexFrom(first);
            endInsertRows();
        } else {
            int lowest = int(m_rows.size());
            for (const JobRecord &record : std::as_const(inserts)) {
                noteKind(record.kind);
                const auto at = std::lower_bound(m_rows.begin(), m_rows.end(), record.seq,
                    [](const Row &r, qint64 seq) { return r.record.seq < seq; });
                const int row = int(at - m_rows.begin());
                beginInsertRows(QModelIndex(), row, row);
                m_rows.insert(row, Row { record, title(record), {}, false });
                endInsertRows();
                lowest = qMin(lowest, row);
            }
            reindexFrom(lowest);
        }
    }

    QList<int> progressRows;
    for (auto it = m_pendingProgress.cbegin(); it != m_pendingProgress.cend(); ++it) {
        const int row = rowOf(it.key());
        if (row < 0 || m_rows.at(row).record.state != JobState::Running)
            continue;
        m_rows[row].live = it.value();
        m_rows[row].hasLive = true;
        if (it->progress.unit == units::Bytes)
            m_byteRates.insert(it.key(), qMax(0.0, it->ratePerSecond));
        progressRows.append(row);
        touched.insert(it.key());
    }
    m_pendingProgress.clear();

    emitRanges(changedRows, 0, ColumnCount - 1);
    emitRanges(progressRows, ProgressColumn, EtaColumn);
    if (!touched.isEmpty())
        Q_EMIT rowsUpdated(touched);
    // The counts first: a notice that a job is done finds it counted.
    Q_EMIT frameApplied();
    const QList<JobRecord> finished = std::exchange(m_finishedNow, {});
    for (const JobRecord &record : finished)
        Q_EMIT jobFinished(record);
}

void JobTableModel::noteStateChange(JobState before, const JobRecord &after)
{
    m_counts.adjust(before, -1);
    m_counts.adjust(after.state, 1);
    if (isFinishedState(after.state) && !isFinishedState(before))
        m_finishedNow.append(after);
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
    const JobRecord &r = row.record;
    const Progress progress = row.hasLive ? row.live.progress : r.progress;
    switch (column) {
    case NameColumn:
        return row.title;
    case KindColumn:
        return r.kind;
    case StateColumn:
        return format::stateText(r);
    case ProgressColumn: {
        if (r.state == JobState::Succeeded)
            return QStringLiteral("100%");
        if (!progress.totalKnown())
            return QString();
        return QStringLiteral("%1%").arg(int(progress.fraction() * 100.0));
    }
    case AmountColumn:
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
    case SpeedColumn:
        return row.hasLive ? format::rate(row.live.ratePerSecond, progress.unit) : QString();
    case EtaColumn:
        return row.hasLive
            ? format::eta(row.live.etaMs, progress.totalKnown(), row.live.ratePerSecond)
            : QString();
    case AttemptsColumn:
        return QStringLiteral("%1/%2").arg(attemptShown(r)).arg(r.maxAttempts);
    case EnqueuedColumn:
        return format::timestamp(r.enqueuedAtMs);
    case StartedColumn:
        return format::timestamp(r.startedAtMs);
    case FinishedColumn:
        return format::timestamp(r.finishedAtMs);
    default:
        return QVariant();
    }
}

QVariant JobTableModel::sortValue(const Row &row, int column) const
{
    const JobRecord &r = row.record;
    switch (column) {
    case NameColumn:
        return row.title.toLower();
    case KindColumn:
        return r.kind;
    case StateColumn:
        return int(r.state);
    case ProgressColumn:
        return r.state == JobState::Succeeded
            ? 1.0
            : (row.hasLive ? row.live.progress : r.progress).fraction();
    case AmountColumn:
        return (row.hasLive ? row.live.progress : r.progress).done;
    case SpeedColumn:
        return row.hasLive ? row.live.ratePerSecond : -1.0;
    case EtaColumn:
        return row.hasLive ? row.live.etaMs : qint64(-1);
    case AttemptsColumn:
        return attemptShown(r);
    case EnqueuedColumn:
        return r.enqueuedAtMs;
    case StartedColumn:
        return r.startedAtMs;
    case FinishedColumn:
        return r.finishedAtMs;
    default:
        return r.seq;
    }
}

QVariant JobTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(row, index.column());
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && !row.record.error.isEmpty())
            return row.record.error;
        if (index.column() == NameColumn)
            return row.record.output.isEmpty() ? row.title : row.record.output;
        return QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() >= AmountColumn && index.column() <= AttemptsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant();
    case Qt::ForegroundRole:
        if (index.column() == StateColumn && row.record.state == JobState::Failed)
            return problemColor(); // readable on dark palettes too, unlike Qt::darkRed
        return QVariant();
    case IdRole:
        return row.record.id;
    case StateRole:
        return int(row.record.state);
    case KindRole:
        return row.record.kind;
    case FractionRole: {
        if (row.record.state == JobState::Succeeded)
            return 1.0;
        const Progress progress = row.hasLive ? row.live.progress : row.record.progress;
        return progress.totalKnown() ? progress.fraction() : -1.0;
    }
    case SortRole:
        return sortValue(row, index.column());
    default:
        return QVariant();
    }
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
