#pragma once

#include <memory>

#include <QDialog>

class QLabel;
class QTableWidget;
class QTimer;

namespace spool {
class JobStore;
struct RunnerInfo;
} // namespace spool

namespace spool::app {

// The runners working on the queue, on this computer and (with a shared queue) on others:
// host, pid, jobs running, when each started and was last heard of. Read every few seconds on
// a pool thread; the window never waits for the queue.
class RunnersDialog final : public QDialog
{
    Q_OBJECT

public:
    RunnersDialog(std::shared_ptr<JobStore> store, QWidget *parent = nullptr);
    ~RunnersDialog() override;
    Q_DISABLE_COPY_MOVE(RunnersDialog)

private:
    void refresh();
    void show(const QList<RunnerInfo> &runners);

    std::shared_ptr<JobStore> m_store;
    QLabel *m_where;
    QTableWidget *m_table;
    QLabel *m_problem;
    QTimer *m_timer;
    bool m_reading = false;
};

} // namespace spool::app
