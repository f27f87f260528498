#pragma once

#include <optional>

#include <QFutureWatcher>
#include <QHash>
#include <QImage>
#include <QSet>
#include <QTimer>
#include <QUuid>
#include <QVector>
#include <QWidget>

#include "job/jobrecord.h"

namespace Ui {
class JobDetailsPanel;
}

namespace spool {
class JobQueue;
}

namespace spool::app {

class JobTableModel;
class Sparkline;

// Everything about the current job: parameters, times, result or error, its timeline and log
// lines; for a download the transfer and its speed over time; for a render its live preview.
class JobDetailsPanel final : public QWidget
{
    Q_OBJECT

public:
    JobDetailsPanel(JobTableModel *model, QWidget *parent = nullptr);
    ~JobDetailsPanel() override;
    Q_DISABLE_COPY_MOVE(JobDetailsPanel)

    void setQueue(JobQueue *queue);
    // Where jobs keep their files: a render run by another process leaves its preview there.
    void setWorkRoot(const QString &workRoot) { m_workRoot = workRoot; }
    // `whole`: `id` is the first part of a split job whose row was chosen: the panel shows the
    // whole job (its combined state and times, every part's timeline), not that part.
    void showJob(const QUuid &id, bool whole = false);
    QUuid currentJob() const { return m_id; }
    bool showsWhole() const { return m_whole; }
    // The preview on show (null when none), for tests.
    QImage previewImage() const { return m_preview; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();
    void onRowsUpdated(const QSet<QUuid> &ids);
    void onEvents(const QUuid &id, const QList<JobEvent> &events);
    void onSharedPreview(const QUuid &id, const QByteArray &image);
    void requestEventsSoon();
    void requestEvents();
    // The record on show: a job's, or a split job's combined one.
    std::optional<JobRecord> shownRecord() const;
    // The jobs whose changes and timelines the panel shows.
    QList<QUuid> shownJobs() const;
    void showTimeline(const QList<QPair<QString, QList<JobEvent>>> &sections);
    void updatePreview();
    QString previewFileOf(const QUuid &id) const;
    bool loadPreviewFile(const QString &file);
    void askSharedPreview(const QUuid &id);
    void updateMergedPreview(const QString &group);
    void showMergedPreview();
    void showPreview(const QImage &image);

    Ui::JobDetailsPanel *m_ui;
    JobTableModel *m_model;
    JobQueue *m_queue = nullptr;
    QMetaObject::Connection m_eventsConnection;
    QMetaObject::Connection m_sharedPreviewConnection;
    Sparkline *m_speed;
    QUuid m_id;
    bool m_whole = false;
    QHash<QUuid, QList<JobEvent>> m_partEvents; // a whole split job's timeline, by part
    bool m_upToDate = false; // the shown download's last attempt was answered "not modified"
    QVector<double> m_speedHistory;
    QTimer m_eventsTimer;
    QString m_workRoot;
    QTimer m_previewTimer;
    QImage m_preview;
    quint64 m_previewVersion = 0; // of the in-process preview on show
    QString m_previewFile; // a file on show (another process's preview, or the output)
    qint64 m_previewFileStamp = 0;
    QFutureWatcher<QImage> m_previewLoad;
    int m_previewTick = 0;
    QSet<QUuid> m_sharedPreviewAsked; // answers from the queue on their way
    // The parts of a split render on show: their latest pictures, and the hub's versions.
    QHash<QUuid, QImage> m_partImages;
    QHash<QUuid, quint64> m_partVersions;
    QFutureWatcher<QHash<QUuid, QImage>> m_partsLoad;
};

} // namespace spool::app
