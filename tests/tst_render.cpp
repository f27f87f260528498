// The render job kind against real model files from Debian's assimp-testmodels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include <QBuffer>
#include <QColorSpace>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>
#include <QThread>

#include "imagediff.h"
#include "pngencoder.h"
#include "previewhub.h"
#include "queue/jobqueueimpl.h"
#include "renderer.h"
#include "renderkind.h"
#include "scene.h"
#include "sceneinputs.h"
#include "scenewire.h"
#include "store/memoryjobstore.h"
#include "store/sqlitejobstore.h"
#include "testkit.h"
#include "util/ids.h"
#include "util/outputfiles.h"
#include "util/runneridentity.h"
#include "util/tsan.h"

using namespace spool;
using spool::test::maxChannelDifference;
using namespace spool::render;
using spool::test::Recorder;

namespace {

const QString kModels = QStringLiteral("/usr/share/assimp/models/");

QString model(const char *relative)
{
    return kModels + QString::fromLatin1(relative);
}

struct Coverage
{
    int minX = INT_MAX, minY = INT_MAX, maxX = -1, maxY = -1;
    qint64 covered = 0;
};

// Renders `scene` directly and reports which pixels show the model.
Coverage coverageOf(const Scene &scene, const Camera &camera, int width, int height)
{
    RenderSettings settings;
    settings.width = width;
    settings.height = height;
    settings.samples = 1;
    settings.aoSamples = 1;
    settings.camera = camera;
    settings.light = scene.keyLight(camera);
    auto renderer = Renderer::create(scene, settings);
    if (!renderer)
        qFatal("%s", qPrintable(renderer.error().message));
    std::vector<float> sum(size_t(width) * height * 3), hits(size_t(width) * height);
    for (int tile = 0; tile < renderer.value()->tileCount(); ++tile)
        renderer.value()->renderTile(tile, 0, 1, sum.data(), hits.data());
    Coverage c;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            if (hits[size_t(y) * width + x] <= 0)
                continue;
            ++c.covered;
            c.minX = std::min(c.minX, x);
            c.maxX = std::max(c.maxX, x);
            c.minY = std::min(c.minY, y);
            c.maxY = std::max(c.maxY, y);
        }
    }
    return c;
}

// Where a pinhole camera puts a point: the same projection, worked out independently.
QPointF project(const Camera &camera, Vec3 p, int width, int height)
{
    const Vec3 forward = normalize(camera.forward);
    const Vec3 right = normalize(cross(forward, camera.up));
    const Vec3 up = cross(right, forward);
    const Vec3 d = p - camera.position;
    const float depth = dot(d, forward);
    const float tanY = std::tan(camera.fovY / 2), tanX = tanY * float(width) / float(height);
    const float ndcX = dot(d, right) / depth / tanX, ndcY = dot(d, up) / depth / tanY;
    return { (ndcX + 1) / 2 * width, (1 - ndcY) / 2 * height };
}

struct Harness
{
    QTemporaryDir dir;
    std::shared_ptr<JobStore> store;
    std::shared_ptr<JobKindRegistry> registry = std::make_shared<JobKindRegistry>();
    std::unique_ptr<JobQueueImpl> queue;
    std::unique_ptr<Recorder> recorder;

    explicit Harness(int workers, bool sqlite = false)
    {
        registerRenderKind(*registry);
        if (sqlite) {
            SqliteJobStore::Options options;
            options.dataDir = dir.path();
            store = std::shared_ptr<JobStore>(SqliteJobStore::open(options).value().release());
        } else {
            store = std::make_shared<MemoryJobStore>();
        }
        startQueue(workers);
    }
    void startQueue(int workers)
    {
        QueueConfig config;
        config.workers = workers;
        config.workRoot = dir.filePath(QStringLiteral("work"));
        // These tests check pictures and timing of passes, not priority (tst_queue does): at the
        // default nice +10, other work on a busy CI machine starved them past Qt's 300 s limit
        // under TSan (reproduced with two busy loops beside the suite).
        config.priority = WorkerPriority::Normal;
        queue = std::make_unique<JobQueueImpl>(store, registry, config);
        recorder = std::make_unique<Recorder>(queue.get());
        queue->start();
    }
    void stopQueue()
    {
        QSignalSpy stopped(queue.get(), &JobQueue::stopped);
        queue->stop(StopMode::Release);
        QVERIFY(stopped.wait(30000));
        recorder.reset();
        queue.reset();
    }
    QString out(const QString &name) const { return dir.filePath(name); }
    QUuid add(const QString &scene, const QString &outName, QJsonObject params)
    {
        params.insert(QStringLiteral("scene"), scene);
        params.insert(QStringLiteral("out"), out(outName));
        auto id = queue->enqueue(QStringLiteral("render"), params);
        if (!id)
            qFatal("%s", qPrintable(id.error().message));
        return id.value();
    }
    QStringList logLines(const QUuid &id) const
    {
        QStringList lines;
        const auto events = store->events(id);
        for (const JobEvent &e : events.value()) {
            if (e.event == QLatin1String("log"))
                lines.append(e.detail);
        }
        return lines;
    }
};

// Waits for `state` in 1 ms steps (QTRY_* polls every 50 ms, too coarse to time a stop);
// returns the milliseconds waited, or -1 on timeout.
qint64 millisecondsUntil(Harness &h, const QUuid &id, JobState state, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (h.recorder->state(id) != state) {
        if (waited.elapsed() > timeoutMs)
            return -1;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        QThread::usleep(500);
    }
    return waited.elapsed();
}

} // namespace

class TestRender : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void loadsRealModels_data();
    void loadsRealModels();
    void plantedLinkIsNotFollowed();
    void badFilesFailWithTheLoadersReason_data();
    void badFilesFailWithTheLoadersReason();
    void theModelIsWhereTheCameraSees_data();
    void theModelIsWhereTheCameraSees();
    void sameSeedSameImage();
    void writtenValuesFollowTheSrgbCurveExactly();
    void pngKeepsEveryPixel_data();
    void pngKeepsEveryPixel();
    void renderJobWritesThePng_data();
    void renderJobWritesThePng();
    void badFileFailsTheJobOnce();
    void modelThatCrashesAssimpFailsOnlyItsJob();
    void readersAnswerIsCheckedNotTrusted();
    void pauseResumesFromTheLastPassAfterARestart();
    void cancelStopsPromptlyAndLeavesNothing();
    void neverReplacesAFile();
    void killedAttemptsPictureIsNotRenderedTwice();
    void usesIdleWorkersAndOnlyThem();
    void splitRenderEqualsTheWholeRender_data();
    void splitRenderEqualsTheWholeRender();
    void damagedPartIsRenderedAgainByTheMerge();
    void commandsActOnTheWholeSplitRender();
    void clearFinishedWaitsForTheWholeSplitRender();
    void removingARenderRemovesTheSamplesAMergeHeld();
    void plantedLinkAtThePartsFolderIsRefused();
    void failedMergeNeverHandsSamplesToALink();
    void spoolctlCommandsActOnTheWholeSplitRender();
    void sceneInputsAreFoundWithoutReadingTheModel();
    void missingGeometryRefusesTheWholeSplitRender();
    void spoolctlNamesAMissingGeometryFileAndNotesTextures();
    void inputsMissingWhenTheJobRunsAreNamed();
    void splitAutoWithoutRunnersIsOnePart();
    void spoolctlRejectsBadParameters_data();
    void spoolctlRejectsBadParameters();
};

void TestRender::initTestCase()
{
    if (!QFileInfo::exists(model("OBJ/spider.obj")))
        QFAIL("assimp-testmodels is not installed (tools/deps.sh test installs it)");
#ifdef SPOOL_TSAN
    // Instrumented scene readers would turn Assimp's SIGBUS into the sanitizer's report and an
    // exit status: let the signal end the reader as it does in a normal build.
    qputenv("TSAN_OPTIONS", qgetenv("TSAN_OPTIONS") + " handle_segv=0 handle_sigbus=0");
#endif
#ifdef __SANITIZE_ADDRESS__
    // Read by the readers when they start; this process keeps its own.
    qputenv(
        "ASAN_OPTIONS", qgetenv("ASAN_OPTIONS") + " handle_segv=0 handle_sigbus=0 handle_abort=0");
#endif
}

void TestRender::loadsRealModels_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("obj") << model("OBJ/spider.obj");
    QTest::newRow("ply ascii") << model("PLY/Wuson.ply");
    QTest::newRow("ply binary") << model("PLY/cube_binary.ply");
    QTest::newRow("stl ascii") << model("STL/Spider_ascii.stl");
    QTest::newRow("stl binary") << model("STL/Spider_binary.stl");
    QTest::newRow("gltf") << model("glTF2/BoxTextured-glTF/BoxTextured.gltf");
    QTest::newRow("glb") << model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    QTest::newRow("fbx") << model("FBX/spider.fbx");
    QTest::newRow("off") << model("OFF/Wuson.off");
    QTest::newRow("procedural") << kProceduralTerrain;
}

void TestRender::loadsRealModels()
{
    QFETCH(QString, path);
    QVERIFY(isProcedural(path) || isSupportedModel(path));
    auto scene = loadScene(path);
    QVERIFY2(scene.ok(), qPrintable(scene.ok() ? QString() : scene.error().message));
    QVERIFY(scene->triangleCount > 0);
    QVERIFY(!scene->bounds.isEmpty());
    QVERIFY(scene->bounds.radius() > 0);
    if (isProcedural(path))
        QVERIFY(scene->triangleCount > 900000); // "about a million"
}

void TestRender::badFilesFailWithTheLoadersReason_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("reason"); // part of the message
    const QDir invalid(model("invalid"));
    for (const QString &name : invalid.entryList(QDir::Files)) {
        if (name.endsWith(QLatin1String(".txt")))
            continue;
        QTest::newRow(qPrintable(QStringLiteral("invalid/") + name))
            << invalid.filePath(name) << QString();
    }
    QTest::newRow("point cloud obj") << model("OBJ/point_cloud.obj") << QStringLiteral("no faces");
    QTest::newRow("point cloud ply") << model("PLY/points.ply") << QStringLiteral("no faces");
    QTest::newRow("missing gltf buffer")
        << model("glTF2/MissingBin/BoxTextured.gltf") << QStringLiteral("BoxTextured0.bin");
    QTest::newRow("generated:empty") << QStringLiteral("empty.obj") << QStringLiteral("empty");
    QTest::newRow("generated:truncated stl") << QStringLiteral("truncated.stl") << QString();
    QTest::newRow("generated:truncated glb") << QStringLiteral("truncated.glb") << QString();
    QTest::newRow("generated:garbage obj") << QStringLiteral("garbage.obj") << QString();
    QTest::newRow("generated:garbage ply") << QStringLiteral("garbage.ply") << QString();
    QTest::newRow("generated:png named obj") << QStringLiteral("picture.obj") << QString();
    // Counts near 2^63: the size check itself overflowed (UBSan) before it refused them.
    QTest::newRow("generated:huge off") << QStringLiteral("huge.off") << QStringLiteral("can hold");
    QTest::newRow("generated:huge ply") << QStringLiteral("huge.ply") << QStringLiteral("can hold");
    // Found by fuzz_models: Assimp's PLY importer read past its buffer (SIGSEGV) on both.
    QTest::newRow("generated:unended ply")
        << QStringLiteral("unended.ply") << QStringLiteral("does not end");
    QTest::newRow("generated:short binary ply")
        << QStringLiteral("short.ply") << QStringLiteral("bytes of data");
    // Found by fuzz_models: Assimp 5.2 dies of SIGBUS after importing it; the reader process
    // dies, not this one.
    QTest::newRow("crashes assimp") << QStringLiteral(TEST_DATA_DIR "/crashes-assimp.ply")
                                    << QStringLiteral("it crashed the model reader");
}

void TestRender::badFilesFailWithTheLoadersReason()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);
    QTemporaryDir dir;
    if (!path.startsWith(QLatin1Char('/'))) {
        // Made here: cut-off and random files, and a PNG in a model's clothes.
        const QString name = path;
        path = dir.filePath(name);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray bytes;
        if (name.startsWith(QLatin1String("truncated"))) {
            QFile whole(name.endsWith(QLatin1String(".stl"))
                    ? model("STL/Spider_binary.stl")
                    : model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb"));
            QVERIFY(whole.open(QIODevice::ReadOnly));
            bytes = whole.readAll();
            bytes.truncate(bytes.size() / 3);
        } else if (name.startsWith(QLatin1String("garbage"))) {
            QRandomGenerator random(42);
            bytes.resize(64 * 1024);
            for (char &c : bytes)
                c = char(random.bounded(256));
        } else if (name == QLatin1String("huge.off")) {
            bytes = "OFF\n4000000000000000000 4000000000000000000 0\n0 0 0\n";
        } else if (name == QLatin1String("unended.ply")) {
            bytes = "ply\nformat binary_little_endian 1.0\ncomment VCGLIB generated\n"
                    "element vertex 8\nproperty float x\nproperty float y\nproperty float z\n"
                    "element face 12\nproperty list uchar int ver";
            bytes.append(QByteArray("\0\0\0 ", 4));
        } else if (name == QLatin1String("short.ply")) {
            bytes = "ply\nformat binary_little_endian 1.0\nelement vertex 8\n"
                    "property float x\nproperty float y\nproperty float z\nelement face 12\n"
                    "property list uchar int vertex_indices\nend_header\n";
            bytes.append(QByteArray(40, '\0')); // 8 vertices alone need 96
        } else if (name == QLatin1String("huge.ply")) {
            bytes = "ply\nformat ascii 1.0\nelement vertex 4611686018427387904\n"
                    "property float x\nelement face 4611686018427387904\nend_header\n";
        } else if (name.startsWith(QLatin1String("picture"))) {
            QImage image(32, 32, QImage::Format_RGB32);
            image.fill(Qt::red);
            QBuffer buffer(&bytes);
            QVERIFY(buffer.open(QIODevice::WriteOnly));
            QVERIFY(image.save(&buffer, "png"));
        }
        file.write(bytes);
    }
    QElapsedTimer timer;
    timer.start();
    auto scene = loadScene(path);
    if (scene.ok()) {
        // Some "invalid" files are regression tests that now load (with what is valid in them);
        // then the scene must still be usable.
        QVERIFY(scene->triangleCount > 0);
        QVERIFY(std::isfinite(scene->bounds.radius()));
    } else {
        QVERIFY(!scene.error().message.isEmpty());
        QVERIFY2(!scene.error().message.contains(QLatin1Char('\n')),
            qPrintable(scene.error().message)); // one line
        if (!reason.isEmpty())
            QVERIFY2(scene.error().message.contains(reason), qPrintable(scene.error().message));
    }
    QVERIFY2(timer.elapsed() < 20000, "a corrupt header must not make the loader grind");
}

void TestRender::theModelIsWhereTheCameraSees_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("camera");
    QTest::newRow("spider, framed") << model("OBJ/spider.obj") << QString();
    QTest::newRow("engine, framed")
        << model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb") << QString();
    QTest::newRow("terrain, its camera") << kProceduralTerrain << QStringLiteral("overview");
}

void TestRender::theModelIsWhereTheCameraSees()
{
    QFETCH(QString, path);
    QFETCH(QString, camera);
    const int width = 160, height = 120;
    auto scene = loadScene(path);
    QVERIFY(scene.ok());
    auto cam = scene->camera(camera);
    QVERIFY(cam.ok());
    const Coverage c = coverageOf(scene.value(), cam.value(), width, height);
    QVERIFY(c.covered > 0);
    if (camera.isEmpty()) {
        // Framed: the whole model in view, not touching the edges, and filling a fair part.
        QVERIFY2(c.minX > 0 && c.minY > 0 && c.maxX < width - 1 && c.maxY < height - 1,
            qPrintable(
                QStringLiteral("%1,%2 - %3,%4").arg(c.minX).arg(c.minY).arg(c.maxX).arg(c.maxY)));
        QVERIFY(c.covered > width * height / 20);
        QVERIFY(std::max(c.maxX - c.minX, c.maxY - c.minY) > width / 3);
    }
    // The silhouette's bounds are the projected vertices' bounds (clipped to the image).
    double minX = 1e9, minY = 1e9, maxX = -1e9, maxY = -1e9;
    for (const Mesh &mesh : scene->meshes) {
        for (const Vec3 &p : mesh.positions) {
            if (dot(p - cam->position, cam->forward) <= 0)
                continue;
            const QPointF q = project(cam.value(), p, width, height);
            minX = std::min(minX, q.x());
            minY = std::min(minY, q.y());
            maxX = std::max(maxX, q.x());
            maxY = std::max(maxY, q.y());
        }
    }
    const auto near = [](double projected, int rendered, int limit) {
        return std::abs(std::clamp(projected, 0.0, double(limit - 1)) - rendered) <= 2.0;
    };
    QVERIFY2(near(minX, c.minX, width) && near(maxX, c.maxX, width) && near(minY, c.minY, height)
            && near(maxY, c.maxY, height),
        qPrintable(QStringLiteral("projected %1,%2 - %3,%4; rendered %5,%6 - %7,%8")
                       .arg(minX)
                       .arg(minY)
                       .arg(maxX)
                       .arg(maxY)
                       .arg(c.minX)
                       .arg(c.minY)
                       .arg(c.maxX)
                       .arg(c.maxY)));
}

void TestRender::sameSeedSameImage()
{
    auto scene = loadScene(model("OBJ/spider.obj"));
    QVERIFY(scene.ok());
    const auto render = [&](uint32_t seed, bool backwards) {
        RenderSettings settings;
        settings.width = 64;
        settings.height = 48;
        settings.samples = 4;
        settings.seed = seed;
        settings.camera = scene->framingCamera();
        settings.light = scene->keyLight(settings.camera);
        auto renderer = Renderer::create(scene.value(), settings);
        std::vector<float> sum(size_t(64) * 48 * 3);
        const int tiles = renderer.value()->tileCount();
        // Tile order (which thread renders what) must not matter.
        for (int i = 0; i < tiles; ++i)
            renderer.value()->renderTile(backwards ? tiles - 1 - i : i, 0, 4, sum.data());
        return sum;
    };
    QVERIFY(render(7, false) == render(7, true));
    QVERIFY(render(7, false) != render(8, false));
}

// The 8-bit picture comes from a table now; it must give what the curve gives, to the level.
void TestRender::writtenValuesFollowTheSrgbCurveExactly()
{
    const auto curve = [](float linear) {
        const float c = std::clamp(linear, 0.0f, 1.0f);
        const float srgb =
            c <= 0.0031308f ? c * 12.92f : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
        return int(srgb * 255 + 0.5f);
    };
    std::vector<float> values { 0.0f, -0.5f, 1.0f, 1.5f, 1e30f, 0.0031308f,
        std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::min() };
    // Around every level's edge (the inverse curve at half levels), a few floats either side.
    for (int level = 0; level < 255; ++level) {
        const double srgb = (level + 0.5) / 255.0;
        float edge = float(srgb <= 0.04045 ? srgb / 12.92 : std::pow((srgb + 0.055) / 1.055, 2.4));
        for (int i = 0; i < 8; ++i)
            edge = std::nextafter(edge, 0.0f);
        for (int i = 0; i < 16; ++i, edge = std::nextafter(edge, 1.0f))
            values.push_back(edge);
    }
    QRandomGenerator random(7);
    for (int i = 0; i < 200000; ++i)
        values.push_back(float(random.generateDouble() * (i % 2 ? 1.0 : 0.01)));
    while (values.size() % 3 != 0)
        values.push_back(0.25f);
    const int pixels = int(values.size() / 3);
    const QImage image = toImage(values.data(), pixels, 1, 1);
    const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(0));
    int wrong = 0;
    for (int x = 0; x < pixels; ++x) {
        const int got[3] = { qRed(line[x]), qGreen(line[x]), qBlue(line[x]) };
        for (int c = 0; c < 3; ++c) {
            const float v = values[size_t(x) * 3 + size_t(c)];
            if (got[c] != curve(v) && wrong++ < 5)
                qWarning("%.9g: %d, the curve gives %d", double(v), got[c], curve(v));
        }
    }
    QCOMPARE(wrong, 0);
}

void TestRender::pngKeepsEveryPixel_data()
{
    QTest::addColumn<QImage::Format>("format");
    QTest::addColumn<QSize>("size");
    for (const auto &[name, format] : { std::pair { "8-bit", QImage::Format_RGB32 },
             std::pair { "16-bit", QImage::Format_RGBX64 } }) {
        QTest::addRow("%s 1x1", name) << format << QSize(1, 1);
        QTest::addRow("%s 7x3", name) << format << QSize(7, 3);
        QTest::addRow("%s 1x40", name) << format << QSize(1, 40);
        QTest::addRow("%s 333x250", name) << format << QSize(333, 250);
        QTest::addRow("%s 1500x800", name) << format << QSize(1500, 800); // several IDAT chunks
    }
}

namespace {

// Noise, ramps, flat runs, smooth shading and near-black dots, in bands of 8 rows: every PNG
// filter is the best one for some rows.
QImage testPicture(QSize size, QImage::Format format)
{
    QImage image(size, format);
    QRandomGenerator random(11);
    for (int y = 0; y < size.height(); ++y) {
        for (int x = 0; x < size.width(); ++x) {
            const int band = (y / 8) % 6;
            const quint16 noise = quint16(random.bounded(65536));
            if (band == 5) { // nearly black, a dot here and there: left unfiltered
                const quint16 dot = noise % 10 == 0 ? 0x0101 : 0;
                image.setPixelColor(x, y, QColor::fromRgba64(dot, dot, dot));
                continue;
            }
            const quint16 ramp = quint16((x * 97 + y * 13) % 65536);
            const quint16 smooth = quint16(32768 + 30000 * std::sin(x * 0.05) * std::cos(y * 0.07));
            const quint16 value = band == 0 ? noise
                : band == 1                 ? ramp
                : band == 2                 ? quint16(40000)
                : band == 3                 ? smooth
                                            : quint16(smooth + noise % 2048);
            image.setPixelColor(
                x, y, QColor::fromRgba64(value, quint16(value / 2 + x), quint16(65535 - value)));
        }
    }
    return image;
}

// A PNG file's chunk types in order (runs of one type once), and its IDAT data joined.
QStringList pngChunks(const QByteArray &bytes, QByteArray *idat)
{
    QStringList chunks;
    for (qsizetype at = 8; at + 12 <= bytes.size();) {
        const quint32 length = qFromBigEndian<quint32>(bytes.constData() + at);
        const QString type = QString::fromLatin1(bytes.mid(at + 4, 4));
        if (chunks.isEmpty() || chunks.last() != type)
            chunks << type;
        if (type == u"IDAT")
            *idat += bytes.mid(at + 8, length);
        at += 12 + qsizetype(length);
    }
    return chunks;
}

} // namespace

// The picture encoded and read back by Qt's reader (libpng): the same pixels, a PNG's chunks,
// and (on the larger pictures) rows under each of the five filters.
void TestRender::pngKeepsEveryPixel()
{
    QFETCH(QImage::Format, format);
    QFETCH(QSize, size);
    const QImage image = testPicture(size, format);
    auto png = encodePng(image);
    if (!png)
        QFAIL(qPrintable(png.error().message));
    QImage back;
    QVERIFY(back.loadFromData(png.value(), "png"));
    QCOMPARE(back.size(), size);
    QCOMPARE(back.format(), format);
    for (int y = 0; y < size.height(); ++y)
        QVERIFY2(
            std::memcmp(back.constScanLine(y), image.constScanLine(y), size_t(image.bytesPerLine()))
                == 0,
            qPrintable(QStringLiteral("row %1 differs").arg(y)));
    QCOMPARE(back.colorSpace(), QColorSpace(QColorSpace::SRgb)); // the sRGB chunk

    QCOMPARE(png->left(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
    QByteArray pixels;
    QCOMPARE(pngChunks(png.value(), &pixels).join(u' '), QStringLiteral("IHDR sRGB IDAT IEND"));
    const qsizetype rowBytes =
        qsizetype(size.width()) * (format == QImage::Format_RGBX64 ? 6 : 3) + 1;
    QByteArray sized(4, '\0'); // qUncompress wants the size first
    qToBigEndian<quint32>(quint32(rowBytes * size.height()), sized.data());
    const QByteArray rows = qUncompress(sized + pixels);
    QCOMPARE(rows.size(), rowBytes * size.height());
    QSet<int> filters;
    for (int y = 0; y < size.height(); ++y)
        filters.insert(uchar(rows.at(y * rowBytes)));
    QVERIFY(*std::max_element(filters.begin(), filters.end()) <= 4);
    if (size.height() >= 250) // all five, so that each one's arithmetic was read back above
        QCOMPARE(filters.size(), 5);
}

void TestRender::renderJobWritesThePng_data()
{
    QTest::addColumn<int>("depth");
    QTest::newRow("8-bit") << 8;
    QTest::newRow("16-bit") << 16;
}

void TestRender::renderJobWritesThePng()
{
    QFETCH(int, depth);
    Harness h(2);
    const QUuid id = h.add(model("OBJ/spider.obj"), QStringLiteral("spider.png"),
        { { QStringLiteral("width"), 160 }, { QStringLiteral("height"), 120 },
            { QStringLiteral("samples"), 4 }, { QStringLiteral("depth"), depth } });
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Succeeded, 60000);
    QCOMPARE(h.recorder->record(id).output, h.out(QStringLiteral("spider.png")));
    const QImage image(h.out(QStringLiteral("spider.png")));
    QCOMPARE(image.size(), QSize(160, 120));
    QCOMPARE(image.depth(), depth == 16 ? 64 : 32);
    // Not one flat colour: the model and its shading are there.
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colours.insert(image.pixel(x, y));
    QVERIFY(colours.size() > 50);
    // Compressed: the flat background alone makes it far smaller than its raw pixels.
    const qint64 raw = qint64(160) * 120 * 3 * (depth / 8);
    const qint64 size = QFileInfo(h.out(QStringLiteral("spider.png"))).size();
    QVERIFY2(size < raw / 2, qPrintable(QStringLiteral("%1 bytes for %2 raw").arg(size).arg(raw)));
    // Progress counted samples to the end, and a preview was published while it ran.
    QCOMPARE(h.recorder->record(id).progress.done, qint64(160) * 120 * 4);
    QCOMPARE(h.recorder->record(id).progress.unit, units::Samples);
    const QImage preview = PreviewHub::instance().latest(id);
    QCOMPARE(preview.size(), QSize(160, 120));
    // Nothing else was left beside the output.
    QCOMPARE(QDir(h.dir.path()).entryList({ QStringLiteral("*.png*") }, QDir::Files | QDir::Hidden),
        QStringList { QStringLiteral("spider.png") });
}

void TestRender::badFileFailsTheJobOnce()
{
    Harness h(1);
    const QUuid id = h.add(model("PLY/points.ply"), QStringLiteral("points.png"), {});
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Failed, 30000);
    QCOMPARE(h.recorder->record(id).attempts, 1); // the file will not get better: no retries
    QVERIFY2(h.recorder->record(id).error.contains(QLatin1String("points.ply")),
        qPrintable(h.recorder->record(id).error));
    QVERIFY(!QFileInfo::exists(h.out(QStringLiteral("points.png"))));
}

// The file that crashes Assimp fails its job with the reason, once; the process that ran it (this
// one, as a runner) goes on to the next job.
void TestRender::modelThatCrashesAssimpFailsOnlyItsJob()
{
    Harness h(1);
    const QUuid bad =
        h.add(QStringLiteral(TEST_DATA_DIR "/crashes-assimp.ply"), QStringLiteral("crash.png"), {});
    const QUuid good = h.add(model("OBJ/spider.obj"), QStringLiteral("spider.png"),
        { { QStringLiteral("width"), 64 }, { QStringLiteral("height"), 48 },
            { QStringLiteral("samples"), 2 } });
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(good), JobState::Succeeded, 60000);
    QCOMPARE(h.recorder->state(bad), JobState::Failed);
    QCOMPARE(h.recorder->record(bad).attempts, 1);
    const QString error = h.recorder->record(bad).error;
    QVERIFY2(error.contains(QLatin1String("crashes-assimp.ply: it crashed the model reader")),
        qPrintable(error));
    QVERIFY(!QFileInfo::exists(h.out(QStringLiteral("crash.png"))));
    QVERIFY(QFileInfo::exists(h.out(QStringLiteral("spider.png"))));
}

// What spool-scene-reader sends back comes from a process that read a stranger's file: it round-
// trips exactly, and a cut, inflated or inconsistent answer is refused with a reason.
void TestRender::readersAnswerIsCheckedNotTrusted()
{
    auto read = readSceneHere(model("OBJ/spider.obj"));
    QVERIFY(read.ok());
    Scene scene = read.value();
    scene.cameras.push_back(
        Camera { QStringLiteral("cam"), { 1, 2, 3 }, { 0, 0, -1 }, { 0, 1, 0 }, 0.8f, 1.5f });
    scene.lights.push_back(Light { false, { 0, 1, 0 }, { 4, 5, 6 }, { 1, 0.5f, 0.25f } });
    const QByteArray answer = scenewire::encode(scene);
    auto decoded = scenewire::decodeScene(answer);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
    QCOMPARE(decoded->triangleCount, scene.triangleCount);
    QCOMPARE(decoded->meshes.size(), scene.meshes.size());
    QCOMPARE(decoded->meshes.back().indices, scene.meshes.back().indices);
    QCOMPARE(decoded->cameras.back().name, QStringLiteral("cam"));
    QCOMPARE(decoded->lights.back().position.y, 5.0f);
    QCOMPARE(decoded->bounds.radius(), scene.bounds.radius());

    const auto refused = [](const QByteArray &bytes, const char *reason) {
        auto result = scenewire::decodeScene(bytes);
        if (result.ok())
            return QStringLiteral("accepted");
        return result.error().message.contains(QLatin1String(reason)) ? QString()
                                                                      : result.error().message;
    };
    QCOMPARE(refused(answer.left(answer.size() - 1), "ends early"), QString());
    QCOMPARE(refused(answer + 'x', "bytes after its end"), QString());
    QCOMPARE(refused(QByteArray("garbage"), "does not start as an answer does"), QString());
    QByteArray inflated = answer;
    const quint32 huge = 0x40000000; // the first mesh's position count
    memcpy(inflated.data() + 12 + 1 + 4 + 12, &huge, 4);
    QCOMPARE(refused(inflated, "cannot hold"), QString());
    Scene stray;
    stray.meshes.push_back(Mesh { { { 0, 0, 0 }, { 1, 0, 0 } }, { 0, 1, 2 }, {} });
    QCOMPARE(refused(scenewire::encode(stray), "points past its mesh"), QString());
    // Found by fuzz_scene_answer: finite coordinates whose extent overflows a float.
    Scene vast;
    vast.meshes.push_back(
        Mesh { { { -3e38f, 0, 0 }, { 3e38f, 0, 0 }, { 0, 1, 0 } }, { 0, 1, 2 }, {} });
    QCOMPARE(refused(scenewire::encode(vast), "too large to render"), QString());
    const Error error = makeError(ErrorCode::InvalidInput, QStringLiteral("x.obj has no faces"));
    QCOMPARE(scenewire::decodeScene(scenewire::encode(error)).error().message, error.message);
    const QStringList names { QStringLiteral("a"), QStringLiteral("\u00e9t\u00e9") };
    QCOMPARE(scenewire::decodeCameraNames(scenewire::encode(names)).value(), names);
}

void TestRender::pauseResumesFromTheLastPassAfterARestart()
{
    Harness h(1, true);
    const QString engine = model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    // Small enough that two renders of it finish within the timeouts under TSan on a loaded
    // machine (320 x 240 took 128 s there); many passes, so the pause comes before the end.
    const QJsonObject params { { QStringLiteral("width"), 160 }, { QStringLiteral("height"), 120 },
        { QStringLiteral("samples"), 256 } };
    const QUuid id = h.add(engine, QStringLiteral("paused.png"), params);
    const qint64 pixels = 160 * 120;
    // Past the first passes (1 + 1 + 2 samples), then pause.
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder->lastProgress.value(id).progress.done > pixels * 5, 60000);
    h.queue->pause(id);
    const qint64 pausedMs = millisecondsUntil(h, id, JobState::Paused, 10000);
    QVERIFY(pausedMs >= 0);
    qInfo("paused %lld ms after the request (with the state written)", pausedMs);
    // As the job left it (the record), not the last coalesced progress signal.
    const qint64 pausedAt = h.recorder->record(id).progress.done;

    // A new process, as far as the queue knows: the same store, a new queue.
    h.stopQueue();
    h.startQueue(1);
    h.queue->resume(id);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Succeeded, 120000);
    const QStringList log = h.logLines(id);
    const auto resumed = std::find_if(log.cbegin(), log.cend(),
        [](const QString &line) { return line.startsWith(QLatin1String("resuming at ")); });
    QVERIFY2(resumed != log.cend(), qPrintable(log.join(QLatin1Char('\n'))));
    const int resumedSamples = resumed->section(QLatin1Char(' '), 2, 2).toInt();
    QVERIFY(resumedSamples >= 4);
    QVERIFY(qint64(resumedSamples) * pixels <= pausedAt);

    // The same picture as a render that was never interrupted (sums in another order: +-1).
    const QUuid whole = h.add(engine, QStringLiteral("whole.png"), params);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(whole), JobState::Succeeded, 120000);
    const QImage a(h.out(QStringLiteral("paused.png"))), b(h.out(QStringLiteral("whole.png")));
    QCOMPARE(a.size(), b.size());
    QVERIFY(maxChannelDifference(a, b) <= 1);
}

void TestRender::cancelStopsPromptlyAndLeavesNothing()
{
    Harness h(2);
    const QUuid id = h.add(model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb"),
        QStringLiteral("never.png"),
        { { QStringLiteral("width"), 640 }, { QStringLiteral("height"), 480 },
            { QStringLiteral("samples"), 4096 } });
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder->lastProgress.value(id).progress.done > 0, 60000);
    h.queue->cancel(id);
    const qint64 canceledMs = millisecondsUntil(h, id, JobState::Canceled, 10000);
    QVERIFY(canceledMs >= 0);
    // The figure is for the note. The 10 s wait catches a render that ignores the request
    // (4096 samples take minutes); a tighter bound would time the machine, not the render.
    qInfo("canceled %lld ms after the request", canceledMs);
    QCOMPARE(QDir(h.dir.path()).entryList({ QStringLiteral("*.png*") }, QDir::Files | QDir::Hidden),
        QStringList());
}

void TestRender::neverReplacesAFile()
{
    Harness h(1);
    h.queue->setQueuePaused(true);
    const QUuid id = h.add(model("OFF/Cube.off"), QStringLiteral("cube.png"),
        { { QStringLiteral("width"), 32 }, { QStringLiteral("height"), 32 },
            { QStringLiteral("samples"), 1 } });
    // Someone else's file appears at that name after the job was queued.
    QFile theirs(h.out(QStringLiteral("cube.png")));
    QVERIFY(theirs.open(QIODevice::WriteOnly));
    theirs.write("not ours");
    theirs.close();
    h.queue->setQueuePaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Succeeded, 30000);
    QCOMPARE(h.recorder->record(id).output, h.out(QStringLiteral("cube (1).png")));
    QVERIFY(theirs.open(QIODevice::ReadOnly));
    QCOMPARE(theirs.readAll(), QByteArray("not ours"));
    QCOMPARE(QImage(h.out(QStringLiteral("cube (1).png"))).size(), QSize(32, 32));
}

// An attempt killed after moving its picture into place, before the queue heard of it: the next
// attempt finds that picture instead of rendering it again beside it as "cube (1).png" (the
// soak test met this).
void TestRender::killedAttemptsPictureIsNotRenderedTwice()
{
    Harness h(1);
    h.queue->setQueuePaused(true);
    const QUuid id = h.add(model("OFF/Cube.off"), QStringLiteral("cube.png"),
        { { QStringLiteral("width"), 32 }, { QStringLiteral("height"), 32 },
            { QStringLiteral("samples"), 1 } });
    // The earlier attempt, up to where it was killed: a red picture, which no render makes.
    const QString out = h.out(QStringLiteral("cube.png"));
    const QString temporary = outputfiles::temporaryPathFor(out, idString(id).left(8));
    QImage red(32, 32, QImage::Format_RGB32);
    red.fill(Qt::red);
    QVERIFY(red.save(temporary, "png"));
    const QString workDir = QDir(h.dir.filePath(QStringLiteral("work"))).filePath(idString(id));
    QVERIFY(outputfiles::noteDelivery(temporary, out, workDir));
    QVERIFY(outputfiles::moveIntoPlace(temporary, out));

    h.queue->setQueuePaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Succeeded, 30000);
    QCOMPARE(h.recorder->record(id).output, out);
    QCOMPARE(QImage(out).convertToFormat(QImage::Format_RGB32), red);
    QCOMPARE(QDir(h.dir.path()).entryList({ QStringLiteral("*.png*") }, QDir::Files | QDir::Hidden),
        QStringList { QStringLiteral("cube.png") });
}

void TestRender::usesIdleWorkersAndOnlyThem()
{
    Harness h(3);
    const QString engine = model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
    const QJsonObject params { { QStringLiteral("width"), 320 }, { QStringLiteral("height"), 240 },
        { QStringLiteral("samples"), 32 } };
    // Alone in a queue of three workers, a render gets the two idle ones...
    const QUuid alone = h.add(engine, QStringLiteral("alone.png"), params);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(alone), JobState::Succeeded, 120000);
    QVERIFY2(h.logLines(alone).last().endsWith(QLatin1String("3 thread(s) at most")),
        qPrintable(h.logLines(alone).join(QLatin1Char('\n'))));
    // ...and no more than its own limit.
    QJsonObject one = params;
    one.insert(QStringLiteral("threads"), 1);
    const QUuid single = h.add(engine, QStringLiteral("single.png"), one);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(single), JobState::Succeeded, 120000);
    QVERIFY(h.logLines(single).last().endsWith(QLatin1String("1 thread(s) at most")));
}

namespace {

// The jobs the queue holds, in FIFO order, as the recorder last saw them.
QList<JobRecord> jobsOf(Harness &h, const QList<QUuid> &ids)
{
    QList<JobRecord> records;
    for (const QUuid &id : ids)
        records.append(h.recorder->record(id));
    return records;
}

QStringList splitFolders(const QString &dir)
{
    return QDir(dir).entryList(
        { QStringLiteral(".spool-split-*") }, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot);
}

const QJsonObject kSplitParams { { QStringLiteral("width"), 96 }, { QStringLiteral("height"), 72 },
    { QStringLiteral("samples"), 7 }, { QStringLiteral("seed"), 3 } };

// The spider in `parts` parts into split.png.
QJsonObject splitSpider(const Harness &h, int parts)
{
    QJsonObject params = kSplitParams;
    params.insert(QStringLiteral("scene"), model("OBJ/spider.obj"));
    params.insert(QStringLiteral("out"), h.out(QStringLiteral("split.png")));
    params.insert(QStringLiteral("split"), parts);
    return params;
}

// Queues the spider in two parts into split.png and runs only the first: the second is held
// paused straight in the store (through the queue, a pause would hold the whole render). The
// parts' ids, or none if that did not happen.
QList<QUuid> splitWithSecondPartHeld(Harness &h)
{
    h.queue->setQueuePaused(true);
    auto ids = h.queue->enqueueMany(QStringLiteral("render"), { splitSpider(h, 2) });
    if (!ids || ids->size() != 2
        || !QTest::qWaitFor([&] { return h.recorder->state(ids->at(1)) == JobState::Queued; })
        || !h.store->command(ids->at(1), JobCommand::Pause, QDateTime::currentMSecsSinceEpoch()))
        return {};
    h.queue->setQueuePaused(false);
    if (!QTest::qWaitFor(
            [&] { return h.recorder->state(ids->at(0)) == JobState::Succeeded; }, 60000))
        return {};
    return ids.value();
}

} // namespace

void TestRender::splitRenderEqualsTheWholeRender_data()
{
    QTest::addColumn<int>("parts");
    QTest::newRow("1 part") << 1;
    QTest::newRow("2 parts") << 2;
    QTest::newRow("3 parts") << 3;
    QTest::newRow("7 parts") << 7;
}

// Parts render disjoint sample ranges; the part that completes the set merges them. The picture
// is the whole render's (sums added in another order: +-1), under the name asked for, and
// nothing of the parts is left beside it.
void TestRender::splitRenderEqualsTheWholeRender()
{
    QFETCH(int, parts);
    Harness h(2);
    const QString spider = model("OBJ/spider.obj");
    const QUuid whole = h.add(spider, QStringLiteral("whole.png"), kSplitParams);
    auto ids = h.queue->enqueueMany(QStringLiteral("render"), { splitSpider(h, parts) });
    QVERIFY(ids.ok());
    QCOMPARE(ids->size(), parts);
    for (const QUuid &id : ids.value())
        QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Succeeded, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(whole), JobState::Succeeded, 60000);

    // One part wrote the picture; each rendered its own share of the samples.
    int merged = 0;
    qint64 samples = 0;
    for (const JobRecord &record : jobsOf(h, ids.value())) {
        if (!record.output.isEmpty()) {
            ++merged;
            QCOMPARE(record.output, h.out(QStringLiteral("split.png")));
        }
        samples += record.progress.done;
    }
    QCOMPARE(merged, 1);
    QCOMPARE(samples, qint64(96) * 72 * 7);
    // Every part's samples were taken as they were kept: none was rendered twice.
    for (const QUuid &id : ids.value())
        QVERIFY(!h.logLines(id).join(QLatin1Char('\n')).contains(QLatin1String("missing")));
    const QImage a(h.out(QStringLiteral("whole.png"))), b(h.out(QStringLiteral("split.png")));
    QCOMPARE(b.size(), QSize(96, 72));
    QVERIFY(maxChannelDifference(a, b) <= 1);
    QCOMPARE(splitFolders(h.dir.path()), QStringList());
    QCOMPARE(QDir(h.dir.path()).entryList({ QStringLiteral("*.png*") }, QDir::Files | QDir::Hidden),
        (QStringList { QStringLiteral("split.png"), QStringLiteral("whole.png") }));
}

// A part's samples spoiled after the part succeeded: the part that completes the set renders
// those samples again itself, and the picture is still the whole render's.
void TestRender::damagedPartIsRenderedAgainByTheMerge()
{
    Harness h(1);
    const QString spider = model("OBJ/spider.obj");
    const QList<QUuid> ids = splitWithSecondPartHeld(h);
    QCOMPARE(ids.size(), 2);
    const QUuid first = ids.at(0), second = ids.at(1);
    QCOMPARE(h.recorder->record(first).output, QString());

    // The first part's samples wait beside the output; someone cuts them short.
    const QStringList folders = splitFolders(h.dir.path());
    QCOMPARE(folders.size(), 1);
    QFile file(QDir(h.dir.filePath(folders.first())).filePath(QStringLiteral("part-0")));
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.resize(file.size() / 2));
    file.close();

    h.queue->resume(second); // the finished first part ignores it
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(second), JobState::Succeeded, 60000);
    QVERIFY(h.recorder->failures.isEmpty());
    QCOMPARE(h.recorder->record(second).output, h.out(QStringLiteral("split.png")));
    QVERIFY(h.logLines(second).contains(
        QStringLiteral("the samples of part 1 of 2 are missing, damaged or from another version of "
                       "the scene; rendering them here")));
    QCOMPARE(splitFolders(h.dir.path()), QStringList());

    const QUuid whole = h.add(spider, QStringLiteral("whole.png"), kSplitParams);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(whole), JobState::Succeeded, 60000);
    QVERIFY(maxChannelDifference(QImage(h.out(QStringLiteral("whole.png"))),
                QImage(h.out(QStringLiteral("split.png"))))
        <= 1);
}

// The parts of a split render are one job to the user: cancel, retry and remove given to one
// part act on every part, whatever state each is in; only a refusal of the whole is told.
void TestRender::commandsActOnTheWholeSplitRender()
{
    Harness h(2);
    QJsonObject params { { QStringLiteral("scene"), model("OBJ/spider.obj") },
        { QStringLiteral("out"), h.out(QStringLiteral("split.png")) },
        { QStringLiteral("width"), 160 }, { QStringLiteral("height"), 120 },
        { QStringLiteral("samples"), 30000 }, { QStringLiteral("split"), 3 } };
    auto ids = h.queue->enqueueMany(QStringLiteral("render"), { params });
    QVERIFY(ids.ok());
    const QUuid first = ids->at(0), second = ids->at(1), third = ids->at(2);
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder->lastProgress.value(first).progress.done > 0, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(h.recorder->lastProgress.value(second).progress.done > 0, 60000);

    // Cancel the part still waiting: the two running ones stop too.
    h.queue->cancel(third);
    for (const QUuid &id : ids.value())
        QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Canceled, 10000);
    QVERIFY(h.recorder->failures.isEmpty());

    // Retry one: all three run again.
    h.queue->retry(second);
    for (const QUuid &id : ids.value())
        QTRY_VERIFY(h.recorder->state(id) == JobState::Queued
            || h.recorder->state(id) == JobState::Running);

    // Cancel a running one: the others stop too.
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(first), JobState::Running, 60000);
    h.queue->cancel(first);
    for (const QUuid &id : ids.value())
        QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Canceled, 10000);
    QVERIFY(h.recorder->failures.isEmpty());
    // Pausing a render that is canceled, all of it, is refused once, for the part named.
    h.queue->pause(third);
    QTRY_COMPARE(h.recorder->failures.size(), 1);
    QVERIFY2(h.recorder->failures.first().contains(idString(third)),
        qPrintable(h.recorder->failures.first()));
    QTest::qWait(100);
    QCOMPARE(h.recorder->failures.size(), 1);

    // Remove one: the render goes.
    h.queue->remove(first);
    QTRY_COMPARE(h.recorder->removed.size(), 3);
}

// Clear Finished leaves a finished part alone while another part of its render is still to
// run (its samples wait for the merge), and clears the render once it is finished.
void TestRender::clearFinishedWaitsForTheWholeSplitRender()
{
    Harness h(1);
    const QList<QUuid> ids = splitWithSecondPartHeld(h);
    QCOMPARE(ids.size(), 2);
    const QUuid second = ids.at(1);

    h.queue->clearFinished();
    QTest::qWait(300);
    QVERIFY(h.recorder->removed.isEmpty());
    QCOMPARE(splitFolders(h.dir.path()).size(), 1);

    h.queue->resume(second);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(second), JobState::Succeeded, 60000);
    QVERIFY(!h.logLines(second).join(QLatin1Char('\n')).contains(QLatin1String("missing")));
    QVERIFY(QFileInfo::exists(h.out(QStringLiteral("split.png"))));
    h.queue->clearFinished();
    QTRY_COMPARE(h.recorder->removed.size(), 2);
}

// A merging part that died leaves every part's samples in its merging folder; removing the
// render then removes that folder too, and nothing is left beside the output.
void TestRender::removingARenderRemovesTheSamplesAMergeHeld()
{
    Harness h(1);
    const QList<QUuid> ids = splitWithSecondPartHeld(h);
    QCOMPARE(ids.size(), 2);
    const QUuid first = ids.at(0), second = ids.at(1);

    // As if the second part had taken the merge and died: the folder under its merging name,
    // holding the first part's samples.
    const QStringList folders = splitFolders(h.dir.path());
    QCOMPARE(folders.size(), 1);
    const QString merging =
        h.dir.filePath(folders.first() + QStringLiteral(".merging-") + idString(second).left(8));
    QVERIFY(QDir().rename(h.dir.filePath(folders.first()), merging));

    h.queue->remove(first);
    QTRY_COMPARE(h.recorder->removed.size(), 2);
    QStringList left =
        QDir(h.dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    left.removeAll(QStringLiteral("work")); // the queue's work root
    QCOMPARE(left, QStringList());
}

// Someone who may write to the output folder plants a link at the parts' folder name (the group
// is in the job's parameters): the parts refuse it, and nothing reaches the link's target.
void TestRender::plantedLinkAtThePartsFolderIsRefused()
{
    Harness h(1);
    h.queue->setQueuePaused(true);
    auto ids = h.queue->enqueueMany(QStringLiteral("render"), { splitSpider(h, 2) });
    QVERIFY(ids.ok());
    QTRY_COMPARE(h.recorder->state(ids->at(0)), JobState::Queued);
    const QString group =
        h.recorder->record(ids->at(0)).params.value(QStringLiteral("group")).toString();
    QVERIFY(QDir(h.dir.path()).mkdir(QStringLiteral("victim")));
    QFile victimFile(h.dir.filePath(QStringLiteral("victim/keep.txt")));
    QVERIFY(victimFile.open(QIODevice::WriteOnly));
    victimFile.write("theirs");
    victimFile.close();
    QVERIFY(QFile::link(h.dir.filePath(QStringLiteral("victim")),
        h.dir.filePath(QStringLiteral(".spool-split-") + group.left(8))));

    h.queue->setQueuePaused(false);
    for (const QUuid &id : ids.value()) {
        QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Failed, 60000);
        QVERIFY2(h.recorder->record(id).error.contains(QLatin1String("is a link")),
            qPrintable(h.recorder->record(id).error));
    }
    QCOMPARE(QDir(h.dir.filePath(QStringLiteral("victim"))).entryList(QDir::Files | QDir::Hidden),
        QStringList { QStringLiteral("keep.txt") });
}

// A merge that fails (here: a link planted at the PNG's temporary name) hands the samples back
// to the parts' folder; a link planted there meanwhile does not receive them.
void TestRender::failedMergeNeverHandsSamplesToALink()
{
    Harness h(1);
    const QList<QUuid> ids = splitWithSecondPartHeld(h);
    QCOMPARE(ids.size(), 2);
    const QUuid second = ids.at(1);
    // As if the second part had taken the merge: the folder under its merging name.
    const QStringList folders = splitFolders(h.dir.path());
    QCOMPARE(folders.size(), 1);
    const QString parts = h.dir.filePath(folders.first());
    const QString merging = parts + QStringLiteral(".merging-") + idString(second).left(8);
    QVERIFY(QDir().rename(parts, merging));
    QVERIFY(QDir(h.dir.path()).mkdir(QStringLiteral("victim")));
    QVERIFY(QFile::link(h.dir.filePath(QStringLiteral("victim")), parts));
    const QString out = h.out(QStringLiteral("split.png"));
    QVERIFY(QFile::link(h.dir.filePath(QStringLiteral("victim/theirs.png")),
        outputfiles::temporaryPathFor(out, idString(second).left(8))));

    h.queue->resume(second);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(second), JobState::Failed, 60000);
    QCOMPARE(QDir(h.dir.filePath(QStringLiteral("victim"))).entryList(QDir::Files | QDir::Hidden),
        QStringList());
    QCOMPARE(QDir(merging).entryList(QDir::Files), QStringList { QStringLiteral("part-0") });
}

// spoolctl too: `add --split 2` prints both parts' ids, and `cancel` of one cancels both,
// a line for each.
void TestRender::spoolctlCommandsActOnTheWholeSplitRender()
{
    QTemporaryDir dir;
    const auto ctl = [&](const QStringList &args) {
        QProcess p;
        p.start(QStringLiteral(SPOOLCTL_PATH),
            QStringList { QStringLiteral("--data-dir"), dir.path() } + args);
        p.waitForFinished(60000);
        return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()));
    };
    const auto [added, ids] = ctl({ QStringLiteral("add"), QStringLiteral("render"),
        model("OBJ/spider.obj"), QStringLiteral("--out"), dir.filePath(QStringLiteral("s.png")),
        QStringLiteral("--split"), QStringLiteral("2") });
    QCOMPARE(added, 0);
    const QStringList parts = ids.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(parts.size(), 2);
    const auto [canceled, said] = ctl({ QStringLiteral("cancel"), parts.at(1).left(8) });
    QCOMPARE(canceled, 0);
    QCOMPARE(said, QStringLiteral("%1 canceled\n%2 canceled\n").arg(parts.at(1), parts.at(0)));
}

namespace {

// A copy of a model folder from assimp-testmodels, to take files away from.
QString copyModelFolder(const QTemporaryDir &dir, const char *relativeFolder)
{
    const QDir from(kModels + QLatin1String(relativeFolder));
    for (const QString &name : from.entryList(QDir::Files)) {
        if (!QFile::copy(from.filePath(name), dir.filePath(name)))
            qFatal("cannot copy %s", qPrintable(name));
    }
    return dir.path();
}

// A binary glTF (version 2) whose JSON chunk is `json`, with no binary chunk.
QByteArray glb(const QByteArray &json)
{
    QByteArray padded = json;
    while (padded.size() % 4 != 0)
        padded.append(' ');
    const auto le32 = [](quint32 v) {
        QByteArray bytes(4, '\0');
        for (int i = 0; i < 4; ++i)
            bytes[i] = char(v >> (8 * i) & 0xff);
        return bytes;
    };
    return QByteArray("glTF") + le32(2) + le32(quint32(12 + 8 + padded.size()))
        + le32(quint32(padded.size())) + le32(0x4E4F534Au) + padded;
}

} // namespace

void TestRender::sceneInputsAreFoundWithoutReadingTheModel()
{
    QTemporaryDir gltfDir;
    const QString gltf =
        copyModelFolder(gltfDir, "glTF2/BoxTextured-glTF") + QStringLiteral("/BoxTextured.gltf");
    const QList<SceneInput> gltfInputs = sceneInputs(gltf);
    QCOMPARE(gltfInputs.size(), 2);
    QCOMPARE(gltfInputs.at(0).path, gltfDir.filePath(QStringLiteral("BoxTextured0.bin")));
    QVERIFY(gltfInputs.at(0).required);
    QCOMPARE(gltfInputs.at(1).path, gltfDir.filePath(QStringLiteral("CesiumLogoFlat.png")));
    QVERIFY(!gltfInputs.at(1).required);
    QVERIFY(checkInputs(gltf).refusal.isEmpty());
    QVERIFY(checkInputs(gltf).notes.isEmpty());

    // An OBJ's material library and the textures it names (written with Windows' backslashes).
    const QList<SceneInput> objInputs = sceneInputs(model("OBJ/spider.obj"));
    QCOMPARE(objInputs.size(), 6);
    QCOMPARE(objInputs.at(0).path, model("OBJ/spider.mtl"));
    QCOMPARE(objInputs.at(0).what, QStringLiteral("material library"));
    QCOMPARE(objInputs.at(3).path, model("OBJ/SpiderTex.jpg"));
    QCOMPARE(objInputs.at(3).what, QStringLiteral("texture"));
    for (const SceneInput &input : objInputs)
        QVERIFY(!input.required);

    // A GLB: a buffer in a file of its own (percent-encoded), one inline; an image inline.
    QTemporaryDir glbDir;
    QFile file(glbDir.filePath(QStringLiteral("model.glb")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(glb(R"({"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"geo%20data.bin"},
        {"byteLength":4,"uri":"data:application/octet-stream;base64,AAAAAA=="}],
        "images":[{"uri":"data:image/png;base64,AA=="}]})"));
    file.close();
    const QList<SceneInput> glbInputs = sceneInputs(file.fileName());
    QCOMPARE(glbInputs.size(), 1);
    QCOMPARE(glbInputs.at(0).path, glbDir.filePath(QStringLiteral("geo data.bin")));
    QVERIFY(glbInputs.at(0).required);
    QVERIFY2(checkInputs(file.fileName()).refusal.startsWith(glbInputs.at(0).path),
        qPrintable(checkInputs(file.fileName()).refusal));

    // Several libraries on one line, one of them in a Windows subfolder, named twice.
    QFile obj(glbDir.filePath(QStringLiteral("two.obj")));
    QVERIFY(obj.open(QIODevice::WriteOnly));
    obj.write("mtllib a.mtl mats\\b.mtl\r\nv 0 0 0\nmtllib a.mtl\n");
    obj.close();
    const QList<SceneInput> objLibraries = sceneInputs(obj.fileName());
    QCOMPARE(objLibraries.size(), 2);
    QCOMPARE(objLibraries.at(0).path, glbDir.filePath(QStringLiteral("a.mtl")));
    QCOMPARE(objLibraries.at(1).path, glbDir.filePath(QStringLiteral("mats/b.mtl")));

    // References that lead back into a folder are listed by its clean path (found by
    // fuzz_scene_inputs): the scene's own folder is not a file, so the buffer is missing.
    QFile dots(glbDir.filePath(QStringLiteral("dots.gltf")));
    QVERIFY(dots.open(QIODevice::WriteOnly));
    dots.write(R"({"asset":{"version":"2.0"},"buffers":[{"byteLength":4,"uri":"."},
        {"byteLength":4,"uri":"mats/../a.bin"}]})");
    dots.close();
    const QList<SceneInput> dotInputs = sceneInputs(dots.fileName());
    QCOMPARE(dotInputs.size(), 2);
    QCOMPARE(dotInputs.at(0).path, QDir::cleanPath(glbDir.path()));
    QCOMPARE(dotInputs.at(1).path, glbDir.filePath(QStringLiteral("a.bin")));
    QVERIFY(!checkInputs(dots.fileName()).refusal.isEmpty());

    // Formats that keep everything in one file, and garbage, list nothing.
    QVERIFY(sceneInputs(model("PLY/cube.ply")).isEmpty());
    QVERIFY(sceneInputs(model("invalid/readme.txt")).isEmpty());
}

// The first part checks the scene for the whole render: when it is refused, the other parts
// (which pass their own prepare step) are not queued either.
void TestRender::missingGeometryRefusesTheWholeSplitRender()
{
    QTemporaryDir models;
    const QString gltf =
        copyModelFolder(models, "glTF2/BoxTextured-glTF") + QStringLiteral("/BoxTextured.gltf");
    QVERIFY(QFile::remove(models.filePath(QStringLiteral("BoxTextured0.bin"))));
    Harness h(1);
    QSignalSpy failed(h.queue.get(), &JobQueue::commandFailed);
    QJsonObject params = kSplitParams;
    params.insert(QStringLiteral("split"), 3);
    h.add(gltf, QStringLiteral("box.png"), params);
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
    const QString message = failed.first().at(1).toString();
    QVERIFY2(
        message.contains(models.filePath(QStringLiteral("BoxTextured0.bin"))), qPrintable(message));
    // The queue handles what it is given in order: once the next job is in, the refused render
    // has been dealt with.
    const QUuid next = h.add(model("OBJ/spider.obj"), QStringLiteral("spider.png"), kSplitParams);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(next), JobState::Succeeded, 60000);
    const auto stored = h.store->query({});
    QCOMPARE(stored.value().size(), 1);
    QCOMPARE(failed.size(), 1);
    QVERIFY(!QFileInfo::exists(h.out(QStringLiteral("box.png"))));
}

void TestRender::spoolctlNamesAMissingGeometryFileAndNotesTextures()
{
    QTemporaryDir dir;
    QTemporaryDir models;
    const QString gltf =
        copyModelFolder(models, "glTF2/BoxTextured-glTF") + QStringLiteral("/BoxTextured.gltf");
    const QString bin = models.filePath(QStringLiteral("BoxTextured0.bin"));
    QVERIFY(QFile::rename(bin, bin + QStringLiteral(".away")));
    const auto add = [&](const QString &out) {
        QProcess p;
        p.start(QStringLiteral(SPOOLCTL_PATH),
            { QStringLiteral("--data-dir"), dir.path(), QStringLiteral("add"),
                QStringLiteral("render"), gltf, QStringLiteral("--out"), dir.filePath(out),
                QStringLiteral("--split"), QStringLiteral("2") });
        p.waitForFinished(60000);
        return std::make_tuple(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError()));
    };
    const auto [refused, noIds, reason] = add(QStringLiteral("a.png"));
    QCOMPARE(refused, 2);
    QCOMPARE(noIds, QString());
    QCOMPARE(reason,
        QStringLiteral("spoolctl: %1 is missing: BoxTextured.gltf reads its geometry from it\n")
            .arg(bin));

    QVERIFY(QFile::rename(bin + QStringLiteral(".away"), bin));
    QVERIFY(QFile::remove(models.filePath(QStringLiteral("CesiumLogoFlat.png"))));
    const auto [queued, ids, note] = add(QStringLiteral("b.png"));
    QCOMPARE(queued, 0);
    QCOMPARE(ids.count(QLatin1Char('\n')), 2);
    QCOMPARE(note,
        QStringLiteral("spoolctl: note: a texture of BoxTextured.gltf is missing "
                       "(CesiumLogoFlat.png): the render does not use textures, so it looks the "
                       "same\n"));
}

// What was there when the render was queued may be gone on the machine that runs it.
void TestRender::inputsMissingWhenTheJobRunsAreNamed()
{
    QTemporaryDir models;
    const QString gltf =
        copyModelFolder(models, "glTF2/BoxTextured-glTF") + QStringLiteral("/BoxTextured.gltf");
    Harness h(1);
    h.queue->setQueuePaused(true);
    const QUuid noTexture = h.add(gltf, QStringLiteral("a.png"), kSplitParams);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(noTexture), JobState::Queued, 30000);
    QVERIFY(QFile::remove(models.filePath(QStringLiteral("CesiumLogoFlat.png"))));
    h.queue->setQueuePaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(noTexture), JobState::Succeeded, 60000);
    QVERIFY2(h.logLines(noTexture)
                 .join(QLatin1Char('\n'))
                 .contains(QLatin1String(
                     "a texture of BoxTextured.gltf is missing (CesiumLogoFlat.png)")),
        qPrintable(h.logLines(noTexture).join(QLatin1Char('\n'))));
    h.queue->setQueuePaused(true);
    const QUuid late = h.add(gltf, QStringLiteral("c.png"), kSplitParams);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(late), JobState::Queued, 30000);
    QVERIFY(QFile::remove(models.filePath(QStringLiteral("BoxTextured0.bin"))));
    h.queue->setQueuePaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(late), JobState::Failed, 60000);
    const JobRecord failed = h.recorder->record(late);
    QCOMPARE(failed.attempts, 1);
    QCOMPARE(failed.error,
        QStringLiteral("%1 is missing: BoxTextured.gltf reads its geometry from it (on %2)")
            .arg(models.filePath(QStringLiteral("BoxTextured0.bin")), runneridentity::hostName()));
    QVERIFY(!QFileInfo::exists(h.out(QStringLiteral("c.png"))));
}

// Nothing runs the queue yet (a fresh data directory): `--split auto` is one part, and says so.
void TestRender::splitAutoWithoutRunnersIsOnePart()
{
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), dir.path(), QStringLiteral("add"), QStringLiteral("render"),
            model("OBJ/spider.obj"), QStringLiteral("--out"), dir.filePath(QStringLiteral("s.png")),
            QStringLiteral("--split"), QStringLiteral("auto") });
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()).count(QLatin1Char('\n')), 1);
    QCOMPARE(QString::fromUtf8(p.readAllStandardError()),
        QStringLiteral("spoolctl: note: --split auto is 1: no machine runs the queue now\n"));
}

void TestRender::spoolctlRejectsBadParameters_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString spider = model("OBJ/spider.obj");
    QTest::newRow("no such file") << QStringList { QStringLiteral("/nonexistent/model.obj") }
                                  << QStringLiteral("does not exist");
    QTest::newRow("not a model") << QStringList { model("invalid/readme.txt") }
                                 << QStringLiteral("not a model format");
    QTest::newRow("zero width") << QStringList { spider, QStringLiteral("--width"),
        QStringLiteral("0") } << QStringLiteral("width");
    QTest::newRow("absurd size") << QStringList { spider, QStringLiteral("--width"),
        QStringLiteral("16000"), QStringLiteral("--height"), QStringLiteral("16000") }
                                 << QStringLiteral("too large");
    QTest::newRow("zero samples") << QStringList { spider, QStringLiteral("--samples"),
        QStringLiteral("0") } << QStringLiteral("samples");
    QTest::newRow("depth 12") << QStringList { spider, QStringLiteral("--depth"),
        QStringLiteral("12") } << QStringLiteral("8 or 16");
    QTest::newRow("unknown camera") << QStringList { spider, QStringLiteral("--camera"),
        QStringLiteral("nope") } << QStringLiteral("no camera named 'nope'");
    QTest::newRow("unknown procedural") << QStringList { QStringLiteral("procedural:ocean") }
                                        << QStringLiteral("unknown procedural scene");
    QTest::newRow("more parts than samples") << QStringList { spider, QStringLiteral("--samples"),
        QStringLiteral("4"), QStringLiteral("--split"),
        QStringLiteral("5") } << QStringLiteral("in 5 parts needs at least 5 samples");
    QTest::newRow("part given by hand") << QStringList { spider, QStringLiteral("--part"),
        QStringLiteral("1") } << QStringLiteral("'part'");
}

void TestRender::spoolctlRejectsBadParameters()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const auto ctl = [&](const QStringList &a) {
        QProcess p;
        p.start(QStringLiteral(SPOOLCTL_PATH),
            QStringList { QStringLiteral("--data-dir"), dir.path() } + a);
        p.waitForFinished(60000);
        return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardError()).trimmed());
    };
    QStringList add { QStringLiteral("add"), QStringLiteral("render") };
    add += args;
    add += { QStringLiteral("--out"), dir.filePath(QStringLiteral("out.png")) };
    const auto [code, error] = ctl(add);
    QCOMPARE(code, 2);
    QVERIFY2(error.contains(message), qPrintable(error));
    QCOMPARE(error.count(QLatin1Char('\n')), 0);
    QCOMPARE(ctl({ QStringLiteral("list"), QStringLiteral("--json") }).first, 0);
    QProcess list;
    list.start(QStringLiteral(SPOOLCTL_PATH),
        { QStringLiteral("--data-dir"), dir.path(), QStringLiteral("list"),
            QStringLiteral("--json") });
    QVERIFY(list.waitForFinished(30000));
    QCOMPARE(QJsonDocument::fromJson(list.readAllStandardOutput()).array().size(), 0);

    // An existing output and a non-PNG output are refused the same way.
    QFile existing(dir.filePath(QStringLiteral("exists.png")));
    QVERIFY(existing.open(QIODevice::WriteOnly));
    existing.close();
    const auto [existsCode, existsError] = ctl({ QStringLiteral("add"), QStringLiteral("render"),
        model("OBJ/spider.obj"), QStringLiteral("--out"), existing.fileName() });
    QCOMPARE(existsCode, 2);
    QVERIFY2(existsError.contains(QLatin1String("never replaces")), qPrintable(existsError));
    const auto [jpgCode, jpgError] = ctl({ QStringLiteral("add"), QStringLiteral("render"),
        model("OBJ/spider.obj"), QStringLiteral("--out"), dir.filePath(QStringLiteral("x.jpg")) });
    QCOMPARE(jpgCode, 2);
    QVERIFY2(jpgError.contains(QLatin1String(".png")), qPrintable(jpgError));
}

// A symbolic link planted at the picture's (predictable) temporary name is not written through:
// the render fails naming it, once, and the file the link points at is untouched.
void TestRender::plantedLinkIsNotFollowed()
{
    Harness h(1);
    const QString victim = h.out(QStringLiteral("precious.txt"));
    {
        QFile f(victim);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep me");
    }
    h.queue->setQueuePaused(true);
    QTRY_VERIFY(h.recorder->queuePaused); // nothing starts before the link is in place
    const QUuid id = h.add(model("OBJ/box.obj"), QStringLiteral("picture.png"),
        { { QStringLiteral("width"), 32 }, { QStringLiteral("height"), 24 },
            { QStringLiteral("samples"), 1 } });
    QVERIFY(QFile::link(victim,
        outputfiles::temporaryPathFor(h.out(QStringLiteral("picture.png")), idString(id).left(8))));
    h.queue->setQueuePaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(h.recorder->state(id), JobState::Failed, 120000);
    const JobRecord r = h.recorder->record(id);
    QVERIFY2(r.error.contains(QLatin1String("symbolic link")), qPrintable(r.error));
    QCOMPARE(r.attempts, 1);
    QFile f(victim);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("keep me"));
    QVERIFY(!QFileInfo::exists(h.out(QStringLiteral("picture.png"))));
}

QTEST_GUILESS_MAIN(TestRender)
#include "tst_render.moc"
