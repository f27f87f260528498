#pragma once

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
// lines; for a download the transfer and its speed over time.
class JobDetailsPanel final : public QWidget
{
    Q_OBJECT

public:
    JobDetailsPanel(JobTableModel *model, QWidget *parent = nullptr);
    ~JobDetailsPanel() override;
    Q_DISABLE_COPY_MOVE(JobDetailsPanel)

    void setQueue(JobQueue *queue);
    void showJob(const QUuid &id);
    QUuid currentJob() const { return m_id; }

private:
    void refresh();
    void onRowsUpdated(const QSet<QUuid> &ids);
    void onEvents(const QUuid &id, const QList<JobEvent> &events);
    void requestEventsSoon();

    Ui::JobDetailsPanel *m_ui;
    JobTableModel *m_model;
    JobQueue *m_queue = nullptr;
    QMetaObject::Connection m_eventsConnection;
    Sparkline *m_speed;
    QUuid m_id;
    QVector<double> m_speedHistory;
    QTimer m_eventsTimer;
};

} // namespace spool::app
