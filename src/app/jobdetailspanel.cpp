#include "jobdetailspanel.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImageReader>
#include <QJsonArray>
#include <QtConcurrent/QtConcurrentRun>
#include <QUrl>
#include <QVBoxLayout>

#include "backgroundpool.h"
#include "downloadjob.h"
#include "format.h"
#include "job/jobfiles.h"
#include "jobtablemodel.h"
#include "previewhub.h"
#include "previewmerge.h"
#include "queue/jobqueue.h"
#include "sparkline.h"
#include "ui_jobdetailspanel.h"
#include "util/runneridentity.h"

namespace spool::app {

namespace {
constexpr int kHistory = 120; // speed samples shown (about a minute at the queue's rate)
constexpr int kEventsRefreshMs = 1000;
constexpr int kPreviewRefreshMs = 150; // as often as a render publishes
constexpr int kPreviewFileEveryTicks = 7; // about once a second for files
constexpr int kSharedPreviewEveryTicks = 13; // about every 2 s, as runners share them
constexpr int kPreviewSide = 512;
constexpr int kTimeColumnWidth = 95; // "HH:mm:ss.zzz"

// A job running on another machine: a preview.png here is an older attempt's.
bool runsElsewhere(const JobRecord &record)
{
    return record.state == JobState::Running && !record.leaseOwner.isEmpty()
        && runneridentity::hostOf(record.leaseOwner) != runneridentity::hostName();
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
    m_ui->timelineTree->setColumnWidth(0, kTimeColumnWidth);
    m_ui->timelineTree->setColumnWidth(1, 28);
    m_ui->timelineTree->setColumnWidth(2, 110);
    m_eventsTimer.setSingleShot(true);
    m_eventsTimer.setInterval(kEventsRefreshMs);
    connect(&m_eventsTimer, &QTimer::timeout, this, &JobDetailsPanel::requestEvents);
    connect(model, &JobTableModel::rowsUpdated, this, &JobDetailsPanel::onRowsUpdated);
    m_ui->previewLabel->installEventFilter(this); // rescales the picture with the panel
    m_previewTimer.setInterval(kPreviewRefreshMs);
    connect(&m_previewTimer, &QTimer::timeout, this, &JobDetailsPanel::updatePreview);
    connect(&m_previewLoad, &QFutureWatcherBase::finished, this, [this] {
        if (m_previewLoad.future().resultCount() > 0 && !m_previewLoad.result().isNull())
            showPreview(m_previewLoad.result());
    });
    connect(&m_partsLoad, &QFutureWatcherBase::finished, this, [this] {
        if (m_partsLoad.future().resultCount() == 0)
            return;
        const QHash<QUuid, QImage> loaded = m_partsLoad.result();
        for (auto it = loaded.cbegin(); it != loaded.cend(); ++it) {
            if (!it->isNull())
                m_partImages.insert(it.key(), it.value());
        }
        showMergedPreview();
    });
    showJob(QUuid());
}

JobDetailsPanel::~JobDetailsPanel()
{
    delete m_ui;
}

void JobDetailsPanel::setQueue(JobQueue *queue)
{
    disconnect(m_eventsConnection);
    disconnect(m_sharedPreviewConnection);
    m_queue = queue;
    m_sharedPreviewAsked.clear();
    if (!queue)
        return;
    m_eventsConnection = connect(queue, &JobQueue::eventsReady, this, &JobDetailsPanel::onEvents);
    m_sharedPreviewConnection =
        connect(queue, &JobQueue::sharedPreviewReady, this, &JobDetailsPanel::onSharedPreview);
}

void JobDetailsPanel::showJob(const QUuid &id, bool whole)
{
    if (id != m_id || whole != m_whole) {
        m_speedHistory.clear();
        m_ui->timelineTree->clear();
        m_preview = QImage();
        m_previewVersion = 0;
        m_previewFile.clear();
        m_previewFileStamp = 0;
        m_partImages.clear();
        m_partVersions.clear();
        m_ui->previewLabel->clear();
        m_upToDate = false;
        m_partEvents.clear();
    }
    m_id = id;
    m_whole = whole && !id.isNull();
    refresh();
    requestEvents();
}

void JobDetailsPanel::requestEvents()
{
    if (!m_queue)
        return;
    for (const QUuid &id : shownJobs())
        m_queue->requestEvents(id);
}

std::optional<JobRecord> JobDetailsPanel::shownRecord() const
{
    if (m_whole)
        return m_model->record(m_model->rowOf(m_id));
    return m_model->recordById(m_id);
}

QList<QUuid> JobDetailsPanel::shownJobs() const
{
    if (m_id.isNull())
        return {};
    const auto first = m_whole ? m_model->recordById(m_id) : std::nullopt;
    const QList<QUuid> members =
        first ? m_model->groupMembers(m_model->groupOf(*first)) : QList<QUuid>();
    return members.isEmpty() ? QList<QUuid> { m_id } : members;
}

void JobDetailsPanel::requestEventsSoon()
{
    if (!m_eventsTimer.isActive())
        m_eventsTimer.start();
}

void JobDetailsPanel::onRowsUpdated(const QSet<QUuid> &ids)
{
    const QList<QUuid> shown = shownJobs();
    if (std::none_of(shown.begin(), shown.end(), [&](const QUuid &id) { return ids.contains(id); }))
        return;
    if (const JobProgress *live = m_whole ? nullptr : m_model->liveProgress(m_id)) {
        m_speedHistory.append(qMax(0.0, live->ratePerSecond));
        if (m_speedHistory.size() > kHistory)
            m_speedHistory.remove(0, m_speedHistory.size() - kHistory);
    }
    refresh();
    requestEventsSoon();
}

void JobDetailsPanel::refresh()
{
    const auto record = shownRecord();
    const bool has = record.has_value();
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
    QJsonObject params = m_model->paramsOf(r);
    QString title = m_model->title(r);
    if (m_whole) {
        // Not part 1's: the split job's name and parameters.
        title = m_model->data(m_model->index(m_model->rowOf(m_id), JobTableModel::NameColumn))
                    .toString();
        params.remove(QStringLiteral("part"));
        params.remove(QStringLiteral("deliver"));
    }
    m_ui->titleLabel->setText(QStringLiteral("%1 — %2").arg(title, format::stateText(r)));
    m_ui->kindValue->setText(r.kind);
    m_ui->idValue->setText(idString(r.id));
    m_ui->paramsValue->setText(format::paramsText(params));
    QStringList times { tr("queued %1").arg(format::timestamp(r.enqueuedAtMs)) };
    if (r.startedAtMs > 0)
        times.append(tr("started %1").arg(format::timestamp(r.startedAtMs)));
    // A job canceled or removed before it started has no run to measure.
    if (r.finishedAtMs > 0 && r.startedAtMs > 0)
        times.append(tr("finished %1 (%2)")
                         .arg(format::timestamp(r.finishedAtMs),
                             format::duration(r.finishedAtMs - r.startedAtMs)));
    else if (r.finishedAtMs > 0)
        times.append(tr("finished %1 without starting").arg(format::timestamp(r.finishedAtMs)));
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
        if (m_upToDate && r.state == JobState::Succeeded)
            m_ui->bytesValue->setText(
                tr("Up to date (not modified): %1 already here").arg(format::bytes(progress.done)));
        else
            m_ui->bytesValue->setText(progress.totalKnown()
                    ? tr("%1 of %2")
                          .arg(format::bytes(progress.done), format::bytes(progress.total))
                    : format::bytes(progress.done));
        m_ui->speedValue->setText(
            live ? format::rate(live->ratePerSecond, units::Bytes) : QString());
        m_ui->serverValue->setText(
            QUrl(m_model->paramsOf(r).value(QStringLiteral("url")).toString()).host());
        QString retry = tr("%1 of %2").arg(attemptShown(r)).arg(r.maxAttempts);
        if (r.state == JobState::Queued && r.notBeforeMs > QDateTime::currentMSecsSinceEpoch())
            retry += tr(", next at %1").arg(format::timestamp(r.notBeforeMs));
        m_ui->retryValue->setText(retry);
        m_speed->setValues(m_speedHistory);
    }
    const bool render = r.kind == QLatin1String("render");
    m_ui->previewBox->setVisible(render);
    if (render) {
        updatePreview();
        if (!m_previewTimer.isActive())
            m_previewTimer.start();
    } else {
        m_previewTimer.stop();
    }
}

void JobDetailsPanel::updatePreview()
{
    const auto record = m_model->recordById(m_id);
    if (!record || record->kind != QLatin1String("render")) {
        m_previewTimer.stop();
        return;
    }
    ++m_previewTick;
    const QString group = m_model->groupOf(*record);
    if (!group.isEmpty()) {
        updateMergedPreview(group);
        return;
    }
    // A render in this process publishes to the hub: no file, no decoding, no copy.
    quint64 version = 0;
    const QImage live = render::PreviewHub::instance().latest(m_id, &version);
    if (!live.isNull() && record->state != JobState::Succeeded) {
        if (version != m_previewVersion) {
            m_previewVersion = version;
            showPreview(live);
        }
        return;
    }
    // Otherwise a file: the finished picture, or the preview another process here keeps writing.
    if (runsElsewhere(*record)) {
        m_previewFile.clear();
    } else {
        const QString file =
            record->state == JobState::Succeeded ? record->output : previewFileOf(m_id);
        if (loadPreviewFile(file))
            return;
    }
    // Running on another machine: the picture its runner shares through the queue.
    if (record->state == JobState::Running && m_previewTick % kSharedPreviewEveryTicks == 1)
        askSharedPreview(m_id);
}

QString JobDetailsPanel::previewFileOf(const QUuid &id) const
{
    return m_workRoot.isEmpty()
        ? QString()
        : QDir(jobfiles::workDir(m_workRoot, id)).filePath(QStringLiteral("preview.png"));
}

// Looked at about once a second, decoded on the pool (a 16-bit PNG of 8192 pixels a side takes
// a while), scaled down as it is read. False when there is no such file.
bool JobDetailsPanel::loadPreviewFile(const QString &file)
{
    if (m_previewTick % kPreviewFileEveryTicks != 1 && !m_previewFile.isEmpty())
        return true;
    const QFileInfo info(file);
    if (file.isEmpty() || !info.isFile())
        return false;
    const qint64 stamp = info.lastModified().toMSecsSinceEpoch() ^ info.size();
    if (m_previewLoad.isRunning() || (file == m_previewFile && stamp == m_previewFileStamp))
        return true;
    m_previewFile = file;
    m_previewFileStamp = stamp;
    m_previewLoad.setFuture(QtConcurrent::run(backgroundPool(), [file] {
        QImageReader reader(file);
        const QSize size = reader.size();
        if (size.isValid() && (size.width() > kPreviewSide || size.height() > kPreviewSide))
            reader.setScaledSize(size.scaled(kPreviewSide, kPreviewSide, Qt::KeepAspectRatio));
        return reader.read();
    }));
    return true;
}

void JobDetailsPanel::askSharedPreview(const QUuid &id)
{
    if (m_queue && !m_sharedPreviewAsked.contains(id)) {
        m_sharedPreviewAsked.insert(id);
        m_queue->requestSharedPreview(id);
    }
}

// A split render is shown whole: its finished picture, or the parts' previews merged, each from
// where it is (this process, another process's file, another machine through the queue).
void JobDetailsPanel::updateMergedPreview(const QString &group)
{
    const QList<QUuid> members = m_model->groupMembers(group);
    for (const QUuid &id : members) {
        const auto part = m_model->recordById(id);
        if (part && part->state == JobState::Succeeded && !part->output.isEmpty()) {
            loadPreviewFile(part->output);
            return;
        }
    }
    bool changed = false;
    QList<std::pair<QUuid, QString>> files;
    for (const QUuid &id : members) {
        const auto part = m_model->recordById(id);
        if (!part)
            continue;
        quint64 version = 0;
        const QImage live = render::PreviewHub::instance().latest(id, &version);
        if (!live.isNull()) {
            if (m_partVersions.value(id) != version) {
                m_partVersions.insert(id, version);
                m_partImages.insert(id, live);
                changed = true;
            }
            continue;
        }
        if (const QString file = previewFileOf(id);
            !runsElsewhere(*part) && QFileInfo::exists(file))
            files.append({ id, file });
        else if (part->state == JobState::Running && m_previewTick % kSharedPreviewEveryTicks == 1)
            askSharedPreview(id);
    }
    if (!files.isEmpty() && !m_partsLoad.isRunning()
        && m_previewTick % kPreviewFileEveryTicks == 1) {
        m_partsLoad.setFuture(QtConcurrent::run(backgroundPool(), [files] {
            QHash<QUuid, QImage> images;
            for (const auto &[id, file] : files)
                images.insert(id, QImage(file));
            return images;
        }));
    }
    if (changed)
        showMergedPreview();
}

void JobDetailsPanel::showMergedPreview()
{
    const auto record = m_model->recordById(m_id);
    if (!record)
        return;
    QList<PartPreview> parts;
    for (const QUuid &id : m_model->groupMembers(m_model->groupOf(*record))) {
        const auto image = m_partImages.constFind(id);
        const auto part = m_model->recordById(id);
        if (image == m_partImages.cend() || !part)
            continue;
        const JobProgress *live = m_model->liveProgress(id);
        const qint64 done = part->state == JobState::Succeeded
            ? part->progress.total
            : (live ? live->progress : part->progress).done;
        parts.append({ *image, done });
    }
    const QImage merged = mergePartPreviews(parts);
    if (!merged.isNull())
        showPreview(merged);
}

void JobDetailsPanel::onSharedPreview(const QUuid &id, const QByteArray &image)
{
    m_sharedPreviewAsked.remove(id);
    if (image.isEmpty() || !m_previewFile.isEmpty())
        return;
    // A JPEG of 256 pixels a side: decoded here in well under a millisecond.
    const QImage decoded = QImage::fromData(image, "JPEG");
    if (decoded.isNull())
        return;
    const auto record = m_model->recordById(m_id);
    const QString group = record ? m_model->groupOf(*record) : QString();
    if (group.isEmpty()) {
        if (id == m_id)
            showPreview(decoded);
    } else if (m_model->groupMembers(group).contains(id)) {
        m_partImages.insert(id, decoded);
        showMergedPreview();
    }
}

void JobDetailsPanel::showPreview(const QImage &image)
{
    m_preview = image;
    if (image.isNull()) {
        m_ui->previewLabel->clear();
        return;
    }
    // Fit the label (never enlarged past twice the preview: it would only show blur).
    const QSize room = m_ui->previewLabel->size().boundedTo(image.size() * 2);
    const qreal dpr = m_ui->previewLabel->devicePixelRatioF();
    QPixmap pixmap =
        QPixmap::fromImage(image.scaled(room * dpr, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    pixmap.setDevicePixelRatio(dpr);
    m_ui->previewLabel->setPixmap(pixmap);
}

bool JobDetailsPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_ui->previewLabel && event->type() == QEvent::Resize && !m_preview.isNull())
        showPreview(m_preview);
    return QWidget::eventFilter(watched, event);
}

void JobDetailsPanel::onEvents(const QUuid &id, const QList<JobEvent> &events)
{
    if (m_whole) {
        // Every part's timeline, each under its part's name.
        const QList<QUuid> parts = shownJobs();
        if (!parts.contains(id))
            return;
        m_partEvents.insert(id, events);
        QList<QPair<QString, QList<JobEvent>>> sections;
        for (const QUuid &part : parts) {
            const auto record = m_model->recordById(part);
            if (record && m_partEvents.contains(part))
                sections.append({ m_model->memberTitle(*record), m_partEvents.value(part) });
        }
        showTimeline(sections);
        return;
    }
    if (id != m_id)
        return;
    showTimeline({ { QString(), events } });
    // A download the server called "not modified" in its last attempt is up to date.
    bool upToDate = false;
    for (const JobEvent &e : events) {
        if (e.event == QLatin1String("started"))
            upToDate = false;
        else if (e.event == QLatin1String("log") && e.detail == kNotModifiedNote)
            upToDate = true;
    }
    if (upToDate != m_upToDate) {
        m_upToDate = upToDate;
        refresh();
    }
}

// Events in sections: a job's own (no name: one line each, latest in view), or a split job's
// parts (each part's name over its events).
void JobDetailsPanel::showTimeline(const QList<QPair<QString, QList<JobEvent>>> &sections)
{
    QTreeWidget *tree = m_ui->timelineTree;
    tree->clear();
    constexpr int kPartIndent = 10;
    tree->setIndentation(m_whole ? kPartIndent : 0);
    tree->setColumnWidth(0, kTimeColumnWidth + (m_whole ? kPartIndent : 0));
    for (const auto &[name, events] : sections) {
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
        if (name.isEmpty()) {
            tree->addTopLevelItems(items);
            continue;
        }
        auto *header = new QTreeWidgetItem({ name });
        QFont bold = header->font(0);
        bold.setBold(true);
        header->setFont(0, bold);
        header->addChildren(items);
        tree->addTopLevelItem(header);
        header->setFirstColumnSpanned(true);
        header->setExpanded(true);
    }
    if (!m_whole)
        tree->scrollToBottom();
}

} // namespace spool::app
