// spool-scene-reader: reads one model file with Assimp and writes what a render needs to stdout
// (src/jobs/render/scenewire.h), so that a file that crashes Assimp crashes only this process.
//   spool-scene-reader scene PATH     the triangles, cameras and lights
//   spool-scene-reader cameras PATH   the names of its cameras
//   spool-scene-reader --version
// Exit 0 with a scene or with the loader's error in the answer; 2 on bad usage.
#include <cerrno>
#include <cstdio>
#include <unistd.h>

#include <QFile>

#include "scene.h"
#include "scenewire.h"

namespace {

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + written, size_t(data.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        written += n;
    }
    return true;
}

template<typename T>
QByteArray answer(const spool::Result<T> &result)
{
    return result ? spool::render::scenewire::encode(result.value())
                  : spool::render::scenewire::encode(result.error());
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 2 && qstrcmp(argv[1], "--version") == 0) {
        std::printf("spool-scene-reader %s\n", SPOOL_VERSION);
        return 0;
    }
    if (argc != 3 || (qstrcmp(argv[1], "scene") != 0 && qstrcmp(argv[1], "cameras") != 0)) {
        std::fputs("usage: spool-scene-reader scene|cameras PATH\n", stderr);
        return 2;
    }
    // The answer has stdout to itself: whatever a library prints goes to stderr.
    const int answerFd = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    const QString path = QFile::decodeName(argv[2]);
    const QByteArray data = qstrcmp(argv[1], "scene") == 0
        ? answer(spool::render::readSceneHere(path))
        : answer(spool::render::readCameraNamesHere(path));
    return answerFd >= 0 && writeAll(answerFd, data) ? 0 : 1;
}
