// Files a job leaves in its work folder and reads back after a crash or on another runner: the
// download's download.json and the render's render.state. A damaged file is ignored or
// refused; it never makes the job write outside its buffers or resume from garbage.
#include <vector>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include "downloadstate.h"
#include "fuzzinput.h"
#include "renderstate.h"

using namespace spool;

namespace {

void put(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(bytes) != bytes.size())
        fuzz::fail("cannot write the input", path);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static QTemporaryDir dir;
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    put(QDir(dir.path()).filePath(QStringLiteral("download.json")), bytes);
    const DownloadState state = DownloadState::load(dir.path());
    SPOOL_FUZZ_CHECK(state.pagesWritten >= 0 && state.committedBytes >= 0,
        QString::number(state.committedBytes));

    put(render::statePath(dir.path()), bytes);
    std::vector<float> accum(4 * 3, -1.0f); // a 2x2 picture
    const int samples = render::loadState(dir.path(), QByteArrayLiteral("fingerprint"), accum);
    SPOOL_FUZZ_CHECK(samples >= 0, QString::number(samples));
    if (samples == 0) {
        for (float v : accum) // untouched unless the whole file was right
            SPOOL_FUZZ_CHECK(v == -1.0f, QString::number(v));
    }
    return 0;
}
