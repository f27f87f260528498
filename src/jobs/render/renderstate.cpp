#include "renderstate.h"

#include <algorithm>
#include <cstring>

#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "util/atomicfile.h"

namespace spool::render {

namespace {
constexpr quint32 kStateMagic = 0x53505253; // "SPRS"
constexpr quint32 kStateVersion = 1;
} // namespace

QString statePath(const QString &workDir)
{
    return QDir(workDir).filePath(QStringLiteral("render.state"));
}

bool saveState(const QString &workDir, const QByteArray &print, int samplesDone,
    const std::vector<float> &accum, QString *error)
{
    return saveSums(statePath(workDir), print, samplesDone, accum, error);
}

int loadState(const QString &workDir, const QByteArray &print, std::vector<float> &accum)
{
    return loadSums(statePath(workDir), print, accum);
}

bool saveSums(const QString &path, const QByteArray &print, int samplesDone,
    const std::vector<float> &accum, QString *error)
{
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    QByteArray data;
    data.reserve(int(64 + accum.size() * sizeof(float)));
    {
        QDataStream out(&data, QIODevice::WriteOnly);
        out << kStateMagic << kStateVersion << print << qint32(samplesDone)
            << quint64(accum.size());
    }
    data.append(
        reinterpret_cast<const char *>(accum.data()), qsizetype(accum.size() * sizeof(float)));
    return atomicfile::write(path, data, error);
}

int loadSums(const QString &path, const QByteArray &print, std::vector<float> &accum)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    QDataStream in(&file);
    quint32 magic = 0, version = 0;
    QByteArray savedPrint;
    qint32 samplesDone = 0;
    quint64 floats = 0;
    in >> magic >> version >> savedPrint >> samplesDone >> floats;
    const qint64 bytes = qint64(accum.size() * sizeof(float));
    if (in.status() != QDataStream::Ok || magic != kStateMagic || version != kStateVersion
        || savedPrint != print || floats != accum.size() || samplesDone <= 0
        || file.size() - file.pos() != bytes)
        return 0;
    // Straight into place: a 1080p render's sums are 25 MB.
    if (file.read(reinterpret_cast<char *>(accum.data()), bytes) != bytes) {
        std::fill(accum.begin(), accum.end(), 0.0f); // nothing half read is resumed
        return 0;
    }
    return samplesDone;
}

} // namespace spool::render
