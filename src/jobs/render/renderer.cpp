#include "renderer.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <embree3/rtcore.h>
#include <limits>
#include <mutex>
#include <pmmintrin.h>
#include <xmmintrin.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

namespace spool::render {

namespace {

constexpr float kPi = 3.14159265358979f;

// One Embree device for the process. Its BVH builds run on the calling thread only
// ("threads=1"): a render's build then happens in its worker slot, at the workers' priority,
// instead of on a TBB pool at normal priority beside the queue's budget.
RTCDevice sharedDevice()
{
    static RTCDevice device = [] {
#ifdef __linux__
        // Embree asks for transparent huge pages for every large block (madvise), whatever its
        // "hugepages" setting says. Here a 2 MB page cost ~11 ms per MB to fault in where small
        // pages cost 0.35: a 1M-triangle scene took 1.05-1.37 s to be ready instead of 0.37-0.40 s,
        // and traced no faster (11.9-12.5 Mrays/s either way). This opts the process out (and
        // the children it starts later: spool-worker-host opts back in).
        prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
#endif
        RTCDevice d = rtcNewDevice("threads=1,set_affinity=0,verbose=0");
        return d;
    }();
    return device;
}

QString embreeError(RTCDevice device)
{
    switch (rtcGetDeviceError(device)) {
    case RTC_ERROR_NONE:
        return {};
    case RTC_ERROR_OUT_OF_MEMORY:
        return QStringLiteral("not enough memory for the scene");
    case RTC_ERROR_UNSUPPORTED_CPU:
        return QStringLiteral("this CPU is not supported by Embree");
    default:
        return QStringLiteral("Embree could not build the scene");
    }
}

// PCG hash (Jarzynski and Olano 2020): cheap, well mixed, stateless.
inline uint32_t pcg(uint32_t v)
{
    const uint32_t state = v * 747796405u + 2891336453u;
    const uint32_t word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// The stream of one pixel sample: hashed once, then one more hash per random number drawn.
inline uint32_t sampleKey(uint32_t seed, uint32_t pixel, uint32_t sample)
{
    return pcg(sample ^ pcg(pixel ^ pcg(seed)));
}

inline float random01(uint32_t key, uint32_t dimension)
{
    const uint32_t h = pcg(key + dimension * 0x9e3779b9u);
    return float(h >> 8) * (1.0f / 16777216.0f);
}

// An orthonormal basis around n (Duff et al. 2017).
inline void basis(Vec3 n, Vec3 &b1, Vec3 &b2)
{
    const float sign = std::copysign(1.0f, n.z);
    const float a = -1.0f / (sign + n.z);
    const float b = n.x * n.y * a;
    b1 = { 1.0f + sign * n.x * n.x * a, sign * b, -sign * n.x };
    b2 = { b, sign + n.y * n.y * a, -n.y };
}

inline Vec3 sky(Vec3 direction)
{
    const float t = std::clamp(direction.y * 0.5f + 0.5f, 0.0f, 1.0f);
    const Vec3 horizon { 0.86f, 0.89f, 0.93f };
    const Vec3 zenith { 0.42f, 0.58f, 0.84f };
    return horizon * (1 - t) + zenith * t;
}

inline void setRay(RTCRay &ray, Vec3 origin, Vec3 direction, float tfar)
{
    ray.org_x = origin.x;
    ray.org_y = origin.y;
    ray.org_z = origin.z;
    ray.tnear = 0;
    ray.dir_x = direction.x;
    ray.dir_y = direction.y;
    ray.dir_z = direction.z;
    ray.time = 0;
    ray.tfar = tfar;
    ray.mask = 0xffffffffu;
    ray.id = 0;
    ray.flags = 0;
}

inline float toSrgb(float linear)
{
    const float c = std::clamp(linear, 0.0f, 1.0f);
    return c <= 0.0031308f ? c * 12.92f : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

// 8-bit sRGB by table for the live preview (redrawn often; powf per channel shows in profiles).
// The written image uses the exact curve.
inline int toSrgb8Fast(float linear)
{
    static const auto table = [] {
        std::array<uint8_t, 4096> t {};
        for (size_t i = 0; i < t.size(); ++i)
            t[i] = uint8_t(toSrgb(float(i) / float(t.size() - 1)) * 255 + 0.5f);
        return t;
    }();
    return table[size_t(std::clamp(linear, 0.0f, 1.0f) * 4095.0f + 0.5f)];
}

int srgb8Exact(float linear)
{
    return int(toSrgb(linear) * 255 + 0.5f);
}

// The written picture's 8-bit values, exactly as srgb8Exact() gives them, without a powf per
// channel (44 ms of a 1080p picture's 300 ms of writing). The curve only rises, so a value is
// the number of thresholds at or below the linear input; a table per 1/4096 of the range gives
// the start, and no bucket spans more than one threshold (the curve's steepest part moves 0.8
// of a level per bucket).
class Srgb8Table
{
public:
    Srgb8Table()
    {
        m_from[0] = 0.0f;
        for (int k = 1; k < 256; ++k)
            m_from[size_t(k)] = leastLinearFor(k);
        m_from[256] = std::numeric_limits<float>::infinity();
        for (size_t b = 0; b < m_start.size(); ++b)
            m_start[b] = uint8_t(srgb8Exact(float(b) / float(kBuckets - 1)));
    }
    int operator()(float linear) const
    {
        if (!(linear > 0.0f)) // and NaN
            return 0;
        const float c = std::min(linear, 1.0f);
        int k = m_start[size_t(c * float(kBuckets - 1))];
        while (k > 0 && c < m_from[size_t(k)])
            --k;
        while (c >= m_from[size_t(k) + 1])
            ++k;
        return k;
    }

private:
    static constexpr int kBuckets = 4096;
    // Positive floats order as their bit patterns: a binary search over the patterns of [0, 1].
    static float leastLinearFor(int value)
    {
        uint32_t low = 0, high = 0x3f800000u; // 0.0f, 1.0f
        while (low < high) {
            const uint32_t mid = low + (high - low) / 2;
            if (srgb8Exact(std::bit_cast<float>(mid)) >= value)
                high = mid;
            else
                low = mid + 1;
        }
        return std::bit_cast<float>(low);
    }
    std::array<float, 257> m_from {};
    std::array<uint8_t, kBuckets> m_start {};
};
} // namespace

void enableFastFloat()
{
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
}

Result<std::unique_ptr<Renderer>> Renderer::create(const Scene &scene, RenderSettings settings)
{
    RTCDevice device = sharedDevice();
    if (!device)
        return makeError(ErrorCode::Storage, QStringLiteral("Embree is not available here"));
    std::unique_ptr<Renderer> r(new Renderer);
    r->m_settings = settings;
    RTCScene rtcScene = rtcNewScene(device);
    for (const Mesh &mesh : scene.meshes) {
        RTCGeometry geometry = rtcNewGeometry(device, RTC_GEOMETRY_TYPE_TRIANGLE);
        auto *vertices =
            static_cast<float *>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_VERTEX, 0,
                RTC_FORMAT_FLOAT3, sizeof(float) * 3, mesh.positions.size()));
        auto *indices =
            static_cast<uint32_t *>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_INDEX, 0,
                RTC_FORMAT_UINT3, sizeof(uint32_t) * 3, mesh.indices.size() / 3));
        if (!vertices || !indices) {
            rtcReleaseGeometry(geometry);
            rtcReleaseScene(rtcScene);
            return makeError(ErrorCode::Storage, embreeError(device));
        }
        for (size_t i = 0; i < mesh.positions.size(); ++i) {
            vertices[i * 3] = mesh.positions[i].x;
            vertices[i * 3 + 1] = mesh.positions[i].y;
            vertices[i * 3 + 2] = mesh.positions[i].z;
        }
        std::copy(mesh.indices.begin(), mesh.indices.end(), indices);
        rtcCommitGeometry(geometry);
        const unsigned id = rtcAttachGeometry(rtcScene, geometry);
        rtcReleaseGeometry(geometry);
        if (r->m_albedo.size() <= id)
            r->m_albedo.resize(id + 1);
        r->m_albedo[id] = mesh.color;
    }
    rtcCommitScene(rtcScene);
    if (const QString error = embreeError(device); !error.isEmpty()) {
        rtcReleaseScene(rtcScene);
        return makeError(ErrorCode::Storage, error);
    }
    r->m_scene = reinterpret_cast<RTCSceneTy *>(rtcScene);

    const Camera &camera = settings.camera;
    r->m_forward = normalize(camera.forward);
    r->m_right = normalize(cross(r->m_forward, camera.up));
    if (length(cross(r->m_forward, camera.up)) < 1e-6f) // looking straight up or down
        r->m_right = normalize(cross(r->m_forward, Vec3 { 0, 0, 1 }));
    r->m_up = cross(r->m_right, r->m_forward);
    const float aspect = float(settings.width) / float(settings.height);
    r->m_tanHalfY = std::tan(camera.fovY / 2);
    r->m_tanHalfX = r->m_tanHalfY * aspect;
    const float radius = std::max(scene.bounds.radius(), 1e-6f);
    r->m_aoDistance = radius * 0.15f;
    r->m_epsilon = radius * 1e-4f;
    r->m_tilesX = (settings.width + kTileSize - 1) / kTileSize;
    r->m_tilesY = (settings.height + kTileSize - 1) / kTileSize;
    return r;
}

Renderer::~Renderer()
{
    if (m_scene)
        rtcReleaseScene(reinterpret_cast<RTCScene>(m_scene));
}

int Renderer::tilePixels(int tile) const
{
    const int x0 = (tile % m_tilesX) * kTileSize, y0 = (tile / m_tilesX) * kTileSize;
    return std::min(kTileSize, m_settings.width - x0) * std::min(kTileSize, m_settings.height - y0);
}

uint64_t Renderer::renderTile(
    int tile, int firstSample, int count, float *sum, float *coverage) const
{
    const auto scene = reinterpret_cast<RTCScene>(m_scene);
    const RenderSettings &s = m_settings;
    const int x0 = (tile % m_tilesX) * kTileSize, y0 = (tile / m_tilesX) * kTileSize;
    const Vec3 origin = s.camera.position;
    const int ao = s.aoSamples;
    const Light &light = s.light;

    RTCIntersectContext coherent;
    rtcInitIntersectContext(&coherent);
    coherent.flags = RTC_INTERSECT_CONTEXT_FLAG_COHERENT;
    RTCIntersectContext incoherent;
    rtcInitIntersectContext(&incoherent);
    incoherent.flags = RTC_INTERSECT_CONTEXT_FLAG_INCOHERENT;

    thread_local std::vector<RTCRay> occlusion;
    occlusion.resize(size_t(16) * (ao + 1));
    uint64_t rays = 0;

    for (int by = y0; by < std::min(y0 + kTileSize, s.height); by += 4) {
        for (int bx = x0; bx < std::min(x0 + kTileSize, s.width); bx += 4) {
            for (int sample = firstSample; sample < firstSample + count; ++sample) {
                alignas(64) RTCRayHit16 packet;
                alignas(64) int valid[16];
                Vec3 directions[16];
                uint32_t keys[16];
                for (int k = 0; k < 16; ++k) {
                    const int px = bx + (k & 3), py = by + (k >> 2);
                    valid[k] = px < s.width && py < s.height ? -1 : 0;
                    const uint32_t pixel = uint32_t(py) * uint32_t(s.width) + uint32_t(px);
                    keys[k] = sampleKey(s.seed, pixel, uint32_t(sample));
                    const float jx = random01(keys[k], 0);
                    const float jy = random01(keys[k], 1);
                    const float ndcX = ((float(px) + jx) / float(s.width)) * 2 - 1;
                    const float ndcY = 1 - ((float(py) + jy) / float(s.height)) * 2;
                    const Vec3 d = normalize(
                        m_forward + m_right * (ndcX * m_tanHalfX) + m_up * (ndcY * m_tanHalfY));
                    directions[k] = d;
                    packet.ray.org_x[k] = origin.x;
                    packet.ray.org_y[k] = origin.y;
                    packet.ray.org_z[k] = origin.z;
                    packet.ray.tnear[k] = 0;
                    packet.ray.dir_x[k] = d.x;
                    packet.ray.dir_y[k] = d.y;
                    packet.ray.dir_z[k] = d.z;
                    packet.ray.time[k] = 0;
                    packet.ray.tfar[k] = INFINITY;
                    packet.ray.mask[k] = 0xffffffffu;
                    packet.ray.id[k] = uint32_t(k);
                    packet.ray.flags[k] = 0;
                    packet.hit.geomID[k] = RTC_INVALID_GEOMETRY_ID;
                }
                rtcIntersect16(valid, scene, &coherent, &packet);

                // Ambient occlusion and the key light's shadow, for every hit, in one stream.
                Vec3 normals[16];
                int first[16];
                unsigned streamed = 0;
                for (int k = 0; k < 16; ++k) {
                    first[k] = -1;
                    if (!valid[k] || packet.hit.geomID[k] == RTC_INVALID_GEOMETRY_ID)
                        continue;
                    ++rays;
                    Vec3 n = normalize(
                        Vec3 { packet.hit.Ng_x[k], packet.hit.Ng_y[k], packet.hit.Ng_z[k] });
                    if (dot(n, directions[k]) > 0)
                        n = -n;
                    normals[k] = n;
                    const Vec3 p = origin + directions[k] * packet.ray.tfar[k] + n * m_epsilon;
                    first[k] = int(streamed);
                    Vec3 b1, b2;
                    basis(n, b1, b2);
                    for (int a = 0; a < ao; ++a) {
                        const float u1 = random01(keys[k], 2 + 2 * a);
                        const float u2 = random01(keys[k], 3 + 2 * a);
                        const float r = std::sqrt(u1), phi = 2 * kPi * u2;
                        float sinPhi, cosPhi;
                        ::sincosf(phi, &sinPhi, &cosPhi);
                        const Vec3 d = b1 * (r * cosPhi) + b2 * (r * sinPhi)
                            + n * std::sqrt(std::max(0.0f, 1 - u1));
                        setRay(occlusion[streamed++], p, d, m_aoDistance);
                    }
                    if (light.directional) {
                        setRay(occlusion[streamed++], p, light.direction, INFINITY);
                    } else {
                        const Vec3 toLight = light.position - p;
                        setRay(
                            occlusion[streamed++], p, normalize(toLight), length(toLight) * 0.999f);
                    }
                }
                if (streamed > 0)
                    rtcOccluded1M(scene, &incoherent, occlusion.data(), streamed, sizeof(RTCRay));
                rays += streamed;

                for (int k = 0; k < 16; ++k) {
                    if (!valid[k])
                        continue;
                    const int px = bx + (k & 3), py = by + (k >> 2);
                    float *out = sum + (size_t(py) * size_t(s.width) + size_t(px)) * 3;
                    if (coverage && first[k] >= 0)
                        coverage[size_t(py) * size_t(s.width) + size_t(px)] += 1;
                    Vec3 color;
                    if (first[k] < 0) {
                        ++rays;
                        color = sky(directions[k]);
                    } else {
                        int open = 0;
                        for (int a = 0; a < ao; ++a)
                            open += occlusion[size_t(first[k] + a)].tfar == -INFINITY ? 0 : 1;
                        const float visibility = ao > 0 ? float(open) / float(ao) : 1.0f;
                        const RTCRay &shadow = occlusion[size_t(first[k] + ao)];
                        const bool lit = shadow.tfar != -INFINITY; // Embree marks hits so
                        const Vec3 toLight = Vec3 { shadow.dir_x, shadow.dir_y, shadow.dir_z };
                        const float lambert = std::max(0.0f, dot(normals[k], toLight));
                        const Vec3 albedo = m_albedo[packet.hit.geomID[k]];
                        color = albedo
                            * (Vec3 { 0.30f, 0.33f, 0.38f } * visibility
                                + light.color * (lit ? 0.72f * lambert : 0.0f));
                    }
                    out[0] += color.x;
                    out[1] += color.y;
                    out[2] += color.z;
                }
            }
        }
    }
    return rays;
}

QImage toImage(const float *sum, int width, int height, int samples, bool sixteenBit)
{
    QImage image(width, height, sixteenBit ? QImage::Format_RGBX64 : QImage::Format_RGB32);
    const float scale = samples > 0 ? 1.0f / float(samples) : 0.0f;
    static const Srgb8Table srgb8;
    for (int y = 0; y < height; ++y) {
        const float *row = sum + size_t(y) * size_t(width) * 3;
        if (sixteenBit) {
            auto *line = reinterpret_cast<QRgba64 *>(image.scanLine(y));
            for (int x = 0; x < width; ++x) {
                line[x] = QRgba64::fromRgba64(quint16(toSrgb(row[x * 3] * scale) * 65535 + 0.5f),
                    quint16(toSrgb(row[x * 3 + 1] * scale) * 65535 + 0.5f),
                    quint16(toSrgb(row[x * 3 + 2] * scale) * 65535 + 0.5f), 65535);
            }
        } else {
            auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
            for (int x = 0; x < width; ++x) {
                line[x] = qRgb(srgb8(row[x * 3] * scale), srgb8(row[x * 3 + 1] * scale),
                    srgb8(row[x * 3 + 2] * scale));
            }
        }
    }
    return image;
}

QImage previewImage(int width, int height, int maxSide,
    const std::function<bool(int x, int y, float *rgb)> &average)
{
    const int step = std::max(1, (std::max(width, height) + maxSide - 1) / maxSide);
    const int w = (width + step - 1) / step, h = (height + step - 1) / step;
    QImage image(w, h, QImage::Format_ARGB32);
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < w; ++x) {
            float rgb[3];
            if (!average(x * step, y * step, rgb)) {
                line[x] = qRgba(0, 0, 0, 0);
                continue;
            }
            line[x] = qRgb(toSrgb8Fast(rgb[0]), toSrgb8Fast(rgb[1]), toSrgb8Fast(rgb[2]));
        }
    }
    return image;
}

} // namespace spool::render
