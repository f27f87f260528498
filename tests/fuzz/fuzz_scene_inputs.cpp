// Mutated glTF, GLB and OBJ/MTL files through the scan for the files a scene reads besides
// itself (checked before a render is queued): every input an absolute path, listed once; a
// refusal exactly when a required one is missing.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>

#include "fuzzinput.h"
#include "sceneinputs.h"

using namespace spool;

namespace {

void write(const QString &path, const uint8_t *data, size_t size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        fuzz::fail("cannot write the input", path);
    file.write(reinterpret_cast<const char *>(data), qsizetype(size));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    if (size < 1)
        return 0;
    // The first byte picks the format, as the file's extension does. The same bytes are also
    // the OBJ's material library, so one input exercises both parsers.
    static const char *const kSuffixes[] = { "gltf", "glb", "obj" };
    const QString path =
        QDir(dir.path()).filePath(QStringLiteral("scene.") + QLatin1String(kSuffixes[data[0] % 3]));
    const QString mtl = QDir(dir.path()).filePath(QStringLiteral("scene.mtl"));
    write(path, data + 1, size - 1);
    write(mtl, data + 1, size - 1);

    QSet<QString> seen;
    bool requiredMissing = false;
    for (const render::SceneInput &input : render::sceneInputs(path)) {
        SPOOL_FUZZ_CHECK(QFileInfo(input.path).isAbsolute(), input.path);
        SPOOL_FUZZ_CHECK(QDir::cleanPath(input.path) == input.path, input.path);
        SPOOL_FUZZ_CHECK(!seen.contains(input.path), input.path);
        SPOOL_FUZZ_CHECK(!input.what.isEmpty(), input.path);
        seen.insert(input.path);
        requiredMissing = requiredMissing || (input.required && !QFileInfo(input.path).isFile());
    }
    const render::InputCheck check = render::checkInputs(path);
    SPOOL_FUZZ_CHECK(check.refusal.isEmpty() != requiredMissing, check.refusal);
    QFile::remove(path);
    QFile::remove(mtl);
    return 0;
}
