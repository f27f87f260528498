#include "sharedscene.h"

#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "scene.h"
#include "sceneinputs.h"

namespace spool::render::sharedscene {

namespace {

const QLatin1String kFiles("files");
const QLatin1String kPath("path");
const QLatin1String kHash("hash");
const QLatin1String kSize("size");

// The scene first, then the files it references that exist (a missing texture is only noted).
QStringList filesOf(const QString &scene)
{
    QStringList paths { scene };
    for (const SceneInput &input : sceneInputs(scene)) {
        if (QFileInfo(input.path).isFile() && !paths.contains(input.path))
            paths.append(input.path);
    }
    return paths;
}

// The deepest folder that holds them all.
QString commonFolder(const QStringList &paths)
{
    QStringList common = QFileInfo(paths.first()).absolutePath().split(u'/');
    for (const QString &path : paths) {
        const QStringList parts = QFileInfo(path).absolutePath().split(u'/');
        qsizetype same = 0;
        while (same < common.size() && same < parts.size() && common.at(same) == parts.at(same))
            ++same;
        common.resize(same);
    }
    const QString folder = common.join(u'/');
    return folder.isEmpty() ? QStringLiteral("/") : folder;
}

QString mib(qint64 bytes)
{
    return QString::number(double(bytes) / (1024 * 1024), 'f', 1);
}

// A path the queue gave: relative, clean, and inside the folder it is laid out in.
bool isSafeRelative(const QString &path)
{
    return !path.isEmpty() && !QDir::isAbsolutePath(path) && QDir::cleanPath(path) == path
        && path != QLatin1String(".") && !path.split(u'/').contains(QLatin1String(".."));
}

Error damagedList()
{
    return makeError(ErrorCode::InvalidInput,
        QStringLiteral("the render's list of scene files in the queue is damaged"));
}

// A link to the cached file (no copy, and the job keeps reading it should the cache let it go);
// a copy where links cannot be made.
bool place(const QString &cached, const QString &target)
{
    QFile::remove(target);
    if (::link(QFile::encodeName(cached).constData(), QFile::encodeName(target).constData()) == 0)
        return true;
    return QFile::copy(cached, target);
}

} // namespace

Result<QJsonObject> share(const QJsonObject &params, FileShelf &shelf)
{
    const QString scene = params.value(QStringLiteral("scene")).toString();
    if (isProcedural(scene) || params.value(QStringLiteral("inputs")).toString() != u"queue"
        || params.contains(kFiles))
        return params;
    const QStringList paths = filesOf(scene);
    qint64 total = 0;
    for (const QString &path : paths)
        total += QFileInfo(path).size();
    if (total > kMaxBytes)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("the scene and its files are %1 MiB, more than the %2 MiB a render may "
                           "store in the queue: put them where every runner reads them and add "
                           "--inputs shared-path")
                .arg(mib(total), mib(kMaxBytes)));
    const QDir root(commonFolder(paths));
    QJsonArray files;
    for (const QString &path : paths) {
        auto shared = shelf.put(path);
        if (!shared)
            return shared.error();
        files.append(QJsonObject { { kPath, root.relativeFilePath(path) }, { kHash, shared->hash },
            { kSize, shared->size } });
    }
    QJsonObject result = params;
    result.insert(kFiles, files);
    return result;
}

Result<Fetched> fetch(const QJsonArray &files, FileShelf &shelf, const QString &dir,
    const std::function<bool()> &stopped)
{
    if (files.isEmpty())
        return damagedList();
    Fetched fetched;
    for (const QJsonValue &value : files) {
        const QJsonObject entry = value.toObject();
        const QString path = entry.value(kPath).toString();
        const SharedFile file { entry.value(kHash).toString(), entry.value(kSize).toInteger(-1) };
        if (!isSafeRelative(path) || file.size < 0)
            return damagedList();
        auto cached = shelf.fetch(file, stopped);
        if (!cached)
            return cached.error();
        const QString target = QDir(dir).filePath(path);
        if (!QDir().mkpath(QFileInfo(target).absolutePath()) || !place(cached.value(), target))
            return makeError(
                ErrorCode::Storage, QStringLiteral("cannot lay the scene out in %1").arg(dir));
        if (fetched.scene.isEmpty())
            fetched.scene = target;
        fetched.bytes += file.size;
    }
    return fetched;
}

} // namespace spool::render::sharedscene
