#include "sceneinputs.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUrl>

namespace spool::render {

namespace {

// A .gltf with its buffers inline as base64 can be large; past this it is left to Assimp.
constexpr qint64 kMaxJsonBytes = 256LL * 1024 * 1024;
constexpr qint64 kMaxMtlBytes = 16LL * 1024 * 1024;

class InputList
{
public:
    explicit InputList(const QString &scene)
        : m_dir(QFileInfo(scene).absoluteDir())
    { }

    // A reference as the scene wrote it, relative to the scene's folder.
    QString add(const QString &reference, const QString &what, bool required)
    {
        return add(m_dir, reference, what, required);
    }

    // A reference another input (a material library) wrote, relative to its own folder. The
    // absolute path, or nothing when it was listed already.
    QString add(const QDir &base, const QString &reference, const QString &what, bool required)
    {
        if (reference.isEmpty())
            return {};
        // Files made on Windows write their folders with backslashes. Cleaned after joining:
        // "." or "a/.." would otherwise leave a dot on the folder's path.
        const QString path = QDir::cleanPath(
            base.absoluteFilePath(QString(reference).replace(QLatin1Char('\\'), QLatin1Char('/'))));
        if (m_seen.contains(path))
            return {};
        m_seen.insert(path);
        m_inputs.append({ path, what, required });
        return path;
    }

    QList<SceneInput> take() { return std::move(m_inputs); }

private:
    QDir m_dir;
    QList<SceneInput> m_inputs;
    QSet<QString> m_seen; // a file that names the same input a million times is read once
};

// glTF URIs are percent-encoded relative references; data: and remote URIs are not files here.
QString localReference(const QString &uri)
{
    if (uri.isEmpty() || uri.startsWith(QLatin1String("data:"), Qt::CaseInsensitive))
        return {};
    const QUrl url(uri);
    if (url.isValid() && !url.scheme().isEmpty() && url.scheme().size() > 1)
        return url.isLocalFile() ? url.toLocalFile() : QString();
    return QUrl::fromPercentEncoding(uri.toUtf8());
}

// glTF 2 keeps buffers and images in arrays, glTF 1 in objects keyed by id.
QJsonArray entries(const QJsonValue &value)
{
    if (value.isArray())
        return value.toArray();
    QJsonArray out;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        out.append(it.value());
    return out;
}

void addGltfReferences(const QByteArray &json, InputList &inputs)
{
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    for (const QJsonValue buffer : entries(root.value(QStringLiteral("buffers"))))
        inputs.add(localReference(buffer.toObject().value(QStringLiteral("uri")).toString()),
            QStringLiteral("buffer"), true);
    for (const QJsonValue image : entries(root.value(QStringLiteral("images"))))
        inputs.add(localReference(image.toObject().value(QStringLiteral("uri")).toString()),
            QStringLiteral("texture"), false);
}

quint32 littleEndian32(const char *bytes)
{
    const auto *b = reinterpret_cast<const unsigned char *>(bytes);
    return quint32(b[0]) | quint32(b[1]) << 8 | quint32(b[2]) << 16 | quint32(b[3]) << 24;
}

// The JSON chunk of a binary glTF: version 2 has chunk headers, version 1 a content length.
QByteArray glbJson(QFile &file)
{
    const QByteArray header = file.read(20);
    if (header.size() < 20 || !header.startsWith("glTF"))
        return {};
    const quint32 version = littleEndian32(header.constData() + 4);
    const quint32 length = littleEndian32(header.constData() + 12);
    const quint32 type = littleEndian32(header.constData() + 16);
    const bool isJson = version == 2 ? type == 0x4E4F534Au : version == 1 && type == 0;
    if (!isJson || length > kMaxJsonBytes)
        return {};
    return file.read(length);
}

// The rest of each line that starts with `keyword` (after blanks), found without splitting a
// large OBJ into lines.
QStringList lineValues(QByteArrayView text, QByteArrayView keyword)
{
    QStringList values;
    for (qsizetype at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + 1)) {
        qsizetype start = at;
        while (start > 0 && (text[start - 1] == ' ' || text[start - 1] == '\t'))
            --start;
        const qsizetype end = at + keyword.size();
        if ((start > 0 && text[start - 1] != '\n') || end >= text.size()
            || (text[end] != ' ' && text[end] != '\t'))
            continue;
        qsizetype stop = text.indexOf('\n', end);
        if (stop < 0)
            stop = text.size();
        values.append(QString::fromUtf8(text.sliced(end, stop - end)).trimmed());
    }
    return values;
}

// Texture statements name the file last, after their options (map_Kd -s 2 2 1 wood.png).
void addMtlTextures(const QString &mtl, InputList &inputs)
{
    QFile file(mtl);
    if (file.size() > kMaxMtlBytes || !file.open(QIODevice::ReadOnly))
        return;
    const QByteArray text = file.readAll();
    for (const QByteArray &rawLine : text.split('\n')) {
        const QByteArray line = rawLine.trimmed();
        const bool isTexture = line.startsWith("map_") || line.startsWith("bump ")
            || line.startsWith("disp ") || line.startsWith("decal ") || line.startsWith("refl ");
        if (!isTexture)
            continue;
        const QList<QByteArray> words = line.simplified().split(' ');
        if (words.size() >= 2)
            inputs.add(QFileInfo(mtl).absoluteDir(), QString::fromUtf8(words.last()),
                QStringLiteral("texture"), false);
    }
}

void addObjReferences(QFile &file, InputList &inputs)
{
    // Read in blocks of whole lines, not mapped (a file cut short while mapped would kill the
    // process) nor split into lines (an OBJ can be gigabytes; only its mtllib lines matter).
    constexpr qint64 kBlock = 1 << 20;
    QStringList values;
    QByteArray carry;
    while (!file.atEnd()) {
        QByteArray block = carry + file.read(kBlock);
        if (block.size() == carry.size())
            break; // a read error
        const qsizetype lastLine = file.atEnd() ? block.size() : block.lastIndexOf('\n') + 1;
        carry = block.mid(lastLine);
        if (carry.size() > kBlock)
            carry.clear(); // no mtllib line is that long: do not hold a line without end
        block.truncate(lastLine);
        values += lineValues(block, "mtllib");
    }
    QStringList libraries;
    for (const QString &value : std::as_const(values)) {
        // Several libraries may share a line.
        for (const QString &name : value.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString path = inputs.add(name, QStringLiteral("material library"), false);
            if (!path.isEmpty())
                libraries.append(path);
        }
    }
    for (const QString &library : std::as_const(libraries))
        addMtlTextures(library, inputs);
}

// "a.png, b.png, c.png and 2 more"
QString someNames(const QStringList &paths)
{
    constexpr qsizetype kShown = 3;
    QStringList names;
    for (qsizetype i = 0; i < paths.size() && i < kShown; ++i)
        names.append(QFileInfo(paths.at(i)).fileName());
    QString text = names.join(QStringLiteral(", "));
    if (paths.size() > kShown)
        text += QStringLiteral(" and %1 more").arg(paths.size() - kShown);
    return text;
}

} // namespace

QList<SceneInput> sceneInputs(const QString &scene)
{
    InputList inputs(scene);
    QFile file(scene);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QString suffix = QFileInfo(scene).suffix().toLower();
    if (suffix == QLatin1String("gltf")) {
        if (file.size() <= kMaxJsonBytes)
            addGltfReferences(file.readAll(), inputs);
    } else if (suffix == QLatin1String("glb")) {
        addGltfReferences(glbJson(file), inputs);
    } else if (suffix == QLatin1String("obj")) {
        addObjReferences(file, inputs);
    }
    return inputs.take();
}

InputCheck checkInputs(const QString &scene)
{
    const QString name = QFileInfo(scene).fileName();
    QStringList missingGeometry, missingTextures;
    InputCheck check;
    for (const SceneInput &input : sceneInputs(scene)) {
        const QFileInfo info(input.path);
        if (info.isFile() && info.isReadable())
            continue;
        if (input.required)
            missingGeometry.append(input.path);
        else if (input.what == QLatin1String("texture"))
            missingTextures.append(input.path);
        else
            check.notes.append(
                QStringLiteral("%1 (a %2 of %3) is missing: the model renders without its "
                               "material colours")
                    .arg(input.path, input.what, name));
    }
    // The renderer draws material colours and ignores textures.
    if (!missingTextures.isEmpty())
        check.notes.append((missingTextures.size() == 1
                                   ? QStringLiteral("a texture of %1 is missing (%2)").arg(name)
                                   : QStringLiteral("%1 textures of %2 are missing (%3)")
                                         .arg(missingTextures.size())
                                         .arg(name))
                               .arg(someNames(missingTextures))
            + QStringLiteral(": the render does not use textures, so it looks the same"));
    if (!missingGeometry.isEmpty()) {
        check.refusal = QStringLiteral("%1 is missing: %2 reads its geometry from it")
                            .arg(missingGeometry.first(), name);
        if (missingGeometry.size() > 1)
            check.refusal += QStringLiteral(" (%1 more of its files are missing too)")
                                 .arg(missingGeometry.size() - 1);
    }
    return check;
}

} // namespace spool::render
