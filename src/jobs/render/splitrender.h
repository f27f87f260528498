#pragma once

#include <functional>
#include <vector>

#include <QJsonObject>
#include <QString>
#include <QUuid>

#include "util/result.h"

// A render split into parts: each part is a job of its own that renders a disjoint range of the
// samples of every pixel (sampling is deterministic per seed, pixel and sample, so the parts
// add up to the single render's sums), keeps its sums in a hidden folder beside the output, and
// the part that completes the set merges them into the PNG.
//
// The folder is the only thing the parts share, so it works for the workers of one machine and
// for runners on several machines whose output folder is the same shared path. Whoever renames
// the folder to its own merging name merges (one rename wins); a merger that dies finds its
// folder again when its job runs again.
namespace spool::render::split {

struct Part
{
    int index = 0;
    int count = 1; // 1: not split
    QString group; // the same for every part of one render
    bool isSplit() const { return count > 1; }
};

Part partOf(const QJsonObject &params);

struct SampleRange
{
    int first = 0;
    int count = 0;
};

// The samples of `part`: [first, first + count), about samples / parts each, the first ones
// taking the remainder's extra samples last.
SampleRange sampleRange(int samples, const Part &part);

// On a shared queue, where part `index` leaves its samples for the render's delivery, and where
// it says why it failed for good.
QString samplesName(const Part &part, int index);
QString failureName(const Part &part, int index);

// One job's params per part, all with the same new group.
QList<QJsonObject> expand(const QJsonObject &params);

// Where the parts keep their sums until the merge: ".spool-split-GROUP" beside the output.
QString partsDir(const QString &out, const Part &part);
// The same folder once the merging part took it.
QString mergingDir(const QString &out, const Part &part, const QUuid &merger);
QString partFile(const QString &dir, int index);

// Creates the parts' folder, or finds it; refuses a link or a folder anyone may write to.
Result<void> makePartsDir(const QString &out, const Part &part);

// Whether `self` took the merge (on this run or an earlier one).
bool holdsMerge(const QString &out, const Part &part, const QUuid &self);

// The merge's part, or nothing to do: `Waiting` when parts are missing (another part merges
// when it completes the set), `Taken` when another part merges. The file of part `without` is
// not looked for (a part that has its own samples in memory).
enum class Claim { Waiting, Taken, Mine };
Claim claimMerge(const QString &out, const Part &part, const QUuid &self, int without = -1);

// Adds the sums of every part but `without` whose file is whole and made for this render
// (`printOf(index)`, its share of the samples) into `sum`; returns the indices of the others.
QList<int> addPartSums(const QString &dir, const Part &part, int samples,
    const std::function<QByteArray(int index)> &printOf, std::vector<float> &sum, int without = -1);

// After a failed merge: the folder goes back under its parts name, so that the part that was
// missing can complete the set when it is retried.
void releaseMerge(const QString &out, const Part &part, const QUuid &merger);

// After the picture is in place: the merging folder goes.
void finishMerge(const QString &out, const Part &part, const QUuid &merger);

// A part's job was removed (the whole render goes): its sums go, a merge it held goes, and the
// folder with the last part.
void discardPart(const QString &out, const Part &part, const QUuid &id);

} // namespace spool::render::split
