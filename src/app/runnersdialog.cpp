#include "runnersdialog.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <QTimer>
#include <QVBoxLayout>

#include "format.h"
#include "store/jobstore.h"

namespace spool::app {

namespace {
constexpr int kRefreshMs = 5000;
}

RunnersDialog::RunnersDialog(std::shared_ptr<JobStore> store, QWidget *parent)
    : QDialog(parent)
    , m_store(std::move(store))
    , m_where(new QLabel(this))
    , m_table(new QTableWidget(0, 5, this))
    , m_problem(new QLabel(this))
    , m_timer(new QTimer(this))
{
    setWindowTitle(tr("Runners"));
    m_where->setWordWrap(true);
    m_where->setText(tr("Every program that runs jobs from %1 reports itself here every ten "
                        "seconds.")
                         .arg(m_store->location().toHtmlEscaped()));
    m_table->setHorizontalHeaderLabels(
        { tr("Computer"), tr("Process"), tr("Running"), tr("Started"), tr("Last Heard Of") });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_problem->setWordWrap(true);
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_where);
    layout->addWidget(m_table);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);
    resize(640, 300);
    m_timer->setInterval(kRefreshMs);
    connect(m_timer, &QTimer::timeout, this, &RunnersDialog::refresh);
    m_timer->start();
    refresh();
}

RunnersDialog::~RunnersDialog() = default;

void RunnersDialog::refresh()
{
    if (m_reading)
        return;
    m_reading = true;
    auto *watcher = new QFutureWatcher<Result<QList<RunnerInfo>>>(this);
    connect(watcher, &QFutureWatcher<Result<QList<RunnerInfo>>>::finished, this, [this, watcher] {
        m_reading = false;
        const Result<QList<RunnerInfo>> result = watcher->result();
        watcher->deleteLater();
        m_problem->setVisible(!result.ok());
        if (!result.ok()) {
            m_problem->setText(tr("Cannot read the runners: %1").arg(result.error().message));
            return;
        }
        show(result.value());
    });
    // The store blocks (a shared queue is across the network): never on this thread.
    std::shared_ptr<JobStore> store = m_store;
    watcher->setFuture(QtConcurrent::run([store] { return store->runners(); }));
}

void RunnersDialog::show(const QList<RunnerInfo> &runners)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_table->setRowCount(int(runners.size()));
    for (int row = 0; row < runners.size(); ++row) {
        const RunnerInfo &r = runners.at(row);
        const bool alive = runnerSeemsAlive(r, now);
        const QStringList cells { r.host, QString::number(r.pid),
            tr("%1 of %2").arg(r.running).arg(r.workers), format::timestamp(r.startedAtMs),
            alive ? tr("%1 ago").arg(format::duration(qMax<qint64>(0, now - r.lastSeenAtMs)))
                  : tr("silent for %1: its jobs go back to the queue when their leases end")
                        .arg(format::duration(now - r.lastSeenAtMs)) };
        for (int column = 0; column < cells.size(); ++column) {
            auto *item = new QTableWidgetItem(cells.at(column));
            if (!alive)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            m_table->setItem(row, column, item);
        }
    }
    if (runners.isEmpty())
        m_problem->setText(tr("No program is running jobs from this queue now."));
    m_problem->setVisible(runners.isEmpty());
}

} // namespace spool::app
