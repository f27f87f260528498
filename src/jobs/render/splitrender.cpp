#include "splitrender.h"

#include <cstdio>
#include <functional>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

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

Claim claimMerge(const QString &out, const Part &part, const QUuid &self, int without)
{
    const QString mine = mergingDir(out, part, self);
    if (QFileInfo::exists(mine))
        return Claim::Mine;
    const QString dir = partsDir(out, part);
    for (int index = 0; index < part.count; ++index) {
        if (index != without && !QFileInfo::exists(partFile(dir, index)))
            return QFileInfo::exists(dir) ? Claim::Waiting : Claim::Taken;
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
    if (!QFileInfo::exists(mine))
        return;
    const QString dir = partsDir(out, part);
    if (renameDir(mine, dir))
        return;
    // A part that ran again meanwhile made a new folder: the sums go into it one by one.
    QDir().mkpath(dir);
    for (int index = 0; index < part.count; ++index) {
        if (!QFileInfo::exists(partFile(dir, index)))
            renameDir(partFile(mine, index), partFile(dir, index));
    }
    QDir(mine).removeRecursively();
}

void discardPart(const QString &out, const Part &part, const QUuid &id)
{
    releaseMerge(out, part, id);
    const QString dir = partsDir(out, part);
    QFile::remove(partFile(dir, part.index));
    QDir().rmdir(dir); // only once it is empty
}

} // namespace spool::render::split
