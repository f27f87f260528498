// loadScene and cameraNames: Assimp runs in spool-scene-reader, and this side decodes its answer.
// Assimp 5.2 still crashes on some damaged files (tests/fuzz/assimp-known); in a process of its
// own such a file costs one job, not the app or a runner with other jobs in flight.
#include <cstring>

#include <QFileInfo>

#include "plugins/workerprocess.h"
#include "scene.h"
#include "scenewire.h"
#include "util/helperprogram.h"

namespace spool::render {

namespace {

const QString kReader = QStringLiteral("spool-scene-reader");

// The reader's answer for `what` ("scene" or "cameras") of `path`, or why there is none.
Result<QByteArray> askReader(
    const QString &what, const QString &path, const std::function<bool()> &cancelled)
{
    const QString program = helperProgram(kReader);
    if (program.isEmpty())
        return makeError(ErrorCode::Storage,
            QStringLiteral("%1 is not installed beside this program").arg(kReader));
    WorkerProcess reader;
    QString startError;
    if (!reader.start(program, { what, path }, &startError, false, true))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot start %1: %2").arg(kReader, startError));
    QByteArray answer;
    if (!reader.readOutput(&answer, cancelled))
        return makeError(ErrorCode::InvalidInput, QStringLiteral("stopped while reading"));
    reader.waitForFinished(60000);
    const QString name = QFileInfo(path).fileName();
    if (reader.running()) {
        reader.kill(); // closed its output but does not end: its answer is all it can give
    } else if (reader.crashed()) {
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: it crashed the model reader (%2); the file is "
                           "probably damaged")
                .arg(name, QString::fromLocal8Bit(strsignal(reader.signal()))));
    } else if (reader.exitCode() != 0 && answer.isEmpty()) {
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: the model reader ended with status %2")
                .arg(name)
                .arg(reader.exitCode()));
    }
    return answer;
}

} // namespace

Result<Scene> loadScene(const QString &path, const std::function<bool()> &cancelled)
{
    if (isProcedural(path))
        return proceduralTerrain();
    auto answer = askReader(QStringLiteral("scene"), path, cancelled);
    if (!answer)
        return answer.error();
    return scenewire::decodeScene(answer.value());
}

Result<QStringList> cameraNames(const QString &path)
{
    if (isProcedural(path))
        return readCameraNamesHere(path);
    auto answer = askReader(QStringLiteral("cameras"), path, {});
    if (!answer)
        return answer.error();
    return scenewire::decodeCameraNames(answer.value());
}

} // namespace spool::render
