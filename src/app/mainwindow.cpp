#include "mainwindow.h"

#include <QLabel>

#include "ui_mainwindow.h"

namespace spool::app {

MainWindow::MainWindow(JobQueue *queue, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(new Ui::MainWindow)
    , m_queue(queue)
    , m_countsLabel(new QLabel(this))
{
    m_ui->setupUi(this);
    m_ui->locationLabel->setText(tr("Queue: %1").arg(m_queue->location()));
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    statusBar()->addPermanentWidget(m_countsLabel);
    m_countsLabel->setText(tr("Loading…"));
    connect(m_queue, &JobQueue::countsChanged, this, &MainWindow::showCounts);
    connect(m_queue, &JobQueue::storageError, this,
        [this](const QString &message) { statusBar()->showMessage(message, 10000); });
}

MainWindow::~MainWindow()
{
    delete m_ui;
}

void MainWindow::showCounts(const QueueCounts &counts)
{
    m_countsLabel->setText(
        tr("%1 queued · %2 running · %3 paused · %4 done · %5 failed · %6 canceled")
            .arg(counts.queued)
            .arg(counts.running)
            .arg(counts.paused)
            .arg(counts.succeeded)
            .arg(counts.failed)
            .arg(counts.canceled));
    m_ui->summaryLabel->setText(counts.total() == 0
            ? tr("The queue is empty. Add jobs with spoolctl add.")
            : tr("%n job(s) in the queue.", nullptr, static_cast<int>(counts.total())));
}

} // namespace spool::app
