#include "renderjob.h"

#include <atomic>
#include <cstring>
#include <optional>
#include <thread>
#include <vector>

#include <QBuffer>
#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QJsonArray>
#include <QJsonDocument>

#include "job/jobrecord.h"
#include "pngencoder.h"
#include "previewhub.h"
#include "progress/progress.h"
#include "renderer.h"
#include "renderstate.h"
#include "samplehandoff.h"
#include "sceneinputs.h"
#include "sharedscene.h"
#include "splitrender.h"
#include "util/atomicfile.h"
#include "util/outputfiles.h"
#include "util/runneridentity.h"

namespace spool::render {

namespace {

constexpr int kMaxSamplesPerPass = 8; // bounds a tile's time, and so the time to stop
constexpr qint64 kPreviewEveryMs = 150;
constexpr qint64 kPreviewFileEveryMs = 1000;
constexpr qint64 kProgressEveryMs = 30;
constexpr qint64 kCheckpointEveryMs = 10000;
constexpr int kPreviewSide = 512;
// What goes through a shared queue for windows on other machines: smaller and rarer.
constexpr qint64 kSharedPreviewEveryMs = 2000;
constexpr int kSharedPreviewSide = 256;

// A JPEG of about 10-20 KB: a PNG of a noisy early pass would be ten times that.
QByteArray sharedPreviewOf(const QImage &preview)
{
    const QImage small =
        preview.width() > kSharedPreviewSide || preview.height() > kSharedPreviewSide
        ? preview.scaled(
            kSharedPreviewSide, kSharedPreviewSide, Qt::KeepAspectRatio, Qt::SmoothTransformation)
        : preview;
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "jpeg");
    writer.setQuality(80);
    return writer.write(small) ? jpeg : QByteArray();
}

struct Params
{
    QString scene;
    QString read; // the model file to read: the scene, or its copy from a shared queue
    QJsonArray files; // the scene's files in a shared queue; empty: read the scene's path
    // The machine that queued the render (a shared queue): each part's samples go into the
    // queue, and a delivery job there writes the PNG. Empty: every job writes beside p.out.
    QString deliverTo;
    bool delivery = false; // this job is that delivery
    QString out;
    QString camera;
    int width = 1024;
    int height = 768;
    int samples = 16;
    int ao = 8;
    int depth = 8;
    int threads = 0; // at most this many threads in all; 0: as many as the queue lends
    uint32_t seed = 1;
};

Params parse(const QJsonObject &json)
{
    Params p;
    p.scene = json.value(QStringLiteral("scene")).toString();
    p.read = p.scene;
    p.files = json.value(QStringLiteral("files")).toArray();
    p.deliverTo = json.value(QStringLiteral("deliver_to")).toString();
    p.delivery = json.value(QStringLiteral("deliver")).toBool();
    p.out = json.value(QStringLiteral("out")).toString();
    p.camera = json.value(QStringLiteral("camera")).toString();
    p.width = json.value(QStringLiteral("width")).toInt(p.width);
    p.height = json.value(QStringLiteral("height")).toInt(p.height);
    p.samples = json.value(QStringLiteral("samples")).toInt(p.samples);
    p.ao = json.value(QStringLiteral("ao")).toInt(p.ao);
    p.depth = json.value(QStringLiteral("depth")).toInt(p.depth);
    p.threads = json.value(QStringLiteral("threads")).toInt(p.threads);
    p.seed = uint32_t(json.value(QStringLiteral("seed")).toInteger(p.seed));
    return p;
}

// What the accumulated samples depend on: a saved accumulation is only resumed if it matches.
QByteArray fingerprint(const Params &p)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QFileInfo scene(p.scene);
    // Files from the queue are known by their content, the same on every machine.
    if (!p.files.isEmpty())
        hash.addData(QJsonDocument(p.files).toJson(QJsonDocument::Compact));
    const bool onDisk = p.files.isEmpty() && scene.exists();
    hash.addData(QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8")
                     .arg(p.scene)
                     .arg(onDisk ? scene.size() : -1)
                     .arg(onDisk ? scene.lastModified().toMSecsSinceEpoch() : -1)
                     .arg(p.camera)
                     .arg(p.width)
                     .arg(p.height)
                     .arg(p.ao)
                     .arg(p.seed)
                     .toUtf8());
    return hash.result();
}

// Qt's PNG writer takes 0..100 and maps it onto zlib's levels as value * 9 / 91, so a zlib level
// passed straight through (6 -> 0) wrote every PNG uncompressed.
int qtPngCompression(int zlibLevel)
{
    return (zlibLevel * 91 + 8) / 9;
}

// Writes the PNG beside its final name, then renames it into place without replacing anything.
Result<QString> writeOutput(
    const QImage &image, const Params &p, const QString &tag, const QString &workDir)
{
    // Encoded in memory first: a PNG writer on the file would hide why a write failed (a full
    // disk reads "Unknown error"), and a buffered file could fail only at close, unchecked.
    auto encoded = encodePng(image);
    if (!encoded)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot encode %1: %2").arg(p.out, encoded.error().message));
    const QByteArray &png = encoded.value();
    const QString temporary = outputfiles::temporaryPathFor(p.out, tag);
    {
        QFile file(temporary);
        if (auto opened = outputfiles::openForWriting(
                file, QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered);
            !opened)
            return opened.error(); // a link at the name is left alone, not removed
        if (auto written = outputfiles::writeAll(file, p.out, png.constData(), png.size());
            !written) {
            file.close();
            QFile::remove(temporary);
            return written.error();
        }
    }
    // If this process dies before the queue records success, the next attempt finds the file.
    auto moved = outputfiles::deliver(temporary, p.out, workDir);
    if (!moved) {
        QFile::remove(temporary);
        return moved.error();
    }
    return moved.value();
}

// One pass over every tile, by this thread and the helpers the queue lends.
class Pass
{
public:
    Pass(const Renderer &renderer, JobContext &context, std::vector<float> &sum, int firstSample,
        int samples, int maxHelpers)
        : m_renderer(renderer)
        , m_context(context)
        , m_sum(sum)
        , m_firstSample(firstSample)
        , m_samples(samples)
        , m_maxHelpers(maxHelpers)
        , m_tileDone(size_t(renderer.tileCount()))
    {
        for (auto &done : m_tileDone)
            done.store(false, std::memory_order_relaxed);
    }

    ~Pass() { joinHelpers(); }

    bool tileDone(int tile) const
    {
        return m_tileDone[size_t(tile)].load(std::memory_order_acquire);
    }
    qint64 pixelSamples() const { return m_pixelSamples.load(std::memory_order_relaxed); }
    uint64_t rays() const { return m_rays.load(std::memory_order_relaxed); }
    // The most threads that rendered this pass at once, this one included.
    int peakThreads() const { return m_peak.load() + 1; }

    // Asks the queue for more slots, up to the limit; idle slots appear over time.
    void borrow()
    {
        const int wanted = m_maxHelpers - m_active.load();
        if (wanted <= 0 || m_stop.load())
            return;
        const int lent = m_context.borrowWorkers(wanted);
        for (int i = 0; i < lent; ++i) {
            const int active = ++m_active;
            m_peak.store(std::max(m_peak.load(), active));
            m_threads.emplace_back([this] { helper(); });
        }
    }

    // Renders tiles on the calling thread until none are left; `between` runs after each tile
    // and returns false to stop the pass.
    void run(const std::function<bool()> &between)
    {
        for (;;) {
            if (m_stop.load() || !renderNext())
                break;
            if (!between()) {
                m_stop.store(true);
                break;
            }
        }
        joinHelpers();
    }

private:
    bool renderNext()
    {
        const int tile = m_next.fetch_add(1);
        if (tile >= m_renderer.tileCount())
            return false;
        m_rays.fetch_add(m_renderer.renderTile(tile, m_firstSample, m_samples, m_sum.data()),
            std::memory_order_relaxed);
        m_pixelSamples.fetch_add(
            qint64(m_renderer.tilePixels(tile)) * m_samples, std::memory_order_relaxed);
        m_tileDone[size_t(tile)].store(true, std::memory_order_release);
        return true;
    }

    void helper()
    {
        m_context.enterHelperThread();
        enableFastFloat();
        // A piece at a time; the slot goes back as soon as queued work needs it.
        while (!m_stop.load() && !m_context.workersNeeded() && renderNext()) { }
        --m_active;
        m_context.returnWorkers(1);
    }

    void joinHelpers()
    {
        for (auto &thread : m_threads)
            thread.join();
        m_threads.clear();
    }

    const Renderer &m_renderer;
    JobContext &m_context;
    std::vector<float> &m_sum;
    const int m_firstSample;
    const int m_samples;
    const int m_maxHelpers;
    std::vector<std::atomic<bool>> m_tileDone;
    std::atomic<int> m_next { 0 };
    std::atomic<bool> m_stop { false };
    std::atomic<int> m_active { 0 };
    std::atomic<int> m_peak { 0 };
    std::atomic<qint64> m_pixelSamples { 0 };
    std::atomic<uint64_t> m_rays { 0 };
    std::vector<std::thread> m_threads;
};

// Renders samples [range.first, range.first + range.count) of every pixel into `accum`,
// resuming from the checkpoint `print` stands for. Returns a result when the job ends here
// (stopped, a bad scene), nothing when `accum` holds the whole range.
std::optional<JobResult> renderSamples(JobContext &context, const Params &p,
    split::SampleRange range, const QByteArray &print, std::vector<float> &accum,
    int *peakThreadsOut)
{
    const QString workDir = context.workDir();
    const qint64 pixels = qint64(p.width) * p.height;
    const qint64 total = pixels * range.count;
    context.setProgressUnit(units::Samples);
    QElapsedTimer started;
    started.start();

    if (!isProcedural(p.scene)) {
        // Checked when queued too, but this machine may see other files than the one that
        // queued it (a shared queue).
        const InputCheck inputs = checkInputs(p.read);
        if (!inputs.refusal.isEmpty())
            return JobResult::failure(
                QStringLiteral("%1 (on %2)").arg(inputs.refusal, runneridentity::hostName()),
                false);
        for (const QString &note : inputs.notes)
            context.log(note);
    }
    auto scene = loadScene(p.read, [&] { return context.shouldStop(); });
    if (context.shouldStop())
        return JobResult::stopped();
    if (!scene)
        return JobResult::failure(scene.error().message, false);
    auto camera = scene->camera(p.camera);
    if (!camera)
        return JobResult::failure(camera.error().message, false);
    RenderSettings settings;
    settings.width = p.width;
    settings.height = p.height;
    settings.samples = p.samples;
    settings.aoSamples = p.ao;
    settings.seed = p.seed;
    settings.camera = camera.value();
    settings.light = scene->keyLight(camera.value());
    auto created = Renderer::create(scene.value(), settings);
    if (!created)
        return JobResult::failure(created.error().message, false);
    const Renderer &renderer = *created.value();
    context.log(QStringLiteral("%1 triangles, camera '%2', scene ready in %3 ms")
                    .arg(scene->triangleCount)
                    .arg(settings.camera.name)
                    .arg(started.elapsed()));
    scene = Scene(); // the BVH has its own copy

    accum.assign(size_t(pixels) * 3, 0.0f);
    int samplesDone = std::min(loadState(workDir, print, accum), range.count);
    if (samplesDone > 0)
        context.log(QStringLiteral("resuming at %1 of %2 samples per pixel")
                        .arg(samplesDone)
                        .arg(range.count));
    context.setProgress(pixels * samplesDone, total);

    const int maxHelpers = p.threads > 0 ? p.threads - 1 : 255;
    QElapsedTimer sinceCheckpoint, sincePreview, sincePreviewFile, sinceShared, sinceProgress;
    sinceCheckpoint.start();
    sinceProgress.start();
    std::vector<float> passSum(size_t(pixels) * 3, 0.0f);
    const QString previewFile = QDir(workDir).filePath(QStringLiteral("preview.png"));

    // `force`: now, in process (a pass ended); `writeFile`: the file too, whatever its age.
    const auto publishPreview = [&](const Pass *pass, int passSamples, bool force,
                                    bool writeFile = false) {
        if (!force && sincePreview.isValid() && sincePreview.elapsed() < kPreviewEveryMs)
            return;
        sincePreview.start();
        const int tilesX = (p.width + Renderer::kTileSize - 1) / Renderer::kTileSize;
        const QImage image =
            previewImage(p.width, p.height, kPreviewSide, [&](int x, int y, float *rgb) {
                const size_t at = (size_t(y) * size_t(p.width) + size_t(x)) * 3;
                const int tile = (y / Renderer::kTileSize) * tilesX + x / Renderer::kTileSize;
                const bool inPass = pass && pass->tileDone(tile);
                const int n = samplesDone + (inPass ? passSamples : 0);
                if (n == 0)
                    return false;
                for (int c = 0; c < 3; ++c)
                    rgb[c] = (accum[at + c] + (inPass ? passSum[at + c] : 0.0f)) / float(n);
                return true;
            });
        PreviewHub::instance().publish(context.id(), image);
        if (writeFile || !sincePreviewFile.isValid()
            || sincePreviewFile.elapsed() >= kPreviewFileEveryMs) {
            // For an app in another process; small, replaced atomically, and written at most
            // once a second: while this thread compresses it, its tiles wait.
            sincePreviewFile.start();
            QByteArray png;
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            QImageWriter writer(&buffer, "png");
            writer.setCompression(qtPngCompression(1));
            if (writer.write(image) && context.holdsLease() && QDir().mkpath(workDir)) {
                QString ignored;
                atomicfile::write(previewFile, png, &ignored);
            }
        }
        if (context.previewsShared()
            && (writeFile || !sinceShared.isValid()
                || sinceShared.elapsed() >= kSharedPreviewEveryMs)) {
            sinceShared.start();
            context.sharePreview(sharedPreviewOf(image));
        }
    };
    if (samplesDone > 0)
        publishPreview(nullptr, 0, true, true);

    bool firstPreview = samplesDone == 0;
    int peakThreads = 1;
    uint64_t raysTraced = 0;
    QElapsedTimer tracing;
    tracing.start();
    while (samplesDone < range.count) {
        // 1 sample first (a whole coarse image early), then doubling, at most 8 at a time.
        const int passSamples =
            std::min({ std::max(1, samplesDone), kMaxSamplesPerPass, range.count - samplesDone });
        std::fill(passSum.begin(), passSum.end(), 0.0f);
        Pass pass(renderer, context, passSum, range.first + samplesDone, passSamples, maxHelpers);
        pass.borrow();
        bool stopped = false;
        QElapsedTimer sinceBorrow;
        sinceBorrow.start();
        pass.run([&] {
            if (context.shouldStop()) {
                stopped = true;
                return false;
            }
            if (sinceProgress.elapsed() >= kProgressEveryMs) {
                sinceProgress.start();
                context.setProgress(pixels * samplesDone + pass.pixelSamples(), total);
            }
            if (sinceBorrow.elapsed() >= 20) {
                sinceBorrow.start();
                pass.borrow();
            }
            publishPreview(&pass, passSamples, false);
            return true;
        });
        peakThreads = std::max(peakThreads, pass.peakThreads());
        raysTraced += pass.rays();
        if (stopped || context.shouldStop()) {
            // Resume from the last finished pass, here or after a restart. A runner that lost
            // the job keeps nothing: the folder is its new runner's (or gone with the job).
            QString error;
            if (!context.holdsLease())
                context.log(QStringLiteral("another runner has the job now; progress not kept"));
            else if (samplesDone > 0 && !saveState(workDir, print, samplesDone, accum, &error))
                context.log(QStringLiteral("could not keep the render's progress: %1").arg(error));
            return JobResult::stopped();
        }
        for (size_t i = 0; i < accum.size(); ++i)
            accum[i] += passSum[i];
        samplesDone += passSamples;
        context.setProgress(pixels * samplesDone, total);
        if (firstPreview) {
            context.log(QStringLiteral("first full image after %1 ms").arg(started.elapsed()));
            firstPreview = false;
        }
        publishPreview(nullptr, 0, true);
        if (samplesDone < range.count && sinceCheckpoint.elapsed() >= kCheckpointEveryMs
            && context.holdsLease()) {
            sinceCheckpoint.start();
            QString error;
            if (!saveState(workDir, print, samplesDone, accum, &error))
                context.log(QStringLiteral("could not keep the render's progress: %1").arg(error));
        }
    }

    // The figure bench_render compares with a bare Embree loop: tracing alone, this attempt.
    const qint64 tracingMs = std::max<qint64>(1, tracing.elapsed());
    context.log(QStringLiteral("traced %1 rays in %2 ms: %3 Mrays/s")
                    .arg(raysTraced)
                    .arg(tracingMs)
                    .arg(double(raysTraced) / double(tracingMs) / 1000.0, 0, 'f', 2));
    *peakThreadsOut = peakThreads;
    return std::nullopt;
}

// Writes the picture `sum` (all of p.samples) to p.out.
JobResult writePicture(
    JobContext &context, const Params &p, const std::vector<float> &sum, const QByteArray &print)
{
    if (!context.holdsLease())
        return JobResult::failure(
            QStringLiteral("another runner has taken this job over; the picture is theirs"), false);
    const QString workDir = context.workDir();
    const QImage image = toImage(sum.data(), p.width, p.height, p.samples, p.depth == 16);
    auto written = writeOutput(image, p, idString(context.id()).left(8), workDir);
    if (!written) // a link planted at the name will not go away by itself: no retry
        return JobResult::failure(
            written.error().message, written.error().code != ErrorCode::InvalidInput);
    QFile::remove(statePath(workDir));
    if (fingerprint(p) != print)
        context.log(QStringLiteral("%1 changed while it rendered: the picture shows it as it was "
                                   "when the render started")
                        .arg(p.scene));
    return JobResult::success(written.value());
}

// What part `index` of a split render stands for: everything its samples depend on.
QByteArray partPrint(const QByteArray &scenePrint, const Params &p, int parts, int index)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(scenePrint);
    hash.addData(QStringLiteral("|%1|%2|%3").arg(p.samples).arg(parts).arg(index).toUtf8());
    return hash.result();
}

// The merge, by the part that completed the set: every part's sums from the merging folder (or
// `own`, this part's, when it has them in memory), missing ones rendered here, then the PNG.
JobResult mergeParts(JobContext &context, const Params &p, const split::Part &part,
    const std::function<QByteArray(int)> &printOf, const QByteArray &scenePrint,
    std::vector<float> own)
{
    const QString merging = split::mergingDir(p.out, part, context.id());
    QElapsedTimer merge;
    merge.start();
    // The others' sums are added into this part's own (one picture's worth of memory less).
    const bool hadOwn = !own.empty();
    std::vector<float> sum =
        hadOwn ? std::move(own) : std::vector<float>(size_t(p.width) * size_t(p.height) * 3, 0.0f);
    const QList<int> missing =
        split::addPartSums(merging, part, p.samples, printOf, sum, hadOwn ? part.index : -1);
    context.log(QStringLiteral("part %1 of %2 completed the set: %3 parts' samples read and "
                               "added in %4 ms")
                    .arg(part.index + 1)
                    .arg(part.count)
                    .arg(part.count - missing.size() - (hadOwn ? 1 : 0))
                    .arg(merge.elapsed()));
    // Samples deleted or spoiled since their part succeeded are rendered again here: the
    // picture never waits for a part that will not run again.
    for (const int index : missing) {
        const split::SampleRange other =
            split::sampleRange(p.samples, { index, part.count, part.group });
        context.log(QStringLiteral("the samples of part %1 of %2 are missing, damaged or from "
                                   "another version of the scene; rendering them here")
                        .arg(index + 1)
                        .arg(part.count));
        std::vector<float> sums;
        int peakThreads = 1;
        if (auto ended = renderSamples(context, p, other, printOf(index), sums, &peakThreads))
            return *ended;
        for (size_t i = 0; i < sum.size(); ++i)
            sum[i] += sums[i];
    }
    JobResult result = writePicture(context, p, sum, scenePrint);
    if (result.status == RunStatus::Succeeded) {
        split::finishMerge(p.out, part, context.id());
        context.log(QStringLiteral("merged into %1").arg(result.output));
    } else if (context.holdsLease()) {
        split::releaseMerge(p.out, part, context.id()); // a retry of this part merges again
    }
    return result;
}

// A part frozen or cut off past its lease: its new runner writes its samples, not this one.
JobResult partTakenOver()
{
    return JobResult::failure(QStringLiteral("another runner has taken this part over"), false);
}

// One part of a split render: its samples into the shared folder, then the merge if this part
// completed the set (or took the merge on an earlier attempt).
JobResult runPart(JobContext &context, const Params &p, const split::Part &part)
{
    const QByteArray scenePrint = fingerprint(p); // before the file is read, as in run()
    const auto printOf = [&](int index) { return partPrint(scenePrint, p, part.count, index); };
    const split::SampleRange range = split::sampleRange(p.samples, part);
    const QString label = QStringLiteral("part %1 of %2").arg(part.index + 1).arg(part.count);
    if (split::holdsMerge(p.out, part, context.id()))
        return mergeParts(context, p, part, printOf, scenePrint, {}); // taken on an earlier run
    if (auto made = split::makePartsDir(p.out, part); !made)
        return JobResult::failure(
            made.error().message, made.error().code != ErrorCode::InvalidInput);

    const QString file = split::partFile(split::partsDir(p.out, part), part.index);
    std::vector<float> own(size_t(p.width) * size_t(p.height) * 3, 0.0f);
    const bool kept = loadSums(file, printOf(part.index), own) == range.count;
    if (kept) {
        context.log(QStringLiteral("%1: its samples are already there").arg(label));
    } else {
        context.log(QStringLiteral("%1: samples %2 to %3 of %4")
                        .arg(label)
                        .arg(range.first + 1)
                        .arg(range.first + range.count)
                        .arg(p.samples));
        int peakThreads = 1;
        if (auto ended = renderSamples(context, p, range, printOf(part.index), own, &peakThreads))
            return *ended;
        if (!context.holdsLease())
            return partTakenOver();
        context.log(
            QStringLiteral("%1 rendered, %2 thread(s) at most").arg(label).arg(peakThreads));
        // The others are all there: merge at once, without writing these samples first (on the
        // way to the picture). Should this runner die, its next run renders them again.
        if (split::claimMerge(p.out, part, context.id(), part.index) == split::Claim::Mine)
            return mergeParts(context, p, part, printOf, scenePrint, std::move(own));
        if (!context.holdsLease()) // frozen past the lease meanwhile: the part is another's
            return partTakenOver();
        QElapsedTimer saving;
        saving.start();
        QString error;
        if (!saveSums(file, printOf(part.index), range.count, own, &error))
            return JobResult::failure(
                QStringLiteral("cannot keep the samples of %1: %2").arg(label, error));
        QFile::remove(statePath(context.workDir()));
        context.log(QStringLiteral("%1: samples kept in %2 ms").arg(label).arg(saving.elapsed()));
    }
    if (!context.holdsLease())
        return partTakenOver();
    switch (split::claimMerge(p.out, part, context.id())) {
    case split::Claim::Waiting:
        context.log(
            QStringLiteral("%1 done; the part that completes the set merges them").arg(label));
        return JobResult::success();
    case split::Claim::Taken:
        context.log(QStringLiteral("%1 done; another part merges them").arg(label));
        return JobResult::success();
    case split::Claim::Mine:
        break;
    }
    return mergeParts(context, p, part, printOf, scenePrint, std::move(own));
}

// A part of a render queued on a shared queue (or the whole render, as its only part): its
// samples go into the queue, for the delivery job to merge on the machine that queued it.
JobResult runPartIntoQueue(JobContext &context, const Params &p, const split::Part &part)
{
    FileShelf *shelf = context.fileShelf();
    if (!shelf)
        return JobResult::failure(
            QStringLiteral("this render keeps its samples in the shared queue it was queued on: "
                           "run it from that queue"),
            false);
    const QByteArray print = partPrint(fingerprint(p), p, part.count, part.index);
    const split::SampleRange range = split::sampleRange(p.samples, part);
    const QString label = QStringLiteral("part %1 of %2").arg(part.index + 1).arg(part.count);
    std::vector<float> sums;
    int peakThreads = 1;
    if (auto ended = renderSamples(context, p, range, print, sums, &peakThreads))
        return *ended;
    if (!context.holdsLease())
        return partTakenOver();
    QElapsedTimer storing;
    storing.start();
    // From memory: written to a file first, 25 MB for 1080p went to disk and was read twice.
    const QByteArray bytes = sumsBytes(print, range.count, sums);
    auto stored = shelf->putBytes(bytes);
    // Kept before they are named: a delivery in this process that finds the name finds them too.
    if (stored && p.deliverTo == runneridentity::hostName())
        handoff::keep(stored->hash, bytes);
    const auto named = stored
        ? shelf->nameFile(split::samplesName(part, part.index), stored.value())
        : Result<void>(stored.error());
    if (!named)
        return JobResult::failure(QStringLiteral("cannot store the samples of %1 in the queue: %2")
                                      .arg(label, named.error().message),
            named.error().code != ErrorCode::InvalidInput);
    QFile::remove(statePath(context.workDir()));
    context.log(QStringLiteral("%1 rendered (%2 thread(s) at most); its samples, %3 KiB, stored "
                               "in the queue in %4 ms")
                    .arg(label)
                    .arg(peakThreads)
                    .arg((stored->size + 1023) / 1024)
                    .arg(storing.elapsed()));
    return JobResult::success();
}

// The end of the delivery when a part left word that it failed for good (its job id, then the
// reason) and is failed still; nothing while it is not (the render was retried since).
std::optional<JobResult> partFailed(JobContext &context, FileShelf &shelf, const split::Part &part,
    int index, const SharedFile &note)
{
    auto cached = shelf.fetch(note, {});
    QFile file(cached ? cached.value() : QString());
    if (!file.open(QIODevice::ReadOnly))
        return {}; // looked at again next time
    const QUuid id(QString::fromUtf8(file.readLine()).trimmed());
    const QString why = QString::fromUtf8(file.read(4096));
    // Word from before a retry of the render is stale: the part is queued or running again.
    if (auto state = context.stateOf(id); !state || state.value() != JobState::Failed)
        return {};
    return JobResult::failure(
        QStringLiteral("part %1 of %2 failed: %3").arg(index + 1).arg(part.count).arg(why), false);
}

// The delivery's side of one part: its samples added into `sum` once they are in the queue
// (*added set), or the job's end (the part failed for good, or its samples cannot be used). An
// error of the queue itself is left in *queueError: the delivery waits on.
std::optional<JobResult> addPart(JobContext &context, FileShelf &shelf, const Params &p,
    const split::Part &part, int index, std::vector<float> &sum, bool *added, bool *handedOver,
    QString *queueError)
{
    auto samples = shelf.named(split::samplesName(part, index));
    if (samples && samples->hash.isEmpty()) {
        auto failure = shelf.named(split::failureName(part, index));
        if (failure && !failure->hash.isEmpty())
            return partFailed(context, shelf, part, index, failure.value());
        if (!failure)
            *queueError = failure.error().message;
        return {};
    }
    if (!samples) {
        *queueError = samples.error().message;
        return {};
    }
    const auto notThisRenders = [&] {
        return JobResult::failure(
            QStringLiteral("the samples of part %1 in the queue are not this render's")
                .arg(index + 1),
            false);
    };
    // The picture's sums and a header: a larger file is not read into memory at all.
    if (samples->size > qint64(sum.size() * sizeof(float)) + 4096)
        return notThisRenders();
    // Read once, into memory: not kept in the machine's cache of the queue's files. A part that
    // ran in this process left its bytes here.
    if (context.shouldStop()) // before taking what a part left here: the next attempt finds it
        return JobResult::stopped();
    auto bytes = [&]() -> Result<QByteArray> {
        if (auto local = handoff::take(samples->hash)) {
            *handedOver = true;
            return std::move(*local);
        }
        return shelf.read(samples.value(), [&] { return context.shouldStop(); });
    }();
    if (context.shouldStop())
        return JobResult::stopped();
    if (!bytes)
        return JobResult::failure(bytes.error().message, bytes.error().code == ErrorCode::Storage);
    const int expected = split::sampleRange(p.samples, { index, part.count, part.group }).count;
    if (addSumsFromBytes(
            bytes.value(), partPrint(fingerprint(p), p, part.count, index), expected, sum)
        != expected)
        return notThisRenders();
    *added = true;
    return {};
}

constexpr qint64 kPartsPollMs = 250;
constexpr qint64 kMinLookMs = 50;

// The delivery, on the machine that queued the render: each part's samples are fetched from
// the queue and added as soon as they are there (without a worker slot while it waits), then
// the PNG goes to the path the user chose.
JobResult runDelivery(JobContext &context, const Params &p, const split::Part &part)
{
    FileShelf *shelf = context.fileShelf();
    if (!shelf)
        return JobResult::failure(QStringLiteral("this render keeps its samples in the shared "
                                                 "queue it was queued on: run it from that queue"),
            false);
    context.setProgressUnit(units::Parts); // "1 of 3 parts" in the window
    context.log(QStringLiteral("waiting for the samples of %1 part(s)").arg(part.count));
    std::vector<float> sum(size_t(p.width) * size_t(p.height) * 3, 0.0f);
    QList<bool> added(part.count, false), handedOver(part.count, false);
    qint64 addingMs = 0;
    QString lastError;
    QElapsedTimer sinceLook;
    sinceLook.start();
    while (added.count(true) < part.count) {
        for (int index = 0; index < part.count; ++index) {
            if (added.at(index))
                continue;
            QElapsedTimer adding;
            adding.start();
            QString queueError;
            if (auto ended = addPart(context, *shelf, p, part, index, sum, &added[index],
                    &handedOver[index], &queueError))
                return *ended;
            if (added.at(index))
                addingMs += adding.elapsed();
            if (!queueError.isEmpty() && queueError != lastError)
                context.log(lastError = queueError); // the queue away: wait on
        }
        context.setProgress(added.count(true), part.count);
        if (added.count(true) == part.count)
            break;
        context.beginParkedWait();
        // Woken when a job of the queue ends, here or on another machine: a part's samples are
        // named by then (a failed part's reason just after, found by a later look). At most
        // one look every kMinLookMs, however busy the queue is.
        bool goOn = context.waitForChanges(kPartsPollMs);
        if (goOn && sinceLook.elapsed() < kMinLookMs)
            goOn = context.sleepFor(kMinLookMs - sinceLook.elapsed());
        context.endParkedWait();
        sinceLook.start();
        if (!goOn)
            return JobResult::stopped();
    }
    context.log(
        QStringLiteral("the samples of %1 part(s) fetched from the queue and added in %2 ms "
                       "(%3 handed over in memory by a part that ran in this process)")
            .arg(part.count)
            .arg(addingMs)
            .arg(handedOver.count(true)));
    JobResult result = writePicture(context, p, sum, fingerprint(p));
    if (result.status != RunStatus::Succeeded)
        return result;
    context.log(QStringLiteral("merged into %1").arg(result.output));
    // The samples are not needed any more: the queue lets them go (see tidySharedFiles).
    for (int index = 0; index < part.count; ++index)
        (void)shelf->forget(split::samplesName(part, index));
    return result;
}

// A render whose scene was stored in a shared queue reads it from a copy in its work folder.
std::optional<JobResult> fetchScene(JobContext &context, Params &p)
{
    if (p.files.isEmpty())
        return {};
    FileShelf *shelf = context.fileShelf();
    if (!shelf)
        return JobResult::failure(QStringLiteral("the scene of this render is stored in the shared "
                                                 "queue it was queued on: run it from that queue"),
            false);
    QElapsedTimer timer;
    timer.start();
    auto fetched = sharedscene::fetch(p.files, *shelf,
        QDir(context.workDir()).filePath(QStringLiteral("scene")),
        [&] { return context.shouldStop(); });
    if (context.shouldStop())
        return JobResult::stopped();
    if (!fetched)
        return JobResult::failure(QStringLiteral("cannot fetch the scene from the queue: %1")
                                      .arg(fetched.error().message),
            fetched.error().code == ErrorCode::Storage);
    p.read = fetched->scene;
    context.log(QStringLiteral("scene from the queue: %1 file(s), %2 KiB, ready in %3 ms")
                    .arg(p.files.size())
                    .arg((fetched->bytes + 1023) / 1024)
                    .arg(timer.elapsed()));
    return {};
}

} // namespace

JobResult RenderJob::run(JobContext &context)
{
    enableFastFloat();
    Params p = parse(context.params());
    const split::Part part = split::partOf(context.params());

    // An earlier attempt finished the file but died before the queue heard of it.
    if (const QString written = outputfiles::deliveredBefore(context.workDir());
        !written.isEmpty()) {
        if (part.isSplit())
            QDir(split::mergingDir(p.out, part, context.id())).removeRecursively();
        return JobResult::success(written);
    }
    if (p.delivery)
        return runDelivery(context, p, part);
    if (!p.deliverTo.isEmpty()) {
        if (auto ended = fetchScene(context, p))
            return *ended;
        return runPartIntoQueue(context, p, part);
    }
    if (auto ended = fetchScene(context, p))
        return *ended;
    if (part.isSplit())
        return runPart(context, p, part);

    QElapsedTimer started;
    started.start();
    // Taken before the file is read: if it is replaced while loading, the saved samples are not
    // credited to the new file.
    const QByteArray print = fingerprint(p);
    std::vector<float> accum;
    int peakThreads = 1;
    if (auto ended = renderSamples(context, p, { 0, p.samples }, print, accum, &peakThreads))
        return *ended;
    JobResult result = writePicture(context, p, accum, print);
    if (result.status == RunStatus::Succeeded)
        context.log(QStringLiteral("%1 in %2 ms, %3 thread(s) at most")
                        .arg(result.output)
                        .arg(started.elapsed())
                        .arg(peakThreads));
    return result;
}

} // namespace spool::render
