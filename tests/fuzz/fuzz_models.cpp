// Mutated model files through the OFF/PLY header check and Assimp's importers, as
// spool-scene-reader reads them: a clear error or a usable scene, nothing else.
#include <cmath>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include "fuzzinput.h"
#include "scene.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    if (size < 1)
        return 0;
    // The first byte picks the importer, as the file's extension does.
    static const char *const kSuffixes[] = { "off", "ply", "obj", "stl" };
    const QString path =
        QDir(dir.path()).filePath(QStringLiteral("model.") + QLatin1String(kSuffixes[data[0] % 4]));
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            fuzz::fail("cannot write the input", path);
        file.write(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    }
    (void)render::implausibleHeader(path, qint64(size - 1));
    const auto scene = render::readSceneHere(path);
    if (scene.ok()) {
        SPOOL_FUZZ_CHECK(scene->triangleCount > 0, path);
        SPOOL_FUZZ_CHECK(std::isfinite(scene->bounds.radius()), path);
    } else {
        SPOOL_FUZZ_CHECK(!scene.error().message.isEmpty(), path);
    }
    QFile::remove(path);
    return 0;
}
