#include "scenewire.h"

#include <cmath>
#include <cstring>
#include <type_traits>

namespace spool::render::scenewire {

namespace {

constexpr char kMagic[] = "SPOOLSCENE1\n";
constexpr qsizetype kMagicSize = sizeof(kMagic) - 1;
enum Kind : quint8 { KindError = 0, KindScene = 1, KindCameras = 2 };

class Writer
{
public:
    explicit Writer(Kind kind) { m_data.append(kMagic, kMagicSize).append(char(kind)); }

    template<typename T>
    void put(T value)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        m_data.append(reinterpret_cast<const char *>(&value), sizeof value);
    }
    void put(const QString &text)
    {
        const QByteArray utf8 = text.toUtf8();
        put(quint32(utf8.size()));
        m_data.append(utf8);
    }
    void put(const Vec3 &v)
    {
        put(v.x);
        put(v.y);
        put(v.z);
    }
    template<typename T>
    void putArray(const std::vector<T> &values)
    {
        put(quint32(values.size()));
        m_data.append(
            reinterpret_cast<const char *>(values.data()), qsizetype(values.size() * sizeof(T)));
    }
    QByteArray take() { return std::move(m_data); }

private:
    QByteArray m_data;
};

// Reads what Writer wrote; the first problem sticks and every later read yields zeros.
class Reader
{
public:
    explicit Reader(const QByteArray &data)
        : m_data(data)
    { }

    bool failed() const { return !m_problem.isEmpty(); }
    const QString &problem() const { return m_problem; }
    void fail(const QString &problem)
    {
        if (m_problem.isEmpty())
            m_problem = problem;
    }
    bool atEnd() const { return m_pos == m_data.size(); }

    int kind()
    {
        if (!m_data.startsWith(QByteArray::fromRawData(kMagic, kMagicSize))) {
            fail(QStringLiteral("it does not start as an answer does"));
            return -1;
        }
        m_pos = kMagicSize;
        return get<quint8>();
    }
    template<typename T>
    T get()
    {
        T value {};
        if (!take(sizeof value))
            return value;
        std::memcpy(&value, m_data.constData() + m_pos - qsizetype(sizeof value), sizeof value);
        return value;
    }
    QString getString()
    {
        const quint32 size = get<quint32>();
        if (!take(size))
            return {};
        return QString::fromUtf8(m_data.constData() + m_pos - qsizetype(size), qsizetype(size));
    }
    Vec3 getVec3()
    {
        const float x = get<float>(), y = get<float>(), z = get<float>();
        return { x, y, z };
    }
    // A count of items of `itemSize` bytes each that the bytes left can hold.
    quint32 getCount(size_t itemSize)
    {
        const quint32 count = get<quint32>();
        if (quint64(count) * itemSize > quint64(m_data.size() - m_pos)) {
            fail(QStringLiteral("it declares %1 items that its %2 bytes cannot hold")
                     .arg(count)
                     .arg(m_data.size()));
            return 0;
        }
        return count;
    }
    template<typename T>
    std::vector<T> getArray()
    {
        const quint32 count = getCount(sizeof(T));
        std::vector<T> values(count);
        if (count && take(count * sizeof(T)))
            std::memcpy(values.data(), m_data.constData() + m_pos - qsizetype(count * sizeof(T)),
                count * sizeof(T));
        return values;
    }

private:
    bool take(quint64 size)
    {
        if (failed())
            return false;
        if (size > quint64(m_data.size() - m_pos)) {
            fail(QStringLiteral("it ends early"));
            return false;
        }
        m_pos += qsizetype(size);
        return true;
    }

    const QByteArray &m_data;
    qsizetype m_pos = 0;
    QString m_problem;
};

bool finite(const Vec3 &v)
{
    return std::isfinite(v.x) && std::isfinite(v.y) && std::isfinite(v.z);
}

Error damaged(const QString &problem)
{
    return makeError(ErrorCode::InvalidInput,
        QStringLiteral("the model reader's answer is damaged (%1)").arg(problem));
}

// The reader's error when the answer is one; else none.
std::optional<Error> readerError(Reader &in, int kind)
{
    if (kind != KindError)
        return std::nullopt;
    const quint32 code = in.get<quint32>();
    const QString message = in.getString();
    if (in.failed() || !in.atEnd() || code == 0 || code > quint32(ErrorCode::Storage)
        || message.isEmpty())
        return damaged(in.failed() ? in.problem() : QStringLiteral("a malformed error"));
    return makeError(ErrorCode(code), message);
}

void readMesh(Reader &in, Scene &scene)
{
    Mesh mesh;
    mesh.color = in.getVec3();
    mesh.positions = in.getArray<Vec3>();
    mesh.indices = in.getArray<uint32_t>();
    if (in.failed())
        return;
    if (!finite(mesh.color) || mesh.indices.empty() || mesh.indices.size() % 3 != 0)
        return in.fail(QStringLiteral("a mesh with no whole triangles or a bad colour"));
    for (const uint32_t index : mesh.indices) {
        if (index >= mesh.positions.size())
            return in.fail(QStringLiteral("a triangle points past its mesh"));
    }
    for (const Vec3 &p : mesh.positions) {
        if (!finite(p))
            return in.fail(QStringLiteral("a position that is not a number"));
        scene.bounds.add(p);
    }
    scene.triangleCount += mesh.indices.size() / 3;
    scene.meshes.push_back(std::move(mesh));
}

void readCamera(Reader &in, Scene &scene)
{
    Camera camera;
    camera.name = in.getString();
    camera.position = in.getVec3();
    camera.forward = in.getVec3();
    camera.up = in.getVec3();
    camera.fovY = in.get<float>();
    camera.aspect = in.get<float>();
    if (!in.failed()
        && !(finite(camera.position) && finite(camera.forward) && finite(camera.up)
            && camera.fovY > 0.01f && camera.fovY < 3.1f && camera.aspect >= 0
            && std::isfinite(camera.aspect)))
        return in.fail(QStringLiteral("a camera that cannot be used"));
    scene.cameras.push_back(camera);
}

void readLight(Reader &in, Scene &scene)
{
    Light light;
    light.directional = in.get<quint8>() != 0;
    light.direction = in.getVec3();
    light.position = in.getVec3();
    light.color = in.getVec3();
    if (!in.failed() && !(finite(light.direction) && finite(light.position) && finite(light.color)))
        return in.fail(QStringLiteral("a light that is not a number"));
    scene.lights.push_back(light);
}

} // namespace

QByteArray encode(const Scene &scene)
{
    Writer out(KindScene);
    out.put(quint32(scene.meshes.size()));
    for (const Mesh &mesh : scene.meshes) {
        out.put(mesh.color);
        out.putArray(mesh.positions);
        out.putArray(mesh.indices);
    }
    out.put(quint32(scene.cameras.size()));
    for (const Camera &camera : scene.cameras) {
        out.put(camera.name);
        out.put(camera.position);
        out.put(camera.forward);
        out.put(camera.up);
        out.put(camera.fovY);
        out.put(camera.aspect);
    }
    out.put(quint32(scene.lights.size()));
    for (const Light &light : scene.lights) {
        out.put(quint8(light.directional));
        out.put(light.direction);
        out.put(light.position);
        out.put(light.color);
    }
    return out.take();
}

QByteArray encode(const QStringList &cameraNames)
{
    Writer out(KindCameras);
    out.put(quint32(cameraNames.size()));
    for (const QString &name : cameraNames)
        out.put(name);
    return out.take();
}

QByteArray encode(const Error &error)
{
    Writer out(KindError);
    out.put(quint32(error.code));
    out.put(error.message);
    return out.take();
}

Result<Scene> decodeScene(const QByteArray &data)
{
    Reader in(data);
    const int kind = in.kind();
    if (auto error = readerError(in, kind))
        return *error;
    if (kind != KindScene)
        return damaged(in.failed() ? in.problem() : QStringLiteral("not a scene"));
    Scene scene;
    // Each item takes at least 4 bytes: the counts cannot ask for more items than that.
    const quint32 meshes = in.getCount(4);
    for (quint32 i = 0; i < meshes && !in.failed(); ++i)
        readMesh(in, scene);
    const quint32 cameras = in.getCount(4);
    for (quint32 i = 0; i < cameras && !in.failed(); ++i)
        readCamera(in, scene);
    const quint32 lights = in.getCount(4);
    for (quint32 i = 0; i < lights && !in.failed(); ++i)
        readLight(in, scene);
    if (!in.failed() && !in.atEnd())
        in.fail(QStringLiteral("bytes after its end"));
    if (!in.failed() && scene.triangleCount == 0)
        in.fail(QStringLiteral("a scene without triangles"));
    if (!in.failed() && !std::isfinite(scene.bounds.radius()))
        in.fail(QStringLiteral("coordinates too large to render"));
    if (in.failed())
        return damaged(in.problem());
    return scene;
}

Result<QStringList> decodeCameraNames(const QByteArray &data)
{
    Reader in(data);
    const int kind = in.kind();
    if (auto error = readerError(in, kind))
        return *error;
    if (kind != KindCameras)
        return damaged(in.failed() ? in.problem() : QStringLiteral("not a list of cameras"));
    QStringList names;
    const quint32 count = in.getCount(4);
    for (quint32 i = 0; i < count && !in.failed(); ++i)
        names.append(in.getString());
    if (!in.failed() && !in.atEnd())
        in.fail(QStringLiteral("bytes after its end"));
    if (in.failed())
        return damaged(in.problem());
    return names;
}

} // namespace spool::render::scenewire
