#include "scene.h"

#include <algorithm>
#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/ProgressHandler.hpp>
#include <assimp/scene.h>
#include <cmath>
#include <limits>

#include <QFile>
#include <QFileInfo>
#include <QHash>

namespace spool::render {

namespace {

constexpr unsigned kImportFlags = aiProcess_Triangulate | aiProcess_JoinIdenticalVertices
    | aiProcess_SortByPType | aiProcess_ValidateDataStructure | aiProcess_FindInvalidData;

Vec3 toVec3(const aiVector3D &v)
{
    return { v.x, v.y, v.z };
}

Vec3 transformPoint(const aiMatrix4x4 &m, const aiVector3D &v)
{
    return toVec3(m * v);
}

Vec3 transformDirection(const aiMatrix4x4 &m, const aiVector3D &v)
{
    const aiMatrix3x3 rotation(m);
    return toVec3(rotation * v);
}

aiMatrix4x4 globalTransform(const aiNode *node)
{
    aiMatrix4x4 m;
    for (; node; node = node->mParent)
        m = node->mTransformation * m;
    return m;
}

bool anyNonFinite(const Vec3 &v)
{
    return !std::isfinite(v.x) || !std::isfinite(v.y) || !std::isfinite(v.z);
}

void importer(Assimp::Importer &imp)
{
    // Points and lines cannot be ray traced as surfaces: drop them, keep triangles.
    imp.SetPropertyInteger(AI_CONFIG_PP_SBP_REMOVE, aiPrimitiveType_POINT | aiPrimitiveType_LINE);
}

// Bytes of one value of a PLY scalar type; 0 for an unknown type.
int plyTypeSize(const QByteArray &type)
{
    static const QHash<QByteArray, int> sizes { { "char", 1 }, { "uchar", 1 }, { "int8", 1 },
        { "uint8", 1 }, { "short", 2 }, { "ushort", 2 }, { "int16", 2 }, { "uint16", 2 },
        { "int", 4 }, { "uint", 4 }, { "int32", 4 }, { "uint32", 4 }, { "float", 4 },
        { "float32", 4 }, { "double", 8 }, { "float64", 8 } };
    return sizes.value(type);
}

// Assimp 5.2's PLY importer reads past its buffer on a header that does not end and on binary
// data shorter than the header declares (fuzz_models): refuse both before it runs.
QString implausiblePlyHeader(const QByteArray &head, qint64 size)
{
    const qsizetype end = head.indexOf("end_header");
    if (end < 0)
        return QStringLiteral("its header does not end (no end_header in its first 4 KiB)");
    const bool binary = head.contains("format binary_");
    qint64 needed = 0; // the least the data can take: every fixed value, every list's count
    qint64 count = 0, perItem = 0;
    const auto closeElement = [&] {
        if (count > 0 && perItem > 0)
            needed = perItem > (std::numeric_limits<qint64>::max() - needed) / count
                ? std::numeric_limits<qint64>::max()
                : needed + count * perItem;
    };
    for (const QByteArray &line : head.left(end).split('\n')) {
        const QList<QByteArray> words = line.simplified().split(' ');
        if (words.value(0) == "element") {
            closeElement();
            bool ok = false;
            count = words.value(2).toLongLong(&ok);
            if (!ok || count < 0)
                return QStringLiteral("its header declares an element count of '%1'")
                    .arg(QString::fromLatin1(words.value(2)));
            perItem = 0;
        } else if (words.value(0) == "property") {
            const bool list = words.value(1) == "list";
            const int bytes = plyTypeSize(words.value(list ? 2 : 1));
            if (bytes == 0 || (list && plyTypeSize(words.value(3)) == 0))
                return QStringLiteral("its header has a property of unknown type");
            perItem += bytes;
        }
    }
    closeElement();
    const qint64 data = size - (end + qsizetype(qstrlen("end_header")));
    if (binary && needed > data)
        return QStringLiteral("its header declares at least %1 bytes of data, it has %2 "
                              "(truncated or corrupt)")
            .arg(needed)
            .arg(data);
    return {};
}

} // namespace

QString implausibleHeader(const QString &path, qint64 size)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("off") && suffix != QLatin1String("ply"))
        return {};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray head = file.read(4096);
    qint64 vertices = 0, faces = 0;
    if (suffix == QLatin1String("off")) {
        // "OFF" (maybe with prefixes like "COFF"), comments, then "vertices faces edges".
        const QList<QByteArray> lines = head.split('\n');
        int i = 0;
        for (; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            if (!line.isEmpty() && !line.startsWith('#'))
                break;
        }
        QByteArray counts = i < lines.size() ? lines.at(i).trimmed() : QByteArray();
        if (counts.endsWith("OFF")) {
            for (++i; i < lines.size(); ++i) {
                counts = lines.at(i).trimmed();
                if (!counts.isEmpty() && !counts.startsWith('#'))
                    break;
            }
        } else if (counts.contains("OFF")) {
            counts = counts.mid(counts.indexOf("OFF") + 3).trimmed();
        }
        const QList<QByteArray> numbers = counts.simplified().split(' ');
        vertices = numbers.value(0).toLongLong();
        faces = numbers.value(1).toLongLong();
    } else {
        if (const QString reason = implausiblePlyHeader(head, size); !reason.isEmpty())
            return QStringLiteral("cannot read %1: %2").arg(QFileInfo(path).fileName(), reason);
        for (const QByteArray &line : head.split('\n')) {
            const QList<QByteArray> words = line.simplified().split(' ');
            if (words.value(0) == "element" && words.value(1) == "vertex")
                vertices = words.value(2).toLongLong();
            else if (words.value(0) == "element" && words.value(1) == "face")
                faces = words.value(2).toLongLong();
            else if (words.value(0) == "end_header")
                break;
        }
    }
    // At the very least a byte per coordinate and per index, even in binary. Each count alone
    // first, so that a count near 2^63 cannot overflow the sum.
    const qint64 most = size * 2 / 3;
    if (vertices < 0 || faces < 0 || vertices > most || faces > most
        || vertices * 3 + faces * 3 > size * 2)
        return QStringLiteral("cannot read %1: its header declares %2 vertices and %3 faces, "
                              "more than its %4 bytes can hold (truncated or corrupt)")
            .arg(QFileInfo(path).fileName())
            .arg(vertices)
            .arg(faces)
            .arg(size);
    return {};
}

namespace {

// Lets a stop request end a long import (Assimp asks between its steps).
class CancelHandler final : public Assimp::ProgressHandler
{
public:
    explicit CancelHandler(std::function<bool()> cancelled)
        : m_cancelled(std::move(cancelled))
    { }
    bool Update(float) override { return !(m_cancelled && m_cancelled()); }

private:
    std::function<bool()> m_cancelled;
};

Result<const aiScene *> readFile(
    Assimp::Importer &imp, const QString &path, const std::function<bool()> &cancelled = {})
{
    const QFileInfo info(path);
    if (!info.exists())
        return makeError(ErrorCode::InvalidInput, QStringLiteral("%1 does not exist").arg(path));
    if (!info.isFile() || !info.isReadable())
        return makeError(
            ErrorCode::InvalidInput, QStringLiteral("%1 is not a readable file").arg(path));
    if (info.size() == 0)
        return makeError(ErrorCode::InvalidInput, QStringLiteral("%1 is empty").arg(path));
    if (const QString problem = implausibleHeader(path, info.size()); !problem.isEmpty())
        return makeError(ErrorCode::InvalidInput, problem);
    importer(imp);
    if (cancelled)
        imp.SetProgressHandler(new CancelHandler(cancelled)); // owned by the importer
    const aiScene *scene = imp.ReadFile(QFile::encodeName(path).constData(), kImportFlags);
    if (!scene) {
        const QString reason = QString::fromLocal8Bit(imp.GetErrorString()).trimmed();
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: %2")
                .arg(info.fileName(), reason.isEmpty() ? QStringLiteral("unknown error") : reason));
    }
    if (scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: the file is incomplete").arg(info.fileName()));
    return scene;
}

Vec3 diffuseColor(const aiScene *scene, unsigned materialIndex)
{
    if (materialIndex >= scene->mNumMaterials)
        return { 0.8f, 0.8f, 0.8f };
    aiColor4D c;
    if (aiGetMaterialColor(scene->mMaterials[materialIndex], AI_MATKEY_COLOR_DIFFUSE, &c)
        != AI_SUCCESS)
        return { 0.8f, 0.8f, 0.8f };
    Vec3 color { c.r, c.g, c.b };
    // Black or invalid diffuse (common in files that only use textures): a neutral grey.
    if (anyNonFinite(color) || color.x + color.y + color.z < 0.05f)
        return { 0.8f, 0.8f, 0.8f };
    return { std::clamp(color.x, 0.0f, 1.0f), std::clamp(color.y, 0.0f, 1.0f),
        std::clamp(color.z, 0.0f, 1.0f) };
}

void collectMeshes(const aiScene *scene, const aiNode *node, const aiMatrix4x4 &parent, Scene &out,
    const std::function<bool()> &cancelled)
{
    const aiMatrix4x4 transform = parent * node->mTransformation;
    for (unsigned i = 0; i < node->mNumMeshes; ++i) {
        if (node->mMeshes[i] >= scene->mNumMeshes)
            continue;
        const aiMesh *src = scene->mMeshes[node->mMeshes[i]];
        if (!(src->mPrimitiveTypes & aiPrimitiveType_TRIANGLE) || !src->mVertices)
            continue;
        Mesh mesh;
        mesh.color = diffuseColor(scene, src->mMaterialIndex);
        mesh.positions.reserve(src->mNumVertices);
        bool finite = true;
        for (unsigned v = 0; v < src->mNumVertices; ++v) {
            const Vec3 p = transformPoint(transform, src->mVertices[v]);
            finite = finite && !anyNonFinite(p);
            mesh.positions.push_back(p);
        }
        if (!finite)
            continue; // garbage coordinates: skip the mesh rather than poison the BVH
        mesh.indices.reserve(size_t(src->mNumFaces) * 3);
        for (unsigned f = 0; f < src->mNumFaces; ++f) {
            const aiFace &face = src->mFaces[f];
            if (face.mNumIndices != 3)
                continue;
            if (face.mIndices[0] >= src->mNumVertices || face.mIndices[1] >= src->mNumVertices
                || face.mIndices[2] >= src->mNumVertices)
                continue;
            mesh.indices.insert(mesh.indices.end(), face.mIndices, face.mIndices + 3);
        }
        if (mesh.indices.empty())
            continue;
        for (const Vec3 &p : mesh.positions)
            out.bounds.add(p);
        out.triangleCount += mesh.indices.size() / 3;
        out.meshes.push_back(std::move(mesh));
    }
    for (unsigned c = 0; c < node->mNumChildren; ++c) {
        if (cancelled && cancelled())
            return;
        collectMeshes(scene, node->mChildren[c], transform, out, cancelled);
    }
}

// Deterministic value noise for the terrain.
float hashNoise(int x, int y)
{
    uint32_t h = uint32_t(x) * 374761393u + uint32_t(y) * 668265263u;
    h = (h ^ (h >> 13)) * 1274126177u;
    h ^= h >> 16;
    return float(h & 0xffffff) / float(0xffffff);
}

float smoothNoise(float x, float y)
{
    const int xi = int(std::floor(x)), yi = int(std::floor(y));
    const float fx = x - float(xi), fy = y - float(yi);
    const float sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
    const float a = hashNoise(xi, yi), b = hashNoise(xi + 1, yi);
    const float c = hashNoise(xi, yi + 1), d = hashNoise(xi + 1, yi + 1);
    return (a + (b - a) * sx) + ((c + (d - c) * sx) - (a + (b - a) * sx)) * sy;
}

float terrainHeight(float x, float z)
{
    float height = 0, amplitude = 18, frequency = 0.02f;
    for (int octave = 0; octave < 6; ++octave) {
        height += (smoothNoise(x * frequency, z * frequency) - 0.5f) * amplitude;
        amplitude *= 0.5f;
        frequency *= 2.1f;
    }
    return height;
}

} // namespace

bool isProcedural(const QString &scene)
{
    return scene == kProceduralTerrain;
}

bool isSupportedModel(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix();
    if (suffix.isEmpty())
        return false;
    Assimp::Importer imp;
    return imp.IsExtensionSupported((QLatin1Char('.') + suffix.toLower()).toUtf8().constData());
}

Result<Scene> readSceneHere(const QString &path, const std::function<bool()> &cancelled)
{
    if (isProcedural(path))
        return proceduralTerrain();
    Assimp::Importer imp;
    auto read = readFile(imp, path, cancelled);
    if (!read)
        return read.error();
    const aiScene *src = read.value();
    Scene scene;
    if (src->mRootNode)
        collectMeshes(src, src->mRootNode, aiMatrix4x4(), scene, cancelled);
    if (scene.triangleCount == 0) {
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("%1 has no triangles to render (a point cloud, lines only, or empty)")
                .arg(QFileInfo(path).fileName()));
    }
    // Each coordinate is finite, but the extent can still overflow a float (found by
    // fuzz_scene_answer): nothing sensible can frame such a scene.
    if (!std::isfinite(scene.bounds.radius()))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("%1 has coordinates too large to render")
                .arg(QFileInfo(path).fileName()));
    for (unsigned i = 0; i < src->mNumCameras; ++i) {
        const aiCamera *c = src->mCameras[i];
        const aiNode *node = src->mRootNode ? src->mRootNode->FindNode(c->mName) : nullptr;
        const aiMatrix4x4 m = globalTransform(node);
        Camera camera;
        camera.name = QString::fromUtf8(c->mName.C_Str());
        camera.position = transformPoint(m, c->mPosition);
        camera.forward = normalize(transformDirection(m, c->mLookAt));
        camera.up = normalize(transformDirection(m, c->mUp));
        camera.aspect = c->mAspect > 0 ? c->mAspect : 0;
        // Assimp gives half the horizontal angle.
        const float aspect = camera.aspect > 0 ? camera.aspect : 4.0f / 3.0f;
        camera.fovY = 2 * std::atan(std::tan(c->mHorizontalFOV) / aspect);
        if (anyNonFinite(camera.position) || anyNonFinite(camera.forward)
            || !(camera.fovY > 0.01f && camera.fovY < 3.1f))
            continue;
        if (camera.name.isEmpty())
            camera.name = QStringLiteral("camera%1").arg(i + 1);
        scene.cameras.push_back(camera);
    }
    for (unsigned i = 0; i < src->mNumLights; ++i) {
        const aiLight *l = src->mLights[i];
        const aiNode *node = src->mRootNode ? src->mRootNode->FindNode(l->mName) : nullptr;
        const aiMatrix4x4 m = globalTransform(node);
        Light light;
        light.directional = l->mType == aiLightSource_DIRECTIONAL;
        light.direction = normalize(-transformDirection(m, l->mDirection));
        light.position = transformPoint(m, l->mPosition);
        const Vec3 color { l->mColorDiffuse.r, l->mColorDiffuse.g, l->mColorDiffuse.b };
        const float peak = std::max({ color.x, color.y, color.z });
        // Intensities in files range from 0..1 to thousands: keep the hue, normalize the level.
        light.color = peak > 0 && std::isfinite(peak) ? color * (1.0f / peak) : Vec3 { 1, 1, 1 };
        if (l->mType == aiLightSource_AMBIENT || anyNonFinite(light.position))
            continue;
        scene.lights.push_back(light);
    }
    return scene;
}

Result<QStringList> readCameraNamesHere(const QString &path)
{
    if (isProcedural(path))
        return QStringList { QStringLiteral("overview") };
    Assimp::Importer imp;
    auto read = readFile(imp, path);
    if (!read)
        return read.error();
    QStringList names;
    for (unsigned i = 0; i < read.value()->mNumCameras; ++i) {
        const QString name = QString::fromUtf8(read.value()->mCameras[i]->mName.C_Str());
        names.append(name.isEmpty() ? QStringLiteral("camera%1").arg(i + 1) : name);
    }
    return names;
}

Scene proceduralTerrain(int gridSize)
{
    Scene scene;
    Mesh mesh;
    mesh.color = { 0.55f, 0.62f, 0.42f };
    const int n = std::max(2, gridSize);
    const float extent = 200.0f;
    mesh.positions.reserve(size_t(n) * n);
    for (int j = 0; j < n; ++j) {
        for (int i = 0; i < n; ++i) {
            const float x = -extent / 2 + extent * float(i) / float(n - 1);
            const float z = -extent / 2 + extent * float(j) / float(n - 1);
            const Vec3 p { x, terrainHeight(x, z), z };
            mesh.positions.push_back(p);
            scene.bounds.add(p);
        }
    }
    mesh.indices.reserve(size_t(n - 1) * (n - 1) * 6);
    for (int j = 0; j + 1 < n; ++j) {
        for (int i = 0; i + 1 < n; ++i) {
            const uint32_t a = uint32_t(j * n + i), b = a + 1, c = a + uint32_t(n), d = c + 1;
            mesh.indices.insert(mesh.indices.end(), { a, c, b, b, c, d });
        }
    }
    scene.triangleCount = mesh.indices.size() / 3;
    scene.meshes.push_back(std::move(mesh));
    Camera overview;
    overview.name = QStringLiteral("overview");
    overview.position = { 0, 55, 120 };
    overview.forward = normalize(Vec3 { 0, -22, -100 });
    overview.fovY = 0.9f;
    scene.cameras.push_back(overview);
    Light sun;
    sun.direction = normalize(Vec3 { -0.6f, 0.7f, 0.35f });
    scene.lights.push_back(sun);
    return scene;
}

Result<Camera> Scene::camera(const QString &name) const
{
    if (name.isEmpty() || name == QLatin1String("default"))
        return cameras.empty() ? framingCamera() : cameras.front();
    if (name == QLatin1String("auto"))
        return framingCamera();
    for (const Camera &c : cameras) {
        if (c.name == name)
            return c;
    }
    QStringList names;
    for (const Camera &c : cameras)
        names.append(c.name);
    return makeError(ErrorCode::InvalidInput,
        names.isEmpty()
            ? QStringLiteral("no camera named '%1': the scene has none (use 'auto')").arg(name)
            : QStringLiteral("no camera named '%1' (the scene has: %2; or 'auto')")
                  .arg(name, names.join(QStringLiteral(", "))));
}

Camera Scene::framingCamera() const
{
    Camera c;
    c.name = QStringLiteral("auto");
    c.fovY = 0.7f;
    const Vec3 center = bounds.center();
    const float radius = std::max(bounds.radius(), 1e-6f);
    const Vec3 from = normalize(Vec3 { 0.9f, 0.55f, 1.3f });
    // Far enough that the bounding sphere fits the vertical field of view, with a margin.
    // (The sphere is a loose fit for most models: 0.85 of it still keeps them in the frame.)
    const float distance = radius / std::sin(c.fovY / 2) * 0.85f;
    c.position = center + from * distance;
    c.forward = normalize(center - c.position);
    c.up = { 0, 1, 0 };
    return c;
}

Light Scene::keyLight(const Camera &camera) const
{
    if (!lights.empty())
        return lights.front();
    const Vec3 right = normalize(cross(camera.forward, camera.up));
    const Vec3 up = normalize(cross(right, camera.forward));
    Light key;
    key.direction = normalize(-camera.forward + up * 1.2f - right * 0.6f);
    return key;
}

} // namespace spool::render
