// Render throughput: the render job's rays per second against a bare Embree loop over the same
// scene and camera, in the same process and run, with 1 and 2 threads; and the time from the
// job's start to its first live preview.
//
// The bare loop is what a ray tracer without a queue would do: one Embree scene, tiles of 16x16
// handed out by an atomic counter to N std::threads, 4x4 primary packets (rtcIntersect16,
// coherent) and, per packet, one stream of 8 ambient-occlusion rays and a shadow ray per hit
// (rtcOccluded1M, incoherent). It shades nothing and writes no image: the upper bound.
//
// The job runs through the real queue (memory store): with 2 workers and nothing else queued it
// borrows the idle slot for a second thread; with threads=1 it renders alone. Its own figure
// (rays traced / tracing time, from its log) excludes loading the scene and writing the PNG;
// the wall time from start to success is printed beside it.
//
//   bench_render [size=1024] [samples=8] [rounds=3]
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <embree3/rtcore.h>
#include <thread>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include "benchcommon.h"
#include "previewhub.h"
#include "queue/jobqueueimpl.h"
#include "renderer.h"
#include "renderkind.h"
#include "scene.h"
#include "store/memoryjobstore.h"

using namespace spool;
using namespace spool::render;

namespace {

constexpr int kAo = 8;
constexpr int kTile = 16;

struct Bare
{
    RTCDevice device = nullptr;
    RTCScene scene = nullptr;
    Vec3 origin, forward, right, up;
    Vec3 lightDirection;
    float tanHalfX = 0, tanHalfY = 0, aoDistance = 1, epsilon = 1e-4f;
    int width = 0, height = 0;
};

Bare buildBare(const Scene &scene, const Camera &camera, const Light &light, int width, int height)
{
    Bare b;
    b.device = rtcNewDevice("verbose=0");
    b.scene = rtcNewScene(b.device);
    for (const Mesh &mesh : scene.meshes) {
        RTCGeometry g = rtcNewGeometry(b.device, RTC_GEOMETRY_TYPE_TRIANGLE);
        auto *v = static_cast<float *>(rtcSetNewGeometryBuffer(g, RTC_BUFFER_TYPE_VERTEX, 0,
            RTC_FORMAT_FLOAT3, sizeof(float) * 3, mesh.positions.size()));
        auto *i = static_cast<uint32_t *>(rtcSetNewGeometryBuffer(g, RTC_BUFFER_TYPE_INDEX, 0,
            RTC_FORMAT_UINT3, sizeof(uint32_t) * 3, mesh.indices.size() / 3));
        for (size_t k = 0; k < mesh.positions.size(); ++k) {
            v[k * 3] = mesh.positions[k].x;
            v[k * 3 + 1] = mesh.positions[k].y;
            v[k * 3 + 2] = mesh.positions[k].z;
        }
        std::copy(mesh.indices.begin(), mesh.indices.end(), i);
        rtcCommitGeometry(g);
        rtcAttachGeometry(b.scene, g);
        rtcReleaseGeometry(g);
    }
    rtcCommitScene(b.scene);
    b.origin = camera.position;
    b.forward = normalize(camera.forward);
    b.right = normalize(cross(b.forward, camera.up));
    b.up = cross(b.right, b.forward);
    b.tanHalfY = std::tan(camera.fovY / 2);
    b.tanHalfX = b.tanHalfY * float(width) / float(height);
    b.aoDistance = scene.bounds.radius() * 0.15f;
    b.epsilon = scene.bounds.radius() * 1e-4f;
    b.lightDirection = light.direction;
    b.width = width;
    b.height = height;
    return b;
}

inline uint32_t xorshift(uint32_t &s)
{
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

inline float unit(uint32_t &s)
{
    return float(xorshift(s) >> 8) * (1.0f / 16777216.0f);
}

// Traces `samples` per pixel over the whole image with `threads` threads; returns rays traced.
uint64_t traceBare(const Bare &b, int samples, int threads)
{
    const int tilesX = (b.width + kTile - 1) / kTile, tilesY = (b.height + kTile - 1) / kTile;
    std::atomic<int> next { 0 };
    std::atomic<uint64_t> total { 0 };
    const auto work = [&](uint32_t seed) {
        enableFastFloat();
        RTCIntersectContext coherent, incoherent;
        rtcInitIntersectContext(&coherent);
        coherent.flags = RTC_INTERSECT_CONTEXT_FLAG_COHERENT;
        rtcInitIntersectContext(&incoherent);
        incoherent.flags = RTC_INTERSECT_CONTEXT_FLAG_INCOHERENT;
        std::vector<RTCRay> stream(16 * (kAo + 1));
        uint64_t rays = 0;
        uint32_t rng = seed;
        for (int tile; (tile = next.fetch_add(1)) < tilesX * tilesY;) {
            const int x0 = (tile % tilesX) * kTile, y0 = (tile / tilesX) * kTile;
            for (int by = y0; by < std::min(y0 + kTile, b.height); by += 4)
                for (int bx = x0; bx < std::min(x0 + kTile, b.width); bx += 4)
                    for (int s = 0; s < samples; ++s) {
                        alignas(64) RTCRayHit16 packet;
                        alignas(64) int valid[16];
                        for (int k = 0; k < 16; ++k) {
                            const int px = bx + (k & 3), py = by + (k >> 2);
                            valid[k] = px < b.width && py < b.height ? -1 : 0;
                            const float nx = (float(px) + unit(rng)) / float(b.width) * 2 - 1;
                            const float ny = 1 - (float(py) + unit(rng)) / float(b.height) * 2;
                            const Vec3 d = normalize(
                                b.forward + b.right * (nx * b.tanHalfX) + b.up * (ny * b.tanHalfY));
                            packet.ray.org_x[k] = b.origin.x;
                            packet.ray.org_y[k] = b.origin.y;
                            packet.ray.org_z[k] = b.origin.z;
                            packet.ray.dir_x[k] = d.x;
                            packet.ray.dir_y[k] = d.y;
                            packet.ray.dir_z[k] = d.z;
                            packet.ray.tnear[k] = 0;
                            packet.ray.tfar[k] = INFINITY;
                            packet.ray.time[k] = 0;
                            packet.ray.mask[k] = 0xffffffffu;
                            packet.ray.id[k] = 0;
                            packet.ray.flags[k] = 0;
                            packet.hit.geomID[k] = RTC_INVALID_GEOMETRY_ID;
                            rays += valid[k] ? 1 : 0;
                        }
                        rtcIntersect16(valid, b.scene, &coherent, &packet);
                        unsigned n = 0;
                        for (int k = 0; k < 16; ++k) {
                            if (!valid[k] || packet.hit.geomID[k] == RTC_INVALID_GEOMETRY_ID)
                                continue;
                            Vec3 normal = normalize(Vec3 {
                                packet.hit.Ng_x[k], packet.hit.Ng_y[k], packet.hit.Ng_z[k] });
                            const Vec3 dir { packet.ray.dir_x[k], packet.ray.dir_y[k],
                                packet.ray.dir_z[k] };
                            if (dot(normal, dir) > 0)
                                normal = -normal;
                            const Vec3 p = b.origin + dir * packet.ray.tfar[k] + normal * b.epsilon;
                            const auto add = [&](Vec3 d, float tfar) {
                                RTCRay &r = stream[n++];
                                r.org_x = p.x;
                                r.org_y = p.y;
                                r.org_z = p.z;
                                r.dir_x = d.x;
                                r.dir_y = d.y;
                                r.dir_z = d.z;
                                r.tnear = 0;
                                r.tfar = tfar;
                                r.time = 0;
                                r.mask = 0xffffffffu;
                                r.id = 0;
                                r.flags = 0;
                            };
                            // Cosine-weighted like the job's: the same kind of rays to trace.
                            const float sign = std::copysign(1.0f, normal.z);
                            const float ia = -1.0f / (sign + normal.z);
                            const float ib = normal.x * normal.y * ia;
                            const Vec3 b1 { 1.0f + sign * normal.x * normal.x * ia, sign * ib,
                                -sign * normal.x };
                            const Vec3 b2 { ib, sign + normal.y * normal.y * ia, -normal.y };
                            for (int a = 0; a < kAo; ++a) {
                                const float u1 = unit(rng), u2 = unit(rng);
                                const float r = std::sqrt(u1), phi = 6.2831853f * u2;
                                add(b1 * (r * std::cos(phi)) + b2 * (r * std::sin(phi))
                                        + normal * std::sqrt(std::max(0.0f, 1 - u1)),
                                    b.aoDistance);
                            }
                            add(b.lightDirection, INFINITY);
                        }
                        if (n > 0)
                            rtcOccluded1M(b.scene, &incoherent, stream.data(), n, sizeof(RTCRay));
                        rays += n;
                    }
        }
        total.fetch_add(rays);
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back(work, 0x9e3779b9u * uint32_t(t + 1));
    for (auto &thread : pool)
        thread.join();
    return total.load();
}

struct JobFigures
{
    double mraysPerSecond = 0; // from the job's own log
    qint64 wallMs = 0; // enqueue to success
    qint64 firstPreviewMs = -1; // running to the first preview published
    qint64 firstFullImageMs = -1; // from the job's log (its start to the end of pass 1)
    int threads = 0;
};

JobFigures runJob(int size, int samples, int threads, int round, const QString &dir)
{
    auto registry = std::make_shared<JobKindRegistry>();
    registerRenderKind(*registry);
    auto store = std::make_shared<MemoryJobStore>();
    QueueConfig config;
    config.workers = 2; // one slot for the job, one idle to lend
    config.workRoot = dir + QStringLiteral("/work");
    JobQueueImpl queue(store, registry, config);
    queue.start();

    const QJsonObject params { { QStringLiteral("scene"), kProceduralTerrain },
        { QStringLiteral("out"),
            QStringLiteral("%1/%2-%3-%4.png").arg(dir).arg(threads).arg(size).arg(round) },
        { QStringLiteral("width"), size }, { QStringLiteral("height"), size },
        { QStringLiteral("samples"), samples }, { QStringLiteral("ao"), kAo },
        { QStringLiteral("camera"), QStringLiteral("overview") },
        { QStringLiteral("threads"), threads } };
    QElapsedTimer wall, running;
    wall.start();
    auto id = queue.enqueue(QStringLiteral("render"), params);
    if (!id)
        qFatal("%s", qPrintable(id.error().message));

    JobFigures f;
    QEventLoop loop;
    bool succeeded = false;
    QObject::connect(&queue, &JobQueue::jobsChanged, &loop, [&](const QList<JobRecord> &records) {
        for (const JobRecord &r : records) {
            if (r.id != id.value())
                continue;
            if (r.state == JobState::Running && !running.isValid())
                running.start();
            if (r.state == JobState::Succeeded) {
                succeeded = true;
                f.wallMs = wall.elapsed();
                loop.quit();
            } else if (isFinishedState(r.state)) {
                qFatal("the render ended %s: %s", qPrintable(jobStateName(r.state)),
                    qPrintable(r.error));
            }
        }
    });
    // The job publishes from its thread; a 1 ms poll bounds the measuring error.
    QTimer poll;
    poll.setInterval(1);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (f.firstPreviewMs < 0 && running.isValid()
            && !PreviewHub::instance().latest(id.value()).isNull())
            f.firstPreviewMs = running.elapsed();
    });
    poll.start();
    if (!succeeded)
        loop.exec();

    const QRegularExpression traced(QStringLiteral("^traced \\d+ rays in \\d+ ms: ([\\d.]+) "));
    const QRegularExpression full(QStringLiteral("^first full image after (\\d+) ms"));
    const QRegularExpression peak(QStringLiteral("(\\d+) thread\\(s\\) at most$"));
    const auto events = store->events(id.value());
    for (const JobEvent &e : events.value()) {
        if (auto m = traced.match(e.detail); m.hasMatch())
            f.mraysPerSecond = m.captured(1).toDouble();
        if (auto m = full.match(e.detail); m.hasMatch())
            f.firstFullImageMs = m.captured(1).toLongLong();
        if (auto m = peak.match(e.detail); m.hasMatch())
            f.threads = m.captured(1).toInt();
    }
    queue.stop(StopMode::Release);
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int size = bench::intArgument(args, 1, 1024);
    const int samples = bench::intArgument(args, 2, 8);
    const int rounds = bench::intArgument(args, 3, 3);
    QTemporaryDir dir;

    QElapsedTimer timer;
    timer.start();
    auto scene = loadScene(kProceduralTerrain);
    if (!scene)
        qFatal("%s", qPrintable(scene.error().message));
    const Camera camera = scene->camera(QStringLiteral("overview")).value();
    const Light light = scene->keyLight(camera);
    std::printf("scene: %zu triangles, generated in %lld ms; %dx%d, %d samples, 1 primary + %d "
                "AO + 1 shadow ray per hit\n",
        scene->triangleCount, timer.elapsed(), size, size, samples, kAo);
    timer.start();
    const Bare bare = buildBare(scene.value(), camera, light, size, size);
    std::printf("bare Embree BVH built in %lld ms (Embree's own threads)\n", timer.elapsed());
    scene = Scene();

    // Rounds alternate bare and job runs, so drifts of a shared machine hit both; medians.
    std::vector<double> bareRates[3], jobRates[3];
    for (int round = 0; round < rounds; ++round) {
        for (int threads : { 1, 2 }) {
            timer.start();
            const uint64_t rays = traceBare(bare, samples, threads);
            const qint64 ms = std::max<qint64>(1, timer.elapsed());
            bareRates[threads].push_back(double(rays) / double(ms) / 1000.0);
            std::printf("round %d, bare Embree, %d thread(s): %llu rays in %lld ms = %.2f "
                        "Mrays/s\n",
                round + 1, threads, static_cast<unsigned long long>(rays), ms,
                bareRates[threads].back());

            const JobFigures f = runJob(size, samples, threads, round, dir.path());
            jobRates[threads].push_back(f.mraysPerSecond);
            std::printf("round %d, render job,  %d thread(s): %.2f Mrays/s tracing (%d thread(s) "
                        "at most), %lld ms enqueue to success, first preview %lld ms after "
                        "start, first full image %lld ms\n",
                round + 1, threads, f.mraysPerSecond, f.threads, f.wallMs, f.firstPreviewMs,
                f.firstFullImageMs);
            std::fflush(stdout);
        }
    }
    const auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    const double bare1 = median(bareRates[1]), bare2 = median(bareRates[2]);
    const double job1 = median(jobRates[1]), job2 = median(jobRates[2]);
    std::printf("\nmedians of %d rounds: bare %.2f / %.2f Mrays/s, job %.2f / %.2f Mrays/s "
                "(1 / 2 threads)\n",
        rounds, bare1, bare2, job1, job2);
    std::printf("ratio job/bare: 1 thread %.2f, 2 threads %.2f (goal >= 0.7)\n", job1 / bare1,
        job2 / bare2);
    std::printf("scaling 1 -> 2 threads: job %.2fx, bare %.2fx (goal >= 1.7x)\n", job2 / job1,
        bare2 / bare1);
    rtcReleaseScene(bare.scene);
    rtcReleaseDevice(bare.device);

    return 0;
}
