// spool-scene-reader's answers as Spool decodes them (scenewire.h): the reader read a stranger's
// file, so its answer is untrusted too. Anything decodes to a usable scene or a clear error.
#include <cmath>

#include "fuzzinput.h"
#include "scenewire.h"

using namespace spool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray answer(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto scene = render::scenewire::decodeScene(answer);
    if (scene.ok()) {
        SPOOL_FUZZ_CHECK(scene->triangleCount > 0, QString());
        SPOOL_FUZZ_CHECK(std::isfinite(scene->bounds.radius()), QString());
        size_t triangles = 0;
        for (const render::Mesh &mesh : scene->meshes) {
            triangles += mesh.indices.size() / 3;
            for (const uint32_t index : mesh.indices)
                SPOOL_FUZZ_CHECK(index < mesh.positions.size(), QString());
        }
        SPOOL_FUZZ_CHECK(triangles == scene->triangleCount, QString());
        // What decodes, encodes to an answer that decodes to the same bytes again.
        const QByteArray again = render::scenewire::encode(scene.value());
        const auto redecoded = render::scenewire::decodeScene(again);
        SPOOL_FUZZ_CHECK(redecoded.ok(), redecoded.error().message);
        SPOOL_FUZZ_CHECK(render::scenewire::encode(redecoded.value()) == again, QString());
    } else {
        SPOOL_FUZZ_CHECK(!scene.error().message.isEmpty(), QString());
    }
    const auto names = render::scenewire::decodeCameraNames(answer);
    SPOOL_FUZZ_CHECK(names.ok() || !names.error().message.isEmpty(), QString());
    return 0;
}
