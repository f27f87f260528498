#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <QString>
#include <QStringList>

#include "util/result.h"
#include "vec3.h"

namespace spool::render {

struct Mesh
{
    std::vector<Vec3> positions;
    std::vector<uint32_t> indices; // three per triangle
    Vec3 color { 0.8f, 0.8f, 0.8f }; // diffuse albedo
};

struct Camera
{
    QString name;
    Vec3 position;
    Vec3 forward { 0, 0, -1 };
    Vec3 up { 0, 1, 0 };
    float fovY = 0.8f; // radians
    float aspect = 0; // width / height the file asks for; 0: the image's
};

struct Light
{
    bool directional = true;
    Vec3 direction { 0, 1, 0 }; // towards the light, for a directional light
    Vec3 position; // for a point or spot light
    Vec3 color { 1, 1, 1 };
};

// What a render needs of a model file: triangles in world space, with the file's cameras and
// lights when it has them.
struct Scene
{
    std::vector<Mesh> meshes;
    std::vector<Camera> cameras;
    std::vector<Light> lights;
    Bounds bounds;
    size_t triangleCount = 0;

    // The named camera, the file's first one for an empty name, else a camera that frames the
    // whole model from a three-quarter view.
    Result<Camera> camera(const QString &name) const;
    Camera framingCamera() const;
    // The file's first light, else a key light over the camera's left shoulder.
    Light keyLight(const Camera &camera) const;
};

// "procedural:terrain": a hilly landscape of about a million triangles, for demos and benchmarks.
inline const QString kProceduralTerrain = QStringLiteral("procedural:terrain");

bool isProcedural(const QString &scene);
// Whether Assimp knows the file's extension (for validation before a job is queued).
bool isSupportedModel(const QString &path);
// Loads a model file or a procedural scene. Assimp reads the file in spool-scene-reader, a
// process of its own: a damaged file that crashes Assimp fails this call (and its job) with the
// reason, not the program. `cancelled` is polled while it reads (scenereader.cpp).
Result<Scene> loadScene(const QString &scene, const std::function<bool()> &cancelled = {});
// The cameras a model file defines, without building the whole scene (for validation); in
// spool-scene-reader too.
Result<QStringList> cameraNames(const QString &path);
// The same in this process, for spool-scene-reader itself and the fuzzers.
Result<Scene> readSceneHere(const QString &scene, const std::function<bool()> &cancelled = {});
Result<QStringList> readCameraNamesHere(const QString &path);
Scene proceduralTerrain(int gridSize = 708);
// Assimp reserves memory for the counts a header declares before it reads the data: a corrupt
// OFF or PLY header can make it try hundreds of gigabytes. The reason to refuse a file whose
// counts its `size` bytes cannot hold; empty when the header is plausible (or not OFF/PLY).
QString implausibleHeader(const QString &path, qint64 size);

} // namespace spool::render
