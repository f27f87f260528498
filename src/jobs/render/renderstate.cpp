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

QByteArray sumsBytes(const QByteArray &print, int samples, const std::vector<float> &sums)
{
    QByteArray data;
    data.reserve(qsizetype(64 + print.size() + sums.size() * sizeof(float)));
    {
        QDataStream out(&data, QIODevice::WriteOnly);
        out << kStateMagic << kStateVersion << print << qint32(samples) << quint64(sums.size());
    }
    data.append(
        reinterpret_cast<const char *>(sums.data()), qsizetype(sums.size() * sizeof(float)));
    return data;
}

bool saveSums(const QString &path, const QByteArray &print, int samplesDone,
    const std::vector<float> &accum, QString *error)
{
    const QString dir = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("cannot create %1").arg(dir);
        return false;
    }
    return atomicfile::write(path, sumsBytes(print, samplesDone, accum), error);
}

namespace {

// The header before the sums: their samples a pixel when it is for `print` and as many sums
// as `expected` follow (`in` then stands at them), else 0.
int readHeader(QDataStream &in, const QByteArray &print, size_t expected, qint64 bytesLeft)
{
    quint32 magic = 0, version = 0;
    QByteArray savedPrint;
    qint32 samples = 0;
    quint64 floats = 0;
    in >> magic >> version >> savedPrint >> samples >> floats;
    if (in.status() != QDataStream::Ok || magic != kStateMagic || version != kStateVersion
        || savedPrint != print || floats != expected || samples <= 0
        || bytesLeft - in.device()->pos() != qint64(expected * sizeof(float)))
        return 0;
    return samples;
}

} // namespace

int loadSums(const QString &path, const QByteArray &print, std::vector<float> &accum)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    QDataStream in(&file);
    const int samplesDone = readHeader(in, print, accum.size(), file.size());
    if (samplesDone == 0)
        return 0;
    // Straight into place: a 1080p render's sums are 25 MB.
    const qint64 bytes = qint64(accum.size() * sizeof(float));
    if (file.read(reinterpret_cast<char *>(accum.data()), bytes) != bytes) {
        std::fill(accum.begin(), accum.end(), 0.0f); // nothing half read is resumed
        return 0;
    }
    return samplesDone;
}

int addSumsFromBytes(
    const QByteArray &bytes, const QByteArray &print, int samples, std::vector<float> &sum)
{
    QDataStream in(bytes);
    if (readHeader(in, print, sum.size(), bytes.size()) != samples)
        return 0;
    // Added from where they lie (unaligned after the header): no second copy of 25 MB.
    const char *from = bytes.constData() + in.device()->pos();
    for (size_t i = 0; i < sum.size(); ++i) {
        float value;
        std::memcpy(&value, from + i * sizeof(float), sizeof(float));
        sum[i] += value;
    }
    return samples;
}

} // namespace spool::render
