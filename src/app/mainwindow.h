#pragma once

#include <QMainWindow>

#include "queue/jobqueue.h"

namespace Ui {
class MainWindow;
}

class QLabel;

namespace spool::app {

// The main window. For now it shows the queue's counts; the job table and panels come with
// the desktop-app work (issue 5).
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(JobQueue *queue, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

private:
    void showCounts(const QueueCounts &counts);

    Ui::MainWindow *m_ui;
    JobQueue *m_queue;
    QLabel *m_countsLabel;
};

} // namespace spool::app
