#include "jobdetailspanel.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUrl>
#include <QVBoxLayout>

#include "format.h"
#include "jobtablemodel.h"
#include "queue/jobqueue.h"
#include "sparkline.h"
#include "ui_jobdetailspanel.h"
#include "util/runneridentity.h"

namespace spool::app {

namespace {
constexpr int kHistory = 120; // speed samples shown (about a minute at the queue's rate)
constexpr int kEventsRefreshMs = 1000;

QString paramsText(const QJsonObject &params)
{
    QStringList lines;
    for (auto it = params.begin(); it != params.end(); ++it) {
        QString value;
        if (it.value().isArray()) {
            QStringList items;
            for (const QJsonValue &v : it.value().toArray())
                items.append(v.toString());
            value = items.join(QStringLiteral("; "));
        } else if (it.value().isString()) {
            value = it.value().toString();
        } else {
            value = QString::number(it.value().toDouble(), 'g', 15);
        }
        lines.append(QStringLiteral("%1: %2").arg(it.key(), value));
    }
    return lines.join(QLatin1Char('\n'));
}
} // namespace

JobDetailsPanel::JobDetailsPanel(JobTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_ui(new Ui::JobDetailsPanel)
    , m_model(model)
    , m_speed(new Sparkline(this))
{
    m_ui->setupUi(this);
    auto *graphLayout = new QVBoxLayout(m_ui->speedGraphHost);
    graphLayout->setContentsMargins(0, 0, 0, 0);
    graphLayout->addWidget(m_speed);
    QFont bold = m_ui->titleLabel->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_ui->titleLabel->setFont(bold);
    m_ui->timelineTree->setColumnWidth(0, 95);
    m_ui->timelineTree->setColumnWidth(1, 28);
    m_ui->timelineTree->setColumnWidth(2, 110);
    m_eventsTimer.setSingleShot(true);
    m_eventsTimer.setInterval(kEventsRefreshMs);
    connect(&m_eventsTimer, &QTimer::timeout, this, [this] {
        if (m_queue && !m_id.isNull())
            m_queue->requestEvents(m_id);
    });
    connect(model, &JobTableModel::rowsUpdated, this, &JobDetailsPanel::onRowsUpdated);
    showJob(QUuid());
}

JobDetailsPanel::~JobDetailsPanel()
{
    delete m_ui;
}

void JobDetailsPanel::setQueue(JobQueue *queue)
{
    disconnect(m_eventsConnection);
    m_queue = queue;
    if (queue)
        m_eventsConnection =
            connect(queue, &JobQueue::eventsReady, this, &JobDetailsPanel::onEvents);
}

void JobDetailsPanel::showJob(const QUuid &id)
{
    if (id != m_id) {
        m_speedHistory.clear();
        m_ui->timelineTree->clear();
    }
    m_id = id;
    refresh();
    if (m_queue && !id.isNull())
        m_queue->requestEvents(id);
}

void JobDetailsPanel::requestEventsSoon()
{
    if (!m_eventsTimer.isActive())
        m_eventsTimer.start();
}

void JobDetailsPanel::onRowsUpdated(const QSet<QUuid> &ids)
{
    if (m_id.isNull() || !ids.contains(m_id))
        return;
    if (const JobProgress *live = m_model->liveProgress(m_id)) {
        m_speedHistory.append(qMax(0.0, live->ratePerSecond));
        if (m_speedHistory.size() > kHistory)
            m_speedHistory.remove(0, m_speedHistory.size() - kHistory);
    }
    refresh();
    requestEventsSoon();
}

void JobDetailsPanel::refresh()
{
    const JobRecord *record = m_model->recordById(m_id);
    const bool has = record != nullptr;
    for (QWidget *w : { static_cast<QWidget *>(m_ui->kindTitle),
             static_cast<QWidget *>(m_ui->kindValue), static_cast<QWidget *>(m_ui->idTitle),
             static_cast<QWidget *>(m_ui->idValue), static_cast<QWidget *>(m_ui->paramsTitle),
             static_cast<QWidget *>(m_ui->paramsValue), static_cast<QWidget *>(m_ui->timesTitle),
             static_cast<QWidget *>(m_ui->timesValue), static_cast<QWidget *>(m_ui->timelineTree) })
        w->setVisible(has);
    if (!has) {
        m_ui->titleLabel->setText(tr("Select a job to see its details."));
        for (QWidget *w :
            { static_cast<QWidget *>(m_ui->outputTitle), static_cast<QWidget *>(m_ui->outputValue),
                static_cast<QWidget *>(m_ui->errorTitle), static_cast<QWidget *>(m_ui->errorValue),
                static_cast<QWidget *>(m_ui->transferBox),
                static_cast<QWidget *>(m_ui->previewBox) })
            w->setVisible(false);
        return;
    }
    const JobRecord &r = *record;
    m_ui->titleLabel->setText(
        QStringLiteral("%1 — %2").arg(m_model->title(r), format::stateText(r)));
    m_ui->kindValue->setText(r.kind);
    m_ui->idValue->setText(idString(r.id));
    m_ui->paramsValue->setText(paramsText(r.params));
    QStringList times { tr("queued %1").arg(format::timestamp(r.enqueuedAtMs)) };
    if (r.startedAtMs > 0)
        times.append(tr("started %1").arg(format::timestamp(r.startedAtMs)));
    if (r.finishedAtMs > 0)
        times.append(tr("finished %1 (%2)")
                         .arg(format::timestamp(r.finishedAtMs),
                             format::duration(r.finishedAtMs - r.startedAtMs)));
    m_ui->timesValue->setText(times.join(QStringLiteral(", ")));
    m_ui->outputValue->setText(r.output);
    m_ui->outputTitle->setVisible(!r.output.isEmpty());
    m_ui->outputValue->setVisible(!r.output.isEmpty());
    m_ui->errorValue->setText(r.error);
    m_ui->errorTitle->setVisible(!r.error.isEmpty());
    m_ui->errorValue->setVisible(!r.error.isEmpty());

    const bool download = r.kind == QLatin1String("download");
    m_ui->transferBox->setVisible(download);
    if (download) {
        const JobProgress *live = m_model->liveProgress(r.id);
        const Progress progress = live ? live->progress : r.progress;
        m_ui->bytesValue->setText(progress.totalKnown()
                ? tr("%1 of %2").arg(format::bytes(progress.done), format::bytes(progress.total))
                : format::bytes(progress.done));
        m_ui->speedValue->setText(
            live ? format::rate(live->ratePerSecond, units::Bytes) : QString());
        m_ui->serverValue->setText(QUrl(r.params.value(QStringLiteral("url")).toString()).host());
        QString retry = tr("%1 of %2").arg(r.attempts).arg(r.maxAttempts);
        if (r.state == JobState::Queued && r.notBeforeMs > QDateTime::currentMSecsSinceEpoch())
            retry += tr(", next at %1").arg(format::timestamp(r.notBeforeMs));
        m_ui->retryValue->setText(retry);
        m_speed->setValues(m_speedHistory);
    }
    m_ui->previewBox->setVisible(false); // renders show their preview here (render job kind)
}

void JobDetailsPanel::onEvents(const QUuid &id, const QList<JobEvent> &events)
{
    if (id != m_id)
        return;
    m_ui->timelineTree->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(events.size());
    for (const JobEvent &e : events) {
        const QString detail = e.event == QLatin1String("started")
            ? tr("by %1").arg(runneridentity::describeOwner(e.detail))
            : e.detail;
        auto *item = new QTreeWidgetItem(
            { QDateTime::fromMSecsSinceEpoch(e.atMs).toString(QStringLiteral("HH:mm:ss.zzz")),
                QString::number(e.attempt), e.event, detail });
        item->setToolTip(3, detail);
        items.append(item);
    }
    m_ui->timelineTree->addTopLevelItems(items);
    m_ui->timelineTree->scrollToBottom();
}

} // namespace spool::app
