#include "renderkind.h"

#include <mutex>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include "job/jobrecord.h"
#include "renderjob.h"
#include "scene.h"
#include "sceneinputs.h"
#include "sharedscene.h"
#include "splitrender.h"
#include "util/ids.h"
#include "util/outputfiles.h"
#include "util/runneridentity.h"

namespace spool {

namespace {

constexpr qint64 kMaxPixels = 64LL * 1024 * 1024; // 8192 x 8192: 1.5 GiB of accumulation
constexpr qint64 kMaxParts = 64;

ParamSpec spec(const char *name, ParamType type, const char *description, const char *valueName,
    QJsonValue defaultValue = QJsonValue::Undefined)
{
    ParamSpec p;
    p.name = QString::fromLatin1(name);
    p.type = type;
    p.description = QString::fromLatin1(description);
    p.valueName = QString::fromLatin1(valueName);
    p.defaultValue = defaultValue;
    return p;
}

ParamSpec hidden(ParamSpec p)
{
    p.hidden = true;
    return p;
}

ParamSpec bounded(ParamSpec p, qint64 minimum, qint64 maximum)
{
    p.minimum = minimum;
    p.maximum = maximum;
    return p;
}

ParamSpec perMachine(ParamSpec p, const QString &atMost)
{
    p.autoIsMachines = true;
    p.autoAtMost = atMost;
    return p;
}

QList<ParamSpec> renderParams()
{
    ParamSpec scene = spec("scene", ParamType::String,
        "the model file (OBJ, PLY, STL, glTF/GLB, FBX, OFF...) or procedural:terrain", "SCENE");
    scene.required = true;
    scene.positional = true;
    ParamSpec out = spec("out", ParamType::Path, "the PNG to write (never replaced)", "PNG");
    out.required = true;
    return {
        scene,
        out,
        bounded(spec("width", ParamType::Integer, "image width in pixels", "W", 1024), 1, 16384),
        bounded(spec("height", ParamType::Integer, "image height in pixels", "H", 768), 1, 16384),
        bounded(spec("samples", ParamType::Integer, "samples per pixel (anti-aliasing, noise)", "N",
                    16),
            1, 65536),
        bounded(spec("ao", ParamType::Integer, "ambient-occlusion rays per hit", "N", 8), 0, 64),
        spec("camera", ParamType::String,
            "a camera of the file by name, or 'auto' to frame the model", "NAME"),
        bounded(
            spec("seed", ParamType::Integer, "the noise pattern (same seed, same image)", "N", 1),
            0, 0xffffffffLL),
        bounded(
            spec("depth", ParamType::Integer, "bits per channel of the PNG: 8 or 16", "BITS", 8), 8,
            16),
        bounded(
            spec("threads", ParamType::Integer,
                "at most this many threads (0: as many idle workers as the queue lends)", "N", 0),
            0, 256),
        perMachine(
            bounded(spec("split", ParamType::Integer,
                        "render in N parts, each a job of its own (on this machine's "
                        "workers or on every runner of a shared queue), merged into one "
                        "PNG; 'auto': one part per machine that runs the queue now, never more "
                        "parts than samples",
                        "N", 1),
                1, kMaxParts),
            QStringLiteral("samples")),
        spec("inputs", ParamType::String,
            "where runners of a shared queue read the scene: 'queue' (the scene and its files "
            "are stored in the queue: no shared drive needed) or 'shared-path' (the same path on "
            "every machine)",
            "WHERE", QStringLiteral("queue")),
        hidden(spec("part", ParamType::Integer, "which part of a split render, from 1", "N")),
        hidden(spec("group", ParamType::String, "the split render a part belongs to", "ID")),
        hidden(spec("files", ParamType::String, "the scene's files in a shared queue", "LIST")),
        hidden(spec("deliver_to", ParamType::String, "the machine that writes the PNG", "HOST")),
        hidden(spec("deliver", ParamType::Boolean, "this job writes the PNG", "BOOL")),
    };
}

QString validateRender(QJsonObject &params)
{
    QString scene = params.value(QStringLiteral("scene")).toString();
    if (!render::isProcedural(scene)) {
        if (scene.startsWith(QLatin1String("procedural:")))
            return QStringLiteral("unknown procedural scene '%1' (there is %2)")
                .arg(scene, render::kProceduralTerrain);
        const QFileInfo info(scene);
        if (!info.exists())
            return QStringLiteral("%1 does not exist").arg(scene);
        if (!info.isFile() || !info.isReadable())
            return QStringLiteral("%1 is not a readable file").arg(scene);
        if (!render::isSupportedModel(scene))
            return QStringLiteral("%1: not a model format Spool can read (by its extension)")
                .arg(info.fileName());
        params.insert(QStringLiteral("scene"), info.absoluteFilePath());
    }
    const qint64 width = params.value(QStringLiteral("width")).toInteger(1024);
    const qint64 height = params.value(QStringLiteral("height")).toInteger(768);
    if (width * height > kMaxPixels)
        return QStringLiteral("%1 x %2 is too large: at most %3 megapixels")
            .arg(width)
            .arg(height)
            .arg(kMaxPixels / (1024 * 1024));
    const qint64 parts = params.value(QStringLiteral("split")).toInteger(1);
    const qint64 samples = params.value(QStringLiteral("samples")).toInteger(16);
    if (parts > samples)
        return QStringLiteral("a render in %1 parts needs at least %1 samples per pixel (not %2): "
                              "each part renders some of them")
            .arg(parts)
            .arg(samples);
    const QString inputs = params.value(QStringLiteral("inputs")).toString();
    if (inputs != u"queue" && inputs != u"shared-path")
        return QStringLiteral("--inputs must be 'queue' or 'shared-path', not '%1'").arg(inputs);
    const qint64 depth = params.value(QStringLiteral("depth")).toInteger(8);
    if (depth != 8 && depth != 16)
        return QStringLiteral("--depth must be 8 or 16, not %1").arg(depth);
    const QString out = params.value(QStringLiteral("out")).toString();
    const QFileInfo outInfo(out);
    if (outInfo.suffix().compare(QLatin1String("png"), Qt::CaseInsensitive) != 0)
        return QStringLiteral("--out must name a .png file, not %1").arg(outInfo.fileName());
    if (!outInfo.dir().exists())
        return QStringLiteral("the folder %1 does not exist").arg(outInfo.absolutePath());
    if (outInfo.exists())
        return QStringLiteral("%1 exists: Spool never replaces a file; choose another --out")
            .arg(out);
    return {};
}

// The parts of a split render are queued one after the other in one process, the first first:
// their scene is hashed and stored once, and every part lists the same files even if the scene
// changes meanwhile.
Result<QJsonObject> shareOncePerGroup(const QJsonObject &params, FileShelf &shelf)
{
    static std::mutex mutex;
    static QHash<QString, QJsonValue> filesOfGroup;
    const render::split::Part part = render::split::partOf(params);
    if (part.isSplit() && part.index > 0) {
        std::lock_guard lock(mutex);
        if (const auto it = filesOfGroup.constFind(part.group); it != filesOfGroup.cend()) {
            QJsonObject job = params;
            if (it->isArray())
                job.insert(QStringLiteral("files"), *it);
            return job;
        }
    }
    auto shared = render::sharedscene::share(params, shelf);
    if (shared && part.isSplit() && part.index == 0) {
        std::lock_guard lock(mutex);
        if (filesOfGroup.size() >= 64) // renders queued long ago
            filesOfGroup.clear();
        // Null for a procedural scene: no files, and none to look for.
        filesOfGroup.insert(part.group,
            shared->value(QStringLiteral("files")).isArray()
                ? shared->value(QStringLiteral("files"))
                : QJsonValue(QJsonValue::Null));
    }
    return shared;
}

// On a shared queue, unless the scene is read from shared storage: the scene goes into the queue,
// every part (a render not split is its only part) leaves its samples there, and a delivery job
// that only the machine that queued the render runs adds them up into the PNG at the path the
// user chose. No runner needs the submitter's disk, nor the submitter the runners'.
Result<QList<QJsonObject>> shareRender(const QJsonObject &params, FileShelf &shelf)
{
    if (params.value(QStringLiteral("inputs")).toString() != u"queue"
        || params.contains(QStringLiteral("deliver_to")))
        return QList<QJsonObject> { params };
    auto shared = shareOncePerGroup(params, shelf);
    if (!shared)
        return shared.error();
    QJsonObject job = shared.value();
    job.insert(QStringLiteral("deliver_to"), runneridentity::hostName());
    if (job.value(QStringLiteral("group")).toString().isEmpty()) // with its delivery, a group
        job.insert(QStringLiteral("group"), idString(newJobId()));
    if (render::split::partOf(job).index > 0)
        return QList<QJsonObject> { job };
    QJsonObject delivery = job;
    delivery.remove(QStringLiteral("part"));
    delivery.insert(QStringLiteral("deliver"), true);
    return QList<QJsonObject> { job, delivery };
}

// A part of a shared-queue render that failed for good leaves its reason in the queue: its
// delivery, waiting on the machine that queued the render, fails with it instead of waiting on.
void tellDeliveryOfFailure(const JobRecord &record, FileShelf &shelf)
{
    if (record.params.value(QStringLiteral("deliver_to")).toString().isEmpty()
        || record.params.value(QStringLiteral("deliver")).toBool())
        return;
    const render::split::Part part = render::split::partOf(record.params);
    // The part's id first: the delivery checks the part is still failed (not retried since).
    const QByteArray word = idString(record.id).toLatin1() + '\n' + record.error.toUtf8();
    QTemporaryFile reason;
    if (!reason.open() || reason.write(word) != word.size() || !reason.flush())
        return;
    if (auto told = shelf.putNamed(render::split::failureName(part, part.index), reason.fileName());
        !told)
        qWarning("cannot tell the delivery of %s why a part failed: %s",
            qPrintable(idString(record.id)), qPrintable(told.error().message));
}

QString renderTitle(const QJsonObject &params)
{
    const QString name = QFileInfo(params.value(QStringLiteral("out")).toString()).fileName();
    if (params.value(QStringLiteral("deliver")).toBool())
        return QStringLiteral("%1 (delivery to %2)")
            .arg(name, params.value(QStringLiteral("deliver_to")).toString());
    const render::split::Part part = render::split::partOf(params);
    if (!part.isSplit())
        return name;
    return QStringLiteral("%1 (part %2 of %3)").arg(name).arg(part.index + 1).arg(part.count);
}

// What renderSamples and runDelivery will report: a part's samples, a delivery's parts.
Progress plannedRenderProgress(const QJsonObject &params)
{
    const render::split::Part part = render::split::partOf(params);
    if (params.value(QStringLiteral("deliver")).toBool())
        return Progress { 0, part.count, units::Parts };
    const qint64 pixels = qint64(params.value(QStringLiteral("width")).toInt())
        * params.value(QStringLiteral("height")).toInt();
    const qint64 samples =
        render::split::sampleRange(params.value(QStringLiteral("samples")).toInt(), part).count;
    return pixels * samples > 0 ? Progress { 0, pixels * samples, units::Samples } : Progress {};
}

} // namespace

void registerRenderKind(JobKindRegistry &registry)
{
    JobKind kind;
    kind.name = QStringLiteral("render");
    kind.description =
        QStringLiteral("Ray traces a 3D model into a PNG (Embree: ambient occlusion, shadows).");
    kind.params = renderParams();
    kind.validate = validateRender;
    // The files the scene reads and its camera are checked before the job is queued (off the GUI
    // thread). The parts of a split render share their scene: the first part checks it for all
    // (a refusal drops the whole render).
    kind.prepare = [](const QJsonObject &params) -> Result<QJsonObject> {
        if (render::split::partOf(params).index > 0)
            return params;
        const QString scene = params.value(QStringLiteral("scene")).toString();
        if (!render::isProcedural(scene)) {
            if (const QString refusal = render::checkInputs(scene).refusal; !refusal.isEmpty())
                return makeError(ErrorCode::InvalidInput, refusal);
        }
        const QString camera = params.value(QStringLiteral("camera")).toString();
        if (camera.isEmpty() || camera == QLatin1String("auto")
            || camera == QLatin1String("default"))
            return params;
        auto names = render::cameraNames(scene);
        if (!names)
            return names.error();
        if (!names->contains(camera))
            return makeError(ErrorCode::InvalidInput,
                names->isEmpty()
                    ? QStringLiteral("no camera named '%1': the scene has none (use 'auto')")
                          .arg(camera)
                    : QStringLiteral("no camera named '%1' (the scene has: %2; or 'auto')")
                          .arg(camera, names->join(QStringLiteral(", "))));
        return params;
    };
    kind.notes = [](const QJsonObject &params) {
        const QString scene = params.value(QStringLiteral("scene")).toString();
        return render::isProcedural(scene) ? QStringList() : render::checkInputs(scene).notes;
    };
    kind.share = shareRender;
    kind.failed = tellDeliveryOfFailure;
    kind.runsOn = [](const QJsonObject &params) {
        return params.value(QStringLiteral("deliver")).toBool()
            ? params.value(QStringLiteral("deliver_to")).toString()
            : QString();
    };
    kind.expand = render::split::expand;
    kind.groupParam = QStringLiteral("group");
    kind.title = renderTitle;
    kind.groupTitle = [](const QJsonObject &params) {
        return QFileInfo(params.value(QStringLiteral("out")).toString()).fileName();
    };
    kind.plannedProgress = plannedRenderProgress;
    kind.discard = [](const JobRecord &record, const QString &) {
        // A PNG half written when the process died; the finished file stays.
        const QString out = record.params.value(QStringLiteral("out")).toString();
        QFile::remove(outputfiles::temporaryPathFor(out, idString(record.id).left(8)));
        // A merge this part took and could not finish goes back to the set: a retry of any part
        // can complete it.
        if (const render::split::Part part = render::split::partOf(record.params); part.isSplit())
            render::split::releaseMerge(out, part, record.id);
    };
    kind.removed = [](const JobRecord &record) {
        // A part's samples wait for the others only while the render stands.
        if (const render::split::Part part = render::split::partOf(record.params); part.isSplit())
            render::split::discardPart(
                record.params.value(QStringLiteral("out")).toString(), part, record.id);
    };
    kind.create = [] { return std::make_unique<render::RenderJob>(); };
    if (!registry.add(std::move(kind)).ok())
        qFatal("the render kind is registered twice");
}

} // namespace spool
