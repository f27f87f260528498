#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <QImage>

#include "scene.h"
#include "util/result.h"

struct RTCSceneTy;

namespace spool::render {

struct RenderSettings
{
    int width = 1024;
    int height = 768;
    int samples = 16; // per pixel, in total
    int aoSamples = 8; // ambient-occlusion rays per primary hit
    uint32_t seed = 1;
    Camera camera;
    Light light;
};

// A scene in Embree, ready to trace. Tiles of 16x16 pixels are traced as packets of 4x4 primary
// rays (rtcIntersect16, coherent), then one stream of ambient-occlusion and shadow rays per
// packet (rtcOccluded1M, incoherent). Const after creation: any number of threads may render
// tiles at once. Pixel samples are seeded by (seed, pixel, sample): the image does not depend
// on which thread renders what, or on where a paused render resumed.
class Renderer
{
public:
    static constexpr int kTileSize = 16;

    static Result<std::unique_ptr<Renderer>> create(const Scene &scene, RenderSettings settings);
    ~Renderer();
    Renderer(const Renderer &) = delete;
    Renderer &operator=(const Renderer &) = delete;

    const RenderSettings &settings() const { return m_settings; }
    int tileCount() const { return m_tilesX * m_tilesY; }
    int tilePixels(int tile) const;
    // Adds samples [firstSample, firstSample + count) of every pixel of `tile` into `sum`
    // (RGB, width * height * 3 floats), and the number of those samples that hit the model into
    // `coverage` (width * height floats) when given. Returns the number of rays traced.
    uint64_t renderTile(
        int tile, int firstSample, int count, float *sum, float *coverage = nullptr) const;

private:
    Renderer() = default;

    RenderSettings m_settings;
    RTCSceneTy *m_scene = nullptr;
    std::vector<Vec3> m_albedo; // by geometry id
    Vec3 m_right, m_up, m_forward;
    float m_tanHalfX = 0, m_tanHalfY = 0;
    float m_aoDistance = 1, m_epsilon = 1e-4f;
    int m_tilesX = 0, m_tilesY = 0;
};

// Flush-to-zero and denormals-are-zero for the calling thread: denormal floats in ray traversal
// are slow and pointless.
void enableFastFloat();

// The average of `sum` over `samples` as an 8-bit (or 16-bit) sRGB image.
QImage toImage(const float *sum, int width, int height, int samples, bool sixteenBit = false);
// A small version of the running image for a live preview, at most `maxSide` pixels on a side.
// `average(x, y, rgb)` gives a pixel's mean so far, or false when it has no samples yet
// (transparent).
QImage previewImage(int width, int height, int maxSide,
    const std::function<bool(int x, int y, float *rgb)> &average);

} // namespace spool::render
