#pragma once

#include <functional>

#include <QMainWindow>
#include <QTimer>

#include "job/jobrecord.h"
#include "jobtablemodel.h"
#include "queue/queueevents.h"
#include "store/jobstore.h"

namespace Ui {
class MainWindow;
}

class QHeaderView;
class QLabel;
class QTableView;

namespace spool {
class JobQueue;
}

namespace spool::app {

class AppController;
class JobDetailsPanel;
class JobFilterProxy;
class Notifier;
class ResponsivenessMeter;

// The window a desktop user lives in: the job table with its actions, filters and details,
// new-job dialogs, drag and drop, notifications and a status bar that says how things go.
class MainWindow final : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(AppController *controller, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

    // For tests and tools.
    JobTableModel *model() const { return m_model; }
    QTableView *jobView() const;
    QAction *action(const QString &objectName) const;
    // Queues what a drop would: http(s) URLs become downloads, model files renders (into the
    // download folder, never replacing a file). Returns how many jobs.
    int queueDropped(const QList<QUrl> &urls);
    // Files and web addresses from `spool FILE|URL...` (this process or another): queued as a
    // drop is; the answer is one line, "ok: ..." or "refused: ...".
    QString queueFromCommandLine(const QList<QUrl> &urls);
    // Stops the queue (Drain: running jobs finish; Release: they go back to it) and quits the
    // app when it has stopped. Closing the window asks which; a termination signal releases.
    void quit(StopMode mode);
    // While quitting, how long an unreachable queue is waited for before the window offers to
    // leave without it, and what leaving does (ending the process; tests replace both).
    void setLeaveWithoutQueue(int afterMs, std::function<void()> leave);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Queued
    {
        int downloads = 0;
        int renders = 0;
        QStringList refused; // names as the user gave them
    };
    Queued queueUrls(const QList<QUrl> &urls);
    QString describe(const Queued &queued) const;
    void connectQueue(JobQueue *queue);
    void setUpView();
    void setDefaultColumnWidths(QHeaderView *header);
    // What the empty table says: how to add jobs, or that the filter hides them all.
    void updatePlaceholder();
    void setUpFilters();
    void setUpActions();
    void setUpKeyboard();
    void fitToolBar();
    void setUpStatusBar();
    void showStorageProblem(const QString &message);
    void updateActions();
    // The details panel shows the one job selected (or the current row when several are), and
    // nothing when the selection is empty, filtered away or removed: what the toolbar acts on.
    void syncDetailsWithSelection();
    void clearFinished();
    void updateThroughput();
    QList<QUuid> selectedIds() const;
    QString selectedOutput() const;
    QList<JobTableModel::Status> selectedStatuses() const;
    void command(JobCommand command);
    void openOutput(bool folder);
    void newDownload();
    void newRender();
    void showSettings();
    void showContextMenu(const QPoint &pos);
    void showHeaderMenu(const QPoint &pos);
    void onCounts(const QueueCounts &counts);
    void restoreUiState();
    void saveUiState();
    void offerToLeaveWithoutQueue();

    Ui::MainWindow *m_ui;
    AppController *m_controller;
    JobTableModel *m_model;
    JobFilterProxy *m_proxy;
    JobDetailsPanel *m_details;
    Notifier *m_notifier;
    ResponsivenessMeter *m_meter;
    QLabel *m_countsLabel;
    QLabel *m_throughputLabel;
    QLabel *m_lagLabel;
    QLabel *m_pausedLabel; // shown for as long as the whole queue is paused
    QLabel *m_storageLabel; // shown while the queue's storage fails
    QueueCounts m_counts;
    bool m_queuePaused = false;
    bool m_quitting = false;
    bool m_storageFailing = false;
    bool m_offeringToLeave = false; // the question is on screen
    QTimer m_leaveTimer; // runs while quitting and the queue cannot be reached
    std::function<void()> m_leave;
    bool m_stopped = false; // the queue has stopped: the window may close
};

} // namespace spool::app
