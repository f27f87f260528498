#pragma once

#include <memory>

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QVector>

#include "job/jobkindregistry.h"
#include "queue/jobqueue.h"

namespace spool::app {

// The queue as a table, one row per job in FIFO order. Updates from the queue are collected and
// applied about 30 times a second, as row ranges: 100,000 jobs and thousands of progress reports
// a second cost the view a few range updates per frame.
class JobTableModel final : public QAbstractTableModel
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
        IdRole = Qt::UserRole + 1,
        StateRole, // int(JobState)
        KindRole,
        FractionRole, // 0..1, or -1 when unknown
        SortRole, // the raw value of a column, for sorting
    };

    JobTableModel(std::shared_ptr<const JobKindRegistry> registry, QObject *parent = nullptr);
    Q_DISABLE_COPY_MOVE(JobTableModel)

    // Follows `queue` (and asks it for everything it has). Switching queues starts over.
    void setQueue(JobQueue *queue);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const JobRecord *record(int row) const;
    const JobRecord *recordById(const QUuid &id) const;
    int rowOf(const QUuid &id) const;
    // The latest coalesced progress report of a running job (speed, ETA), if any.
    const JobProgress *liveProgress(const QUuid &id) const;
    QString title(const JobRecord &record) const;
    // The split job (JobKind::groupParam) a job is part of; empty when none.
    QString groupOf(const JobRecord &record) const;
    // Every job of that split job in the table.
    QList<QUuid> groupMembers(const QString &group) const;
    // Every kind seen so far, for the filter.
    QStringList kinds() const;
    // Applies what has arrived now instead of at the next frame (tests), after the rest of a
    // snapshot being loaded.
    void applyPending();
    // True while a snapshot is still being taken into the table.
    bool isLoading() const { return !m_snapshot.isEmpty(); }
    // The jobs per state and the download speed of the rows as they are now: the status bar
    // reads these, so that it never disagrees with the table.
    const QueueCounts &counts() const { return m_counts; }
    double bytesPerSecond() const;

Q_SIGNALS:
    void kindsChanged();
    // After a batch was applied: the rows that changed (for the details panel).
    void rowsUpdated(const QSet<QUuid> &ids);
    // After every batch once the snapshot is in: counts() and bytesPerSecond() are current.
    void frameApplied();
    // A row became finished in this batch (emitted after the row and frameApplied show it).
    void jobFinished(const spool::JobRecord &record);

private:
    struct Row
    {
        JobRecord record;
        QString title;
        JobProgress live;
        bool hasLive = false;
    };

    void onSnapshot(const QList<JobRecord> &records);
    void loadSnapshotChunk();
    void onApplyTimer();
    void onChanged(const QList<JobRecord> &records);
    void onRemoved(const QList<QUuid> &ids);
    void onProgress(const QList<JobProgress> &progress);
    void schedule();
    void reindexFrom(int row);
    void noteKind(const QString &kind);
    void noteGroup(const JobRecord &record, bool member);
    // Counts a row's move from `before` (Invalid: a new row) to its new record's state, and
    // remembers it for jobFinished when it has just finished.
    void noteStateChange(JobState before, const JobRecord &after);
    QVariant display(const Row &row, int column) const;
    QVariant sortValue(const Row &row, int column) const;
    void emitRanges(QList<int> rows, int firstColumn, int lastColumn);

    std::shared_ptr<const JobKindRegistry> m_registry;
    JobQueue *m_queue = nullptr;
    QList<QMetaObject::Connection> m_connections;
    QVector<Row> m_rows;
    QHash<QUuid, int> m_index;
    QHash<QString, QSet<QUuid>> m_groups; // only jobs that belong to one
    QStringList m_kinds;

    QueueCounts m_counts;
    QHash<QUuid, double> m_byteRates; // running downloads' latest speed
    QList<JobRecord> m_finishedNow; // rows that finished in the batch being applied

    QHash<QUuid, JobRecord> m_pendingChanges;
    QSet<QUuid> m_pendingRemovals;
    QHash<QUuid, JobProgress> m_pendingProgress;
    QTimer m_applyTimer;

    // A snapshot is taken into the table a few thousand rows per event-loop turn, so that
    // 100,000 jobs never hold the GUI thread for more than a few milliseconds at a time.
    QList<JobRecord> m_snapshot;
    QList<int> m_snapshotOrder; // indexes into m_snapshot by FIFO position
    int m_snapshotNext = 0;
    QTimer m_loadTimer;
};

} // namespace spool::app
