#include "mainwindow.h"

#include <cstdlib>

#include <QCheckBox>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QtConcurrent/QtConcurrentRun>
#include <QToolBar>
#include <QUrl>

#include "appcontroller.h"
#include "backgroundpool.h"
#include "format.h"
#include "jobdetailspanel.h"
#include "jobfilterproxy.h"
#include "jobtablemodel.h"
#include "jobtableview.h"
#include "newdownloaddialog.h"
#include "newpluginjobdialog.h"
#include "newrenderdialog.h"
#include "notifier.h"
#include "plugins/pluginhost.h"
#include "pluginsdialog.h"
#include "problemline.h"
#include "progressdelegate.h"
#include "queue/jobqueue.h"
#include "responsivenessmeter.h"
#include "runnersdialog.h"
#include "scene.h"
#include "settingsdialog.h"
#include "ui_mainwindow.h"

namespace spool::app {

namespace {

// Long enough for a server restart; well inside a session manager's patience at logout.
constexpr int kLeaveWithoutQueueAfterMs = 10000;

struct StateFilter
{
    const char *label;
    QSet<JobState> states;
};

const QList<StateFilter> &stateFilters()
{
    static const QList<StateFilter> filters {
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "All jobs"), {} },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Active"),
            { JobState::Queued, JobState::Running, JobState::Paused } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Queued"), { JobState::Queued } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Running"), { JobState::Running } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Paused"), { JobState::Paused } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Done"), { JobState::Succeeded } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Failed"), { JobState::Failed } },
        { QT_TRANSLATE_NOOP("spool::app::MainWindow", "Canceled"), { JobState::Canceled } },
    };
    return filters;
}

} // namespace

MainWindow::MainWindow(AppController *controller, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(new Ui::MainWindow)
    , m_controller(controller)
    , m_model(new JobTableModel(controller->registry(), this))
    , m_proxy(new JobFilterProxy(m_model, this))
    , m_details(new JobDetailsPanel(m_model))
    , m_notifier(new Notifier(controller->settings(), this))
    , m_meter(new ResponsivenessMeter(this))
    , m_countsLabel(new QLabel(this))
    , m_throughputLabel(new QLabel(this))
    , m_lagLabel(new QLabel(this))
    , m_pausedLabel(new QLabel(this))
    , m_storageLabel(new QLabel(this))
{
    m_ui->setupUi(this);
    m_ui->detailsArea->setWidget(m_details);
    setWindowIcon(QIcon(QStringLiteral(":/icons/spool.svg")));
    setUpView();
    setUpFilters();
    setUpActions();
    setUpKeyboard();
    setUpStatusBar();
    connectQueue(controller->queue());
    connect(controller, &AppController::queueReplaced, this, &MainWindow::connectQueue);
    // Stopping hands the running jobs back through the queue: with its server away that waits
    // up to a lease, so after a while the user may leave without it.
    m_leaveTimer.setSingleShot(true);
    m_leaveTimer.setInterval(kLeaveWithoutQueueAfterMs);
    connect(&m_leaveTimer, &QTimer::timeout, this, &MainWindow::offerToLeaveWithoutQueue);
    m_leave = [] { std::_Exit(0); }; // the queue's threads may be blocked on the network
    restoreUiState();
    updateActions();
}

MainWindow::~MainWindow()
{
    delete m_ui;
}

QTableView *MainWindow::jobView() const
{
    return m_ui->jobView;
}

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::connectQueue(JobQueue *queue)
{
    m_model->setQueue(queue);
    updatePlaceholder(); // loading, until its snapshot comes
    m_details->setQueue(queue);
    m_details->setWorkRoot(m_controller->settings()->queueConfig(m_controller->dataDir()).workRoot);
    connect(queue, &JobQueue::queuePausedChanged, this, [this](bool paused) {
        if (paused == m_queuePaused)
            return; // the state at start, not news
        m_queuePaused = paused;
        m_pausedLabel->setVisible(paused);
        updateActions();
        fitToolBar(); // Pause Queue and Resume Queue differ in length
        statusBar()->showMessage(
            paused ? tr("The queue is paused: nothing new starts.") : tr("The queue runs again."),
            5000);
    });
    connect(queue, &JobQueue::commandFailed, this,
        [this](const QUuid &, const QString &reason) { statusBar()->showMessage(reason, 8000); });
    m_storageLabel->setVisible(false); // a queue starts out working
    // Only the current queue's: one retired by new settings may still report while it stops.
    connect(queue, &JobQueue::storageError, this, [this, queue](const QString &message) {
        if (queue != m_controller->queue())
            return;
        showStorageProblem(message);
        m_storageFailing = true;
        if (m_quitting && !m_offeringToLeave && !m_leaveTimer.isActive())
            m_leaveTimer.start();
    });
    connect(queue, &JobQueue::storageRecovered, this, [this, queue] {
        if (queue != m_controller->queue())
            return;
        m_storageFailing = false;
        m_leaveTimer.stop();
        m_storageLabel->setVisible(false);
        statusBar()->showMessage(tr("The queue works again."), 5000);
    });
}

void MainWindow::setUpView()
{
    QTableView *view = m_ui->jobView;
    view->setModel(m_proxy);
    view->setItemDelegate(new ProgressDelegate(view));
    view->sortByColumn(-1, Qt::AscendingOrder); // FIFO order until the user sorts
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 8);
    QHeaderView *header = view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    setDefaultColumnWidths(header);
    connect(header, &QHeaderView::customContextMenuRequested, this, &MainWindow::showHeaderMenu);
    connect(view, &QTableView::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(view, &QTableView::doubleClicked, this, [this] { openOutput(false); });
    connect(m_ui->jobView, &JobTableView::expandRequested, this,
        [this](const QModelIndex &index, bool expand) {
            m_model->setExpanded(m_proxy->mapToSource(index).row(), expand);
        });
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::updateActions);
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::syncDetailsWithSelection);
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MainWindow::syncDetailsWithSelection);
    // Rows filtered away or removed leave the selection without a selectionChanged in every
    // case (a reset, a layout change): look again after each.
    const auto resync = [this] {
        syncDetailsWithSelection();
        updateActions();
    };
    connect(view->model(), &QAbstractItemModel::rowsRemoved, this, resync);
    connect(view->model(), &QAbstractItemModel::modelReset, this, resync);
    connect(view->model(), &QAbstractItemModel::layoutChanged, this, resync);
    connect(m_model, &JobTableModel::rowsUpdated, this, &MainWindow::updateActions);
    // The status bar and the notifications follow the table's rows, in the frame that shows
    // them: "done" is never announced while the row still runs.
    connect(m_model, &JobTableModel::frameApplied, this, [this] {
        onCounts(m_model->counts());
        updateThroughput();
        updateActions(); // a batch that only removed rows says nothing else
    });
    connect(m_model, &JobTableModel::jobFinished, m_notifier, &Notifier::jobFinished);
    for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
        connect(view->model(), signal, this, &MainWindow::updatePlaceholder);
    connect(view->model(), &QAbstractItemModel::modelReset, this, &MainWindow::updatePlaceholder);
    connect(
        view->model(), &QAbstractItemModel::layoutChanged, this, &MainWindow::updatePlaceholder);
    updatePlaceholder();
    m_ui->splitter->setStretchFactor(0, 3);
    m_ui->splitter->setStretchFactor(1, 2);
    m_ui->splitter->setSizes({ 600, 400 }); // until the user's own split is restored
}

void MainWindow::setDefaultColumnWidths(QHeaderView *header)
{
    // The name takes the room the other columns leave, so that the default columns fit the
    // default window without a horizontal scroll bar; the others fit their usual contents.
    header->setStretchLastSection(false);
    header->setSectionResizeMode(JobTableModel::NameColumn, QHeaderView::Stretch);
    const int digit = header->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    const QList<QPair<int, int>> widths { { JobTableModel::KindColumn, 10 },
        { JobTableModel::StateColumn, 18 }, { JobTableModel::ProgressColumn, 16 },
        { JobTableModel::AmountColumn, 24 }, { JobTableModel::SpeedColumn, 16 },
        { JobTableModel::EtaColumn, 10 }, { JobTableModel::AttemptsColumn, 9 },
        { JobTableModel::EnqueuedColumn, 11 }, { JobTableModel::StartedColumn, 11 },
        { JobTableModel::FinishedColumn, 11 } };
    for (const auto &[column, digits] : widths) {
        const QString title = m_model->headerData(column, Qt::Horizontal).toString();
        header->resizeSection(column,
            qMax(digits * digit, header->fontMetrics().horizontalAdvance(title) + 3 * digit));
    }
    header->setSectionHidden(JobTableModel::StartedColumn, true);
    header->setSectionHidden(JobTableModel::FinishedColumn, true);
}

void MainWindow::updatePlaceholder()
{
    // A queue of a million jobs takes a second or two to read: "no jobs" meanwhile would be
    // wrong, and would tell a user who has many to start over.
    if (!m_model->hasSnapshot())
        m_ui->jobView->setPlaceholderText(tr("Loading the queue…"));
    else if (m_model->rowCount() > 0)
        m_ui->jobView->setPlaceholderText(tr("No job matches the filter."));
    else
        m_ui->jobView->setPlaceholderText(tr("No jobs yet.\nDrop web addresses or 3D model files "
                                             "here, or use New Download or New Render."));
}

void MainWindow::setUpFilters()
{
    for (const StateFilter &f : stateFilters())
        m_ui->stateFilter->addItem(tr(f.label));
    connect(m_ui->stateFilter, &QComboBox::currentIndexChanged, this,
        [this](int index) { m_proxy->setStates(stateFilters().value(index).states); });
    const auto fillKinds = [this] {
        const QString current = m_ui->kindFilter->currentData().toString();
        m_ui->kindFilter->blockSignals(true);
        m_ui->kindFilter->clear();
        m_ui->kindFilter->addItem(tr("All kinds"), QString());
        for (const QString &kind : m_model->kinds())
            m_ui->kindFilter->addItem(kind, kind);
        m_ui->kindFilter->setCurrentIndex(qMax(0, m_ui->kindFilter->findData(current)));
        m_ui->kindFilter->blockSignals(false);
    };
    fillKinds();
    connect(m_model, &JobTableModel::kindsChanged, this, fillKinds);
    connect(m_ui->kindFilter, &QComboBox::currentIndexChanged, this,
        [this] { m_proxy->setKind(m_ui->kindFilter->currentData().toString()); });
    connect(m_ui->searchEdit, &QLineEdit::textChanged, m_proxy, &JobFilterProxy::setText);
}

void MainWindow::setUpActions()
{
    connect(m_ui->actionNewDownload, &QAction::triggered, this, &MainWindow::newDownload);
    connect(m_ui->actionNewRender, &QAction::triggered, this, &MainWindow::newRender);
    connect(m_ui->actionNewPluginJob, &QAction::triggered, this, [this] {
        NewPluginJobDialog dialog(m_controller->registry(), this);
        if (dialog.exec() != QDialog::Accepted)
            return;
        auto id = m_controller->queue()->enqueue(QStringLiteral("plugin"), dialog.params());
        if (!id)
            QMessageBox::warning(this, tr("New Plugin Job"), id.error().message);
    });
    connect(m_ui->actionPlugins, &QAction::triggered, this, [this] {
        PluginsDialog dialog(this);
        dialog.exec();
    });
    connect(m_ui->actionRunners, &QAction::triggered, this, [this] {
        RunnersDialog dialog(m_controller->store(), this);
        dialog.exec();
    });
    connect(m_ui->actionSettings, &QAction::triggered, this, &MainWindow::showSettings);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionPause, &QAction::triggered, this, [this] { command(JobCommand::Pause); });
    connect(m_ui->actionResume, &QAction::triggered, this, [this] { command(JobCommand::Resume); });
    connect(m_ui->actionCancel, &QAction::triggered, this, [this] { command(JobCommand::Cancel); });
    connect(m_ui->actionRetry, &QAction::triggered, this, [this] { command(JobCommand::Retry); });
    connect(m_ui->actionRemove, &QAction::triggered, this, [this] { command(JobCommand::Remove); });
    connect(m_ui->actionOpenOutput, &QAction::triggered, this, [this] { openOutput(false); });
    connect(m_ui->actionOpenFolder, &QAction::triggered, this, [this] { openOutput(true); });
    connect(m_ui->actionPauseQueue, &QAction::triggered, this,
        [this] { m_controller->queue()->setQueuePaused(true); });
    connect(m_ui->actionResumeQueue, &QAction::triggered, this,
        [this] { m_controller->queue()->setQueuePaused(false); });
    connect(m_ui->actionClearFinished, &QAction::triggered, this, &MainWindow::clearFinished);
    connect(m_ui->actionShowDetails, &QAction::toggled, m_ui->detailsArea, &QWidget::setVisible);
    connect(m_ui->actionAbout, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About Spool"),
            tr("<p><b>Spool %1</b></p><p>A desktop job queue: slow work runs in the background at "
               "a low "
               "priority, and the window stays responsive.</p><p>Queue: %2</p>")
                .arg(QCoreApplication::applicationVersion(),
                    m_controller->dataDir().toHtmlEscaped()));
    });
    // Shortcuts on the job table only: Del and Return must not fire from the search field.
    for (QAction *a : { m_ui->actionRemove, m_ui->actionOpenOutput }) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_ui->jobView->addAction(a);
    }
}

void MainWindow::setUpKeyboard()
{
    auto *find = new QAction(tr("Find"), this);
    find->setObjectName(QStringLiteral("actionFind"));
    find->setShortcut(QKeySequence::Find);
    connect(find, &QAction::triggered, this, [this] {
        m_ui->searchEdit->setFocus(Qt::ShortcutFocusReason);
        m_ui->searchEdit->selectAll();
    });
    addAction(find);
    // The context menu from the keyboard, where the current row is (a mouse is not needed).
    auto *menu = new QAction(tr("Context Menu"), this);
    menu->setObjectName(QStringLiteral("actionContextMenu"));
    menu->setShortcuts({ QKeySequence(Qt::SHIFT | Qt::Key_F10), QKeySequence(Qt::Key_Menu) });
    menu->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(menu, &QAction::triggered, m_ui->jobView, &JobTableView::requestContextMenuAtCurrent);
    m_ui->jobView->addAction(menu);
    // Tooltips name the shortcut, so that the mouse teaches the keyboard.
    for (QAction *action : findChildren<QAction *>()) {
        if (action->shortcut().isEmpty() || action->toolTip().isEmpty())
            continue;
        action->setToolTip(tr("%1 (%2)").arg(
            action->toolTip(), action->shortcut().toString(QKeySequence::NativeText)));
    }
}

void MainWindow::fitToolBar()
{
    // Words under the icons when they fit (a long translation, a large scale factor may not):
    // icons alone then, their tooltips saying the rest, instead of an overflow menu.
    QToolBar *bar = m_ui->mainToolBar;
    const bool vertical = bar->orientation() == Qt::Vertical;
    const QSize room = bar->parentWidget() ? bar->parentWidget()->size() : size();
    const auto fits = [&] {
        const QSize need = bar->sizeHint();
        return vertical ? need.height() <= room.height() : need.width() <= room.width();
    };
    bar->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    if (!fits())
        bar->setToolButtonStyle(Qt::ToolButtonIconOnly);
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitToolBar();
}

// Shown until the queue works again: while a shared queue's server is away every request fails,
// and a message that came and went would leave the window looking idle, not cut off.
void MainWindow::showStorageProblem(const QString &message)
{
    const QString text = tr("Queue problem, retrying: %1").arg(message);
    m_storageLabel->setToolTip(text);
    m_storageLabel->setText(
        m_storageLabel->fontMetrics().elidedText(text, Qt::ElideRight, qMax(200, width() / 2)));
    m_storageLabel->setVisible(true);
}

void MainWindow::setUpStatusBar()
{
    m_storageLabel->setObjectName(QStringLiteral("storageLabel"));
    styleProblemLine(m_storageLabel);
    m_storageLabel->setVisible(false);
    statusBar()->addPermanentWidget(m_storageLabel);
    m_pausedLabel->setObjectName(QStringLiteral("pausedLabel"));
    m_pausedLabel->setText(tr("Queue paused"));
    m_pausedLabel->setToolTip(
        tr("Nothing new starts, and running jobs went back to the queue "
           "keeping their progress. Queue → Resume Queue starts them again."));
    // Bold in the palette's own colours: readable in light and dark themes alike.
    m_pausedLabel->setStyleSheet(QStringLiteral("font-weight: bold"));
    m_pausedLabel->setVisible(false);
    statusBar()->addPermanentWidget(m_pausedLabel);
    statusBar()->addPermanentWidget(m_throughputLabel);
    statusBar()->addPermanentWidget(m_lagLabel);
    statusBar()->addPermanentWidget(m_countsLabel);
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    m_lagLabel->setObjectName(QStringLiteral("lagLabel"));
    m_lagLabel->setToolTip(
        tr("The longest the window had to wait for its turn in the last 5 seconds"));
    connect(m_meter, &ResponsivenessMeter::worstRecentChanged, this,
        [this](qint64 ms) { m_lagLabel->setText(tr("UI delay %1 ms").arg(ms)); });
    connect(m_notifier, &Notifier::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(m_notifier, &Notifier::activated, this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    m_countsLabel->setText(tr("Loading the queue…"));
    QStringList notes;
    const QString statusBarNote =
        tr("No system tray here: notifications appear in this status bar.");
    if (m_notifier->usesStatusBar())
        notes.append(statusBarNote);
    connect(m_notifier, &Notifier::statusBarOnly, this,
        [this, statusBarNote] { statusBar()->showMessage(statusBarNote, 15000); });
    // Plugin metadata is a few hundred bytes per file, read once; the libraries load on workers.
    if (const int refused = PluginsDialog::refusedCount(); refused > 0)
        notes.append(tr("%n plugin(s) refused: see Help → Plugins.", nullptr, refused));
    if (!notes.isEmpty())
        statusBar()->showMessage(notes.join(QLatin1Char(' ')), 15000);
}

void MainWindow::onCounts(const QueueCounts &counts)
{
    m_counts = counts;
    // Canceled is a state of its own, as in the filter and `spoolctl list`: not a failure.
    // In the locale's digit groups: "1000000 done" is hard to read at a glance.
    const QLocale locale;
    m_countsLabel->setText(
        tr("%1 running · %2 queued · %3 paused · %4 done · %5 failed · %6 canceled")
            .arg(locale.toString(counts.running), locale.toString(counts.queued),
                locale.toString(counts.paused), locale.toString(counts.succeeded),
                locale.toString(counts.failed), locale.toString(counts.canceled)));
    m_notifier->countsChanged(counts);
    updateActions();
}

void MainWindow::updateThroughput()
{
    const double bytesPerSecond = m_model->bytesPerSecond();
    m_throughputLabel->setText(bytesPerSecond > 0
            ? tr("↓ %1").arg(format::rate(bytesPerSecond, units::Bytes))
            : QString());
}

QList<QUuid> MainWindow::selectedIds() const
{
    // A split job's row stands for all of its jobs; a part may be selected beside it.
    QList<QUuid> ids;
    QSet<QUuid> seen;
    for (const QModelIndex &index : m_ui->jobView->selectionModel()->selectedRows()) {
        for (const QUuid &id : index.data(JobTableModel::MembersRole).value<QList<QUuid>>()) {
            if (!seen.contains(id)) {
                seen.insert(id);
                ids.append(id);
            }
        }
    }
    return ids;
}

// The output of the one row selected (a split job's: its picture), if any.
QString MainWindow::selectedOutput() const
{
    const QModelIndexList rows = m_ui->jobView->selectionModel()->selectedRows();
    return rows.size() == 1
        ? m_proxy->mapToSource(rows.first()).data(JobTableModel::OutputRole).toString()
        : QString();
}

QList<JobTableModel::Status> MainWindow::selectedStatuses() const
{
    QList<JobTableModel::Status> statuses;
    for (const QUuid &id : selectedIds()) {
        if (const auto status = m_model->statusById(id))
            statuses.append(*status);
    }
    return statuses;
}

void MainWindow::updateActions()
{
    bool pause = false, resume = false, cancel = false, retry = false;
    const QList<JobTableModel::Status> selected = selectedStatuses();
    for (const JobTableModel::Status &r : selected) {
        const bool stopping = r.state == JobState::Running && r.control != JobControl::None;
        pause = pause || r.state == JobState::Queued || (r.state == JobState::Running && !stopping);
        resume = resume || r.state == JobState::Paused
            || (r.state == JobState::Running && r.control == JobControl::Pause);
        cancel = cancel
            || (!isFinishedState(r.state) && r.control != JobControl::Cancel
                && r.control != JobControl::Remove);
        retry = retry || r.state == JobState::Failed || r.state == JobState::Canceled;
    }
    const QString output = selectedOutput();
    const bool oneWithOutput = !output.isEmpty() && QFileInfo::exists(output);
    m_ui->actionPause->setEnabled(pause);
    m_ui->actionResume->setEnabled(resume);
    m_ui->actionCancel->setEnabled(cancel);
    m_ui->actionRetry->setEnabled(retry);
    m_ui->actionRemove->setEnabled(!selected.isEmpty());
    m_ui->actionOpenOutput->setEnabled(oneWithOutput);
    m_ui->actionOpenFolder->setEnabled(oneWithOutput);
    // One of the two at a time: the toolbar has room for the rest at the default size.
    m_ui->actionPauseQueue->setVisible(!m_queuePaused);
    m_ui->actionResumeQueue->setVisible(m_queuePaused);
    m_ui->actionPauseQueue->setEnabled(!m_queuePaused);
    m_ui->actionResumeQueue->setEnabled(m_queuePaused);
    m_ui->actionClearFinished->setEnabled(
        m_counts.succeeded + m_counts.failed + m_counts.canceled > 0);
}

void MainWindow::syncDetailsWithSelection()
{
    QItemSelectionModel *selection = m_ui->jobView->selectionModel();
    const QModelIndexList rows = selection->selectedRows();
    QModelIndex shown;
    if (rows.size() == 1)
        shown = rows.first();
    else if (rows.size() > 1 && selection->isRowSelected(selection->currentIndex().row()))
        shown = selection->currentIndex();
    const QUuid id = shown.isValid() ? shown.data(JobTableModel::IdRole).toUuid() : QUuid();
    // A split job's own row (it can open) stands for the whole job, not its first part.
    const bool whole = shown.isValid() && shown.data(JobTableModel::ExpandedRole).isValid();
    if (id != m_details->currentJob() || whole != m_details->showsWhole() || id.isNull())
        m_details->showJob(id, whole);
}

void MainWindow::clearFinished()
{
    QList<QUuid> succeeded, unsuccessful;
    // Counted in rows, as the user sees them: a split render is one job here.
    int succeededRows = 0, failedRows = 0, canceledRows = 0;
    // A split render goes whole, once every part is done (retention and prune do the same), as
    // its row reads: a render with a failed part is a failed one.
    for (const JobTableModel::FinishedRow &row : m_model->finishedRows()) {
        (row.state == JobState::Succeeded ? succeeded : unsuccessful) += row.ids;
        succeededRows += row.state == JobState::Succeeded;
        failedRows += row.state == JobState::Failed;
        canceledRows += row.state == JobState::Canceled;
    }
    // Succeeded jobs go without a question when they are few; failed and canceled ones need
    // the user's attention, so they go only when the user ticks them.
    constexpr int kFewJobs = 10;
    QList<QUuid> ids = succeeded;
    if (succeededRows > kFewJobs || !unsuccessful.isEmpty()) {
        QMessageBox box(QMessageBox::Question, tr("Clear Finished"),
            tr("Remove %n succeeded job(s) from the list?", nullptr, succeededRows),
            QMessageBox::Cancel, this);
        box.setInformativeText(tr("Their files stay where they are."));
        QPushButton *remove = box.addButton(tr("Remove"), QMessageBox::AcceptRole);
        box.setDefaultButton(remove);
        // Only when there are some: a check box the box does not lay out sits on its icon.
        if (!unsuccessful.isEmpty())
            box.setCheckBox(new QCheckBox(tr("Also remove %1 failed and %2 canceled job(s)")
                                              .arg(failedRows)
                                              .arg(canceledRows)));
        box.setObjectName(QStringLiteral("clearFinishedBox"));
        box.exec();
        if (box.clickedButton() != remove)
            return;
        if (box.checkBox() && box.checkBox()->isChecked())
            ids += unsuccessful;
    }
    if (!ids.isEmpty())
        m_controller->queue()->commandMany(ids, JobCommand::Remove);
}

void MainWindow::command(JobCommand jobCommand)
{
    const QList<QUuid> ids = selectedIds();
    if (!ids.isEmpty())
        m_controller->queue()->commandMany(ids, jobCommand);
}

void MainWindow::openOutput(bool folder)
{
    const QString path = selectedOutput();
    if (path.isEmpty())
        return;
    const QFileInfo output(path);
    if (!output.exists()) {
        statusBar()->showMessage(tr("%1 is not there any more.").arg(output.filePath()), 8000);
        return;
    }
    QDesktopServices::openUrl(
        QUrl::fromLocalFile(folder ? output.absolutePath() : output.absoluteFilePath()));
}

void MainWindow::newDownload()
{
    NewDownloadDialog dialog(
        m_controller->registry(), m_controller->settings()->downloadDir(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    auto id = m_controller->queue()->enqueue(QStringLiteral("download"), dialog.params());
    if (!id)
        QMessageBox::warning(this, tr("New Download"), id.error().message);
}

void MainWindow::newRender()
{
    NewRenderDialog dialog(m_controller->registry(), m_controller->settings()->downloadDir(), this);
    // For "Split into: Auto": the runners, read off this thread (a shared queue is remote).
    auto *machines = new QFutureWatcher<int>(&dialog);
    connect(machines, &QFutureWatcherBase::finished, &dialog,
        [&dialog, machines] { dialog.setMachines(machines->result()); });
    machines->setFuture(QtConcurrent::run(backgroundPool(), [store = m_controller->store()] {
        const auto runners = store->runners();
        return runners ? machinesRunning(runners.value(), QDateTime::currentMSecsSinceEpoch()) : 0;
    }));
    if (dialog.exec() != QDialog::Accepted)
        return;
    // A camera the file lacks is reported by the queue (commandFailed, in the status bar).
    auto id = m_controller->queue()->enqueue(QStringLiteral("render"), dialog.params());
    if (!id)
        QMessageBox::warning(this, tr("New Render"), id.error().message);
}

void MainWindow::showSettings()
{
    QStringList kinds = m_controller->registry()->names();
    QStringList legacyPlugins;
    for (const PluginInfo &plugin : PluginHost::instance().plugins()) {
        if (plugin.refusal.isEmpty() && !plugin.threadSafe)
            legacyPlugins.append(plugin.name);
    }
    SettingsDialog dialog(m_controller->settings(), kinds, legacyPlugins, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    dialog.save();
    m_controller->applySettings();
    statusBar()->showMessage(tr("Settings applied; running jobs continue where they were."), 6000);
}

void MainWindow::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addActions({ m_ui->actionPause, m_ui->actionResume, m_ui->actionCancel, m_ui->actionRetry,
        m_ui->actionRemove });
    menu.addSeparator();
    menu.addActions({ m_ui->actionOpenOutput, m_ui->actionOpenFolder });
    menu.exec(m_ui->jobView->viewport()->mapToGlobal(pos));
}

void MainWindow::showHeaderMenu(const QPoint &pos)
{
    QHeaderView *header = m_ui->jobView->horizontalHeader();
    QMenu menu(this);
    for (int column = 0; column < JobTableModel::ColumnCount; ++column) {
        QAction *toggle = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
        toggle->setCheckable(true);
        toggle->setChecked(!header->isSectionHidden(column));
        toggle->setEnabled(column != JobTableModel::NameColumn);
        connect(toggle, &QAction::toggled, header,
            [header, column](bool on) { header->setSectionHidden(column, !on); });
    }
    menu.exec(header->mapToGlobal(pos));
}

MainWindow::Queued MainWindow::queueUrls(const QList<QUrl> &urls)
{
    Queued queued;
    const QString outDir = m_controller->settings()->downloadDir();
    for (const QUrl &url : urls) {
        const QString scheme = url.scheme().toLower();
        if (url.isLocalFile() && render::isSupportedModel(url.toLocalFile())) {
            const QString model = url.toLocalFile();
            const QJsonObject params { { QStringLiteral("scene"), model },
                { QStringLiteral("out"), NewRenderDialog::freeOutputPath(outDir, model) } };
            auto checked = m_controller->registry()->validate(QStringLiteral("render"), params);
            const auto id = checked
                ? m_controller->queue()->enqueue(QStringLiteral("render"), checked.value())
                : Result<QUuid>(checked.error());
            if (id)
                ++queued.renders;
            else
                queued.refused.append(
                    QStringLiteral("%1 (%2)").arg(QFileInfo(model).fileName(), id.error().message));
            continue;
        }
        if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
            queued.refused.append(url.isLocalFile() ? QFileInfo(url.toLocalFile()).fileName()
                                                    : url.toDisplayString());
            continue;
        }
        const QJsonObject params { { QStringLiteral("url"), url.toString() },
            { QStringLiteral("dir"), outDir } };
        if (const auto id = m_controller->queue()->enqueue(QStringLiteral("download"), params))
            ++queued.downloads;
        else
            queued.refused.append(
                QStringLiteral("%1 (%2)").arg(url.toDisplayString(), id.error().message));
    }
    return queued;
}

QString MainWindow::describe(const Queued &queued) const
{
    if (!queued.refused.isEmpty())
        return tr("Spool cannot queue %1. It downloads web addresses and renders 3D model files.")
            .arg(queued.refused.join(QStringLiteral(", ")));
    if (queued.downloads > 0 && queued.renders > 0)
        return tr("Queued %n download(s)", nullptr, queued.downloads) + QStringLiteral(", ")
            + tr("%n render(s).", nullptr, queued.renders);
    if (queued.downloads > 0)
        return tr("Queued %n download(s).", nullptr, queued.downloads);
    if (queued.renders > 0)
        return tr("Queued %n render(s).", nullptr, queued.renders);
    return {};
}

int MainWindow::queueDropped(const QList<QUrl> &urls)
{
    const Queued queued = queueUrls(urls);
    const QString message = describe(queued);
    if (!message.isEmpty())
        statusBar()->showMessage(message, queued.refused.isEmpty() ? 4000 : 8000);
    return queued.downloads + queued.renders;
}

QString MainWindow::queueFromCommandLine(const QList<QUrl> &urls)
{
    const Queued queued = queueUrls(urls);
    const QString message = describe(queued);
    statusBar()->showMessage(message, queued.refused.isEmpty() ? 4000 : 8000);
    // The other process prints the line; "refused:" makes it exit 2.
    return (queued.refused.isEmpty() ? QStringLiteral("ok: ") : QStringLiteral("refused: "))
        + message;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    if (queueDropped(event->mimeData()->urls()) > 0)
        event->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_stopped) {
        // Qt asks the windows again when the app quits; the queue has stopped by then.
        event->accept();
        return;
    }
    if (m_quitting) {
        event->ignore(); // already on the way out; the queue says when
        return;
    }
    StopMode mode = StopMode::Release;
    if (m_counts.running > 0) {
        QMessageBox ask(QMessageBox::Question, tr("Quit Spool"),
            tr("%n job(s) are running.", nullptr, int(m_counts.running)), QMessageBox::NoButton,
            this);
        ask.setInformativeText(
            tr("Let them finish first, or stop them now? Stopped jobs go back to the queue and "
               "continue where they were the next time Spool runs."));
        QPushButton *finish = ask.addButton(tr("Let Them Finish"), QMessageBox::AcceptRole);
        QPushButton *stop = ask.addButton(tr("Stop Them"), QMessageBox::DestructiveRole);
        ask.addButton(QMessageBox::Cancel);
        ask.setDefaultButton(stop);
        ask.exec();
        if (ask.clickedButton() == finish)
            mode = StopMode::Drain;
        else if (ask.clickedButton() != stop) {
            event->ignore();
            return;
        }
    }
    event->ignore();
    quit(mode);
}

void MainWindow::quit(StopMode mode)
{
    if (m_quitting)
        return;
    saveUiState();
    m_quitting = true;
    if (mode == StopMode::Drain)
        statusBar()->showMessage(tr("Waiting for the running jobs to finish…"));
    connect(m_controller, &AppController::shutDownComplete, this, [this] {
        m_stopped = true;
        m_leaveTimer.stop();
        QCoreApplication::quit();
    });
    m_controller->shutDown(mode);
    if (m_storageFailing)
        m_leaveTimer.start();
}

void MainWindow::setLeaveWithoutQueue(int afterMs, std::function<void()> leave)
{
    m_leaveTimer.setInterval(afterMs);
    m_leave = std::move(leave);
}

void MainWindow::offerToLeaveWithoutQueue()
{
    if (!m_storageFailing || m_offeringToLeave)
        return;
    m_offeringToLeave = true;
    // No status-bar message: the problem line beside it already says the queue cannot be reached
    // and left it five letters ("The q") under Xvfb at 1100 pixels.
    QMessageBox ask(QMessageBox::Warning, tr("Quit Spool"),
        tr("The queue cannot be reached, so Spool cannot hand its running jobs back."),
        QMessageBox::NoButton, this);
    ask.setInformativeText(tr("Quit anyway? The jobs go back to the queue when their leases "
                              "expire, and continue where they were."));
    QPushButton *leave = ask.addButton(tr("Quit Anyway"), QMessageBox::DestructiveRole);
    ask.addButton(tr("Keep Waiting"), QMessageBox::RejectRole);
    ask.setDefaultButton(leave);
    ask.exec();
    m_offeringToLeave = false;
    if (m_stopped) // the queue came back and stopped meanwhile
        return;
    if (ask.clickedButton() != leave) {
        if (m_storageFailing)
            m_leaveTimer.start(); // asked again later if it is still away
        return;
    }
    m_controller->settings()->sync();
    m_leave();
}

void MainWindow::restoreUiState()
{
    AppSettings *s = m_controller->settings();
    restoreGeometry(s->value(QStringLiteral("ui/geometry")));
    restoreState(s->value(QStringLiteral("ui/state")));
    m_ui->splitter->restoreState(s->value(QStringLiteral("ui/splitter")));
    const QByteArray header = s->value(QStringLiteral("ui/header"));
    if (!header.isEmpty())
        m_ui->jobView->horizontalHeader()->restoreState(header);
    const int filter = s->value(QStringLiteral("ui/stateFilter")).toInt();
    m_ui->stateFilter->setCurrentIndex(qBound(0, filter, int(stateFilters().size()) - 1));
}

void MainWindow::saveUiState()
{
    AppSettings *s = m_controller->settings();
    s->setValue(QStringLiteral("ui/geometry"), saveGeometry());
    s->setValue(QStringLiteral("ui/state"), saveState());
    s->setValue(QStringLiteral("ui/splitter"), m_ui->splitter->saveState());
    s->setValue(QStringLiteral("ui/header"), m_ui->jobView->horizontalHeader()->saveState());
    s->setValue(
        QStringLiteral("ui/stateFilter"), QByteArray::number(m_ui->stateFilter->currentIndex()));
}

} // namespace spool::app
