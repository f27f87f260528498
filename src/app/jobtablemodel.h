#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <QAbstractItemModel>
#include <QFutureWatcher>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QVector>

#include "job/jobkindregistry.h"
#include "packedrecord.h"
#include "queue/jobqueue.h"

namespace spool::app {

// The queue as a table, one row per job in FIFO order; the jobs of a split job (a render in
// parts, with its delivery: JobKind::groupParam) share one row with their combined state and
// progress, at the place of the first of them, which opens into a row per part right under it.
// A table, not a tree: a tree view lays out every row again for each insertion, 0.4 s a time
// with 1,000,000 jobs. Updates from the queue are collected and applied about 30 times a second,
// as row ranges: 100,000 jobs and thousands of progress reports a second cost the view a few
// range updates per frame.
class JobTableModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column {
        NameColumn = 0,
        KindColumn,
        StateColumn,
        ProgressColumn,
        AmountColumn,
        SpeedColumn,
        EtaColumn,
        AttemptsColumn,
        EnqueuedColumn,
        StartedColumn,
        FinishedColumn,
        ColumnCount
    };
    enum Role {
        IdRole = Qt::UserRole + 1, // a split job's row: its first job (the details show it)
        StateRole, // int(JobState)
        KindRole,
        FractionRole, // 0..1, or -1 when unknown
        SortRole, // the raw value of a column, for sorting
        MembersRole, // QList<QUuid>: the jobs a row stands for (a split job's row: all of them)
        ExpandedRole, // a split job's row: whether its parts show under it; else invalid
        PartRole, // true for a part's row under its split job's row
        OutputRole, // its output (a file's path), if any
    };
    // Where a row of the table is: a top-level row (child -1), or a part of one.
    struct Place
    {
        int top = -1;
        int child = -1;
    };

    JobTableModel(std::shared_ptr<const JobKindRegistry> registry, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(JobTableModel)

    // Follows `queue` (and asks it for everything it has). Switching queues starts over.
    void setQueue(JobQueue *queue);
    // Monotonic nanoseconds that end the slices a snapshot loads in; tests give their own.
    void setLoadClock(std::function<qint64()> clock);

    QModelIndex index(
        int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A row's record: a job's, or a split job's combined one (with the id of its first job).
    // Rows keep their records packed: each call unpacks one.
    std::optional<JobRecord> record(int row) const;
    std::optional<JobRecord> record(const QModelIndex &index) const;
    // Any job's record, a split job's part too.
    std::optional<JobRecord> recordById(const QUuid &id) const;
    // What the actions ask of every selected job, without unpacking its record.
    struct Status
    {
        JobState state = JobState::Invalid;
        JobControl control = JobControl::None;
    };
    std::optional<Status> statusById(const QUuid &id) const;
    // The row of a job, or of its split job.
    int rowOf(const QUuid &id) const;
    // The row of a job: a part's own row while its split job is open, else its split job's.
    QModelIndex indexOf(const QUuid &id, int column = 0) const;
    Place placeOf(int row) const;
    // The row a top-level row is shown at (below the open split jobs' parts above it).
    int rowOfTop(int top) const;
    // A split job's row: whether its parts show under it; opening and closing it.
    bool isExpanded(int row) const;
    void setExpanded(int row, bool expanded);
    // A split job's row: its parts' records (shown under it or not); else none.
    QList<JobRecord> partsOf(int row) const;
    // The rows that are finished, each with its state and its jobs: a split job's parts once
    // it is done as a whole (one row, as the user counts it).
    struct FinishedRow
    {
        JobState state;
        QList<QUuid> ids;
    };
    QList<FinishedRow> finishedRows() const;
    // Every job's record (the parts of split jobs too), in no particular order; each unpacked.
    QList<JobRecord> jobs() const;
    // The latest coalesced progress report of a running job (speed, ETA), if any.
    const JobProgress *liveProgress(const QUuid &id) const;
    QString title(const JobRecord &record) const;
    // A part's name under its split job's row.
    QString memberTitle(const JobRecord &record) const;
    // The split job (JobKind::groupParam) a job is part of; empty when none.
    QString groupOf(const JobRecord &record) const;
    // A job's params: the rows keep them as text (JobRecord::paramsText; a parsed object costs
    // about 500 bytes for a download's two, its text about 130).
    static QJsonObject paramsOf(const JobRecord &record);
    // Every job of that split job in the table.
    QList<QUuid> groupMembers(const QString &group) const;
    // Every kind seen so far, for the filter.
    QStringList kinds() const;
    // Applies what has arrived now instead of at the next frame (tests), after the rest of a
    // snapshot being loaded.
    void applyPending();
    // True while a snapshot is still being taken into the table.
    bool isLoading() const { return !m_snapshot.isEmpty(); }
    // For tests: runs on the thread that makes the index's room for a snapshot, once it is made
    // and before the model is told.
    void setIndexMadeHook(std::function<void()> hook) { m_indexMadeHook = std::move(hook); }
    // The room a background thread makes in the index for a snapshot has been taken in.
    bool indexReady() const { return !m_indexPending; }
    // False until the queue's first snapshot came: an empty table does not yet mean no jobs.
    bool hasSnapshot() const { return m_hasSnapshot; }
    // The jobs per state and the download speed of the rows as they are now: the status bar
    // reads these, so that it never disagrees with the table.
    const QueueCounts &counts() const { return m_counts; }
    double bytesPerSecond() const;

Q_SIGNALS:
    void kindsChanged();
    // After a batch was applied: the jobs that changed (for the details panel).
    void rowsUpdated(const QSet<QUuid> &ids);
    // After every batch once the snapshot is in: counts() and bytesPerSecond() are current.
    void frameApplied();
    // A row became finished in this batch (emitted after the row and frameApplied show it): a
    // job, or a split job once all of its jobs are (its combined record, once).
    void jobFinished(const spool::JobRecord &record, const QString &title);

private:
    struct Row
    {
        PackedRecord job; // with its title
        // Its latest progress report while it runs, and none otherwise: most rows are finished,
        // and a report inline would cost every row as much as a record's strings.
        std::shared_ptr<const JobProgress> live;
        int group = 0; // a split job's row: the key of its Group; 0: a job's own row
    };
    // The jobs of a split job, in FIFO order at the time each arrived; their row's record is
    // combined from theirs (its seq stays the first job's: the row keeps its place).
    struct Group
    {
        QString name;
        QVector<Row> members;
        qint64 seq = 0; // its row's place: the seq of the first job it had
        bool shown = false; // its row is in the table
        double fraction = -1; // its row's progress: the mean of its parts'
    };
    // A batch's changes, sorted out by where they go.
    struct Batch
    {
        QList<JobRecord> inserts;
        QList<QUuid> removals;
        QSet<QUuid> changed; // every column
        QSet<QUuid> progressed; // the progress columns
        QSet<int> groups; // whose combined row must be worked out again
        QSet<int> finishedGroups; // of which a part finished in it
        QSet<QUuid> touched;
        bool announce = true; // jobFinished for what finishes in it
    };

    void onSnapshot(const QList<JobRecord> &records);
    void loadSnapshotSlice();
    void insertPackedSlice();
    QList<JobRecord> takeSnapshotRows(int rows);
    void releaseSnapshot();
    void reserveIndexInBackground(qsizetype size);
    void adoptReservedIndex();
    void onApplyTimer();
    void onChanged(const QList<JobRecord> &records);
    void onRemoved(const QList<QUuid> &ids);
    void onProgress(const QList<JobProgress> &progress);
    void schedule();
    void reindexFrom(int row);
    // The table's one copy of a kind's name, for its rows; new ones join kinds().
    const QString *noteKind(const QString &kind);
    // Counts a job's move from `before` (Invalid: a new job) to its new record's state, and
    // remembers it for jobFinished when it has just finished (a job of its own).
    void noteStateChange(JobState before, const JobRecord &after, bool own);

    void sortChanges(Batch &batch);
    void updateRow(Row &row, const JobRecord &record, bool own);
    void removeJobs(Batch &batch);
    void removeMember(int key, const QUuid &id);
    void removeTopRows(QList<int> rows);
    int forgetTopRow(const Row &row);
    void forgetGroups(const QList<int> &keys);
    void forgetJob(const PackedRecord &job);
    void insertJobs(QList<JobRecord> records, Batch &batch);
    void packJobs(QList<JobRecord> records, Batch &batch, QVector<Row> &top);
    void insertPacked(QVector<Row> top);
    void insertTopRows(QVector<Row> rows);
    void applyProgress(Batch &batch);
    void combineGroups(const Batch &batch);
    void combine(Group &group, Row &row) const;
    void emitChanges(const Batch &batch);

    const Group *findGroup(int key) const;
    int topRowOf(int key) const;
    int topOf(const QUuid &id) const;
    const QList<QPair<int, int>> &expandedTops() const;
    const Row *rowAt(const QModelIndex &index) const;
    Row *memberRow(const QUuid &id);
    const Row *memberRow(const QUuid &id) const;
    const Row *jobRow(const QUuid &id) const; // a part's or a job's own row
    QVariant display(const Row &row, int column) const;
    double fractionOf(const Row &row) const;
    QString stateText(const JobRecord &record) const;
    QVariant sortValue(const Row &row, int column) const;
    static int attemptShown(const Row &row);
    void emitRanges(QList<int> rows, int firstColumn, int lastColumn);

    std::shared_ptr<const JobKindRegistry> m_registry;
    JobQueue *m_queue = nullptr;
    QList<QMetaObject::Connection> m_connections;
    QVector<Row> m_rows;
    QHash<QUuid, int> m_index; // a job of its own: its row
    QHash<QUuid, int> m_memberOf; // a job of a split job: its group's key
    QHash<int, Group> m_groups;
    QHash<QString, int> m_groupKeys;
    int m_nextGroupKey = 1;
    QSet<int> m_expanded; // the split jobs whose parts show
    mutable QList<QPair<int, int>> m_expandedTops; // their top-level rows and parts, in order
    mutable int m_shownParts = 0; // their parts' rows in all
    mutable bool m_expandedDirty = true;
    QStringList m_kinds; // sorted, for the filter
    std::deque<QString> m_kindNames; // the rows' kinds: never moved, never forgotten

    QueueCounts m_counts;
    QHash<QUuid, double> m_byteRates; // running downloads' latest speed
    QList<QPair<JobRecord, QString>> m_finishedNow; // rows that finished in this batch

    QHash<QUuid, JobRecord> m_pendingChanges;
    QSet<QUuid> m_pendingRemovals;
    QHash<QUuid, JobProgress> m_pendingProgress;
    QTimer m_applyTimer;

    // A snapshot is taken into the table in slices, one per event-loop turn: rows packed for
    // about 4 ms, then inserted at once, so that 1,000,000 jobs never hold the GUI thread for long.
    QList<JobRecord> m_snapshot;
    int m_snapshotNext = 0;
    // The rows of a slice packed in one turn, inserted in the next.
    struct Packed
    {
        Packed() { batch.announce = false; } // what finished before the window opened is no news
        Batch batch;
        QVector<Row> top;
        bool waiting = false;
    };
    Packed m_packed;
    bool m_hasSnapshot = false;
    QTimer m_loadTimer;
    std::function<qint64()> m_loadClock;
    // m_index's room for the snapshot, made on a background thread. Handed over in a slot of
    // its own under a mutex, not as the future's result: a result left in a future that was
    // never read (a model gone before it came) was freed with no order ThreadSanitizer sees.
    struct ReservedIndex
    {
        std::mutex mutex;
        QHash<QUuid, int> index;
        bool made = false;
    };
    std::shared_ptr<ReservedIndex> m_reservedSlot;
    QFutureWatcher<void> m_reservedIndex;
    std::function<void()> m_indexMadeHook;
    bool m_indexPending = false;
};

} // namespace spool::app
