#include "splitrender.h"

#include <cerrno>
#include <cstdio>
#include <functional>
#include <sys/stat.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "job/jobrecord.h"
#include "renderstate.h"
#include "util/ids.h"

namespace spool::render::split {

namespace {

const QLatin1String kPart("part");
const QLatin1String kSplit("split");
const QLatin1String kGroup("group");

// Atomic: of two parts that both saw the set complete, one rename wins.
bool renameDir(const QString &from, const QString &to)
{
    return std::rename(QFile::encodeName(from).constData(), QFile::encodeName(to).constData()) == 0;
}

// A folder itself (not a link to one) that only its owner and group may write to: in an output
// folder others can write to, a link or folder planted at a name a job uses would send its
// samples elsewhere, or its clean-up into someone else's files.
bool isOwnFolder(const QString &path)
{
    struct stat st
    {
    };
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0 && S_ISDIR(st.st_mode)
        && (st.st_mode & S_IWOTH) == 0;
}

void removeFolder(const QString &path)
{
    if (isOwnFolder(path))
        QDir(path).removeRecursively();
}

} // namespace

Part partOf(const QJsonObject &params)
{
    Part part;
    part.count = std::max(1, params.value(kSplit).toInt(1));
    // Stored from 1, as people count parts ("part 2 of 3").
    part.index = std::clamp(params.value(kPart).toInt(1) - 1, 0, part.count - 1);
    part.group = params.value(kGroup).toString();
    if (part.group.isEmpty())
        part.count = 1; // a split render is only ever queued through expand()
    return part;
}

SampleRange sampleRange(int samples, const Part &part)
{
    const qint64 first = qint64(samples) * part.index / part.count;
    const qint64 end = qint64(samples) * (part.index + 1) / part.count;
    return { int(first), int(end - first) };
}

QString samplesName(const Part &part, int index)
{
    return QStringLiteral("%1/part-%2").arg(part.group).arg(index);
}

QString failureName(const Part &part, int index)
{
    return QStringLiteral("%1/failed-part-%2").arg(part.group).arg(index);
}

QList<QJsonObject> expand(const QJsonObject &params)
{
    const int count = params.value(kSplit).toInt(1);
    if (count <= 1)
        return { params };
    const QString group = idString(newJobId());
    QList<QJsonObject> parts;
    for (int index = 0; index < count; ++index) {
        QJsonObject part = params;
        part.insert(kPart, index + 1);
        part.insert(kGroup, group);
        parts.append(part);
    }
    return parts;
}

QString partsDir(const QString &out, const Part &part)
{
    // Short whatever the output's name: it must fit wherever the PNG's name does.
    return QFileInfo(out).dir().filePath(QStringLiteral(".spool-split-") + part.group.left(8));
}

QString mergingDir(const QString &out, const Part &part, const QUuid &merger)
{
    return partsDir(out, part) + QStringLiteral(".merging-") + idString(merger).left(8);
}

QString partFile(const QString &dir, int index)
{
    return QDir(dir).filePath(QStringLiteral("part-%1").arg(index));
}

Result<void> makePartsDir(const QString &out, const Part &part)
{
    const QString dir = partsDir(out, part);
    if (::mkdir(QFile::encodeName(dir).constData(), 0777) != 0 && errno != EEXIST)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot create %1: %2")
                .arg(dir, QString::fromLocal8Bit(strerror(errno))));
    if (!isOwnFolder(dir))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("%1 is a link, or a folder anyone may write to: refusing to keep the "
                           "render's samples there")
                .arg(dir));
    return {};
}

bool holdsMerge(const QString &out, const Part &part, const QUuid &self)
{
    return isOwnFolder(mergingDir(out, part, self));
}

Claim claimMerge(const QString &out, const Part &part, const QUuid &self, int without)
{
    const QString mine = mergingDir(out, part, self);
    if (isOwnFolder(mine))
        return Claim::Mine;
    const QString dir = partsDir(out, part);
    if (!isOwnFolder(dir))
        return Claim::Taken; // gone (another part took it), or not a folder to trust
    for (int index = 0; index < part.count; ++index) {
        if (index != without && !QFileInfo::exists(partFile(dir, index)))
            return Claim::Waiting;
    }
    return renameDir(dir, mine) ? Claim::Mine : Claim::Taken;
}

QList<int> addPartSums(const QString &dir, const Part &part, int samples,
    const std::function<QByteArray(int index)> &printOf, std::vector<float> &sum, int without)
{
    QList<int> missing;
    std::vector<float> partSums(sum.size());
    for (int index = 0; index < part.count; ++index) {
        if (index == without)
            continue;
        const int expected = sampleRange(samples, { index, part.count, part.group }).count;
        if (loadSums(partFile(dir, index), printOf(index), partSums) != expected) {
            missing.append(index);
            continue;
        }
        for (size_t i = 0; i < sum.size(); ++i)
            sum[i] += partSums[i];
    }
    return missing;
}

void releaseMerge(const QString &out, const Part &part, const QUuid &merger)
{
    const QString mine = mergingDir(out, part, merger);
    if (!isOwnFolder(mine))
        return;
    const QString dir = partsDir(out, part);
    if (renameDir(mine, dir))
        return;
    // A part that ran again meanwhile made a new folder: the sums go into it one by one, unless
    // what stands there is a link or not the render's to use (then they stay where they are).
    if (!makePartsDir(out, part))
        return;
    for (int index = 0; index < part.count; ++index) {
        if (!QFileInfo::exists(partFile(dir, index)))
            renameDir(partFile(mine, index), partFile(dir, index));
    }
    QDir(mine).removeRecursively();
}

void finishMerge(const QString &out, const Part &part, const QUuid &merger)
{
    removeFolder(mergingDir(out, part, merger));
}

void discardPart(const QString &out, const Part &part, const QUuid &id)
{
    // The whole render goes: a merge this part held goes with the samples in it.
    removeFolder(mergingDir(out, part, id));
    const QString dir = partsDir(out, part);
    if (!isOwnFolder(dir))
        return;
    QFile::remove(partFile(dir, part.index));
    QDir().rmdir(dir); // only once it is empty
}

} // namespace spool::render::split
