#pragma once

#include <vector>

#include <QByteArray>
#include <QString>

// A render's checkpoint, render.state in the job's work folder: the sums of the samples done so
// far, so that a paused or interrupted render resumes from its last finished pass. The file is
// read back only when it matches the render it is for (its fingerprint) in every byte.
namespace spool::render {

QString statePath(const QString &workDir);

// Keeps `accum` (samplesDone samples a pixel) for the render `print` stands for.
bool saveState(const QString &workDir, const QByteArray &print, int samplesDone,
    const std::vector<float> &accum, QString *error);

// The samples per pixel already in `accum`, or 0 when there is nothing (valid) to resume.
int loadState(const QString &workDir, const QByteArray &print, std::vector<float> &accum);

// The same, for a file anywhere: a part of a split render keeps its sums for the merge this way.
bool saveSums(const QString &path, const QByteArray &print, int samples,
    const std::vector<float> &sums, QString *error);
int loadSums(const QString &path, const QByteArray &print, std::vector<float> &sums);

// The same in memory: a part's samples go through a shared queue this way.
QByteArray sumsBytes(const QByteArray &print, int samples, const std::vector<float> &sums);
// Adds the sums in `bytes` to `sum` when they are `samples` samples a pixel of the render
// `print` stands for, of sum's size: then `samples`, else 0 and `sum` untouched.
int addSumsFromBytes(
    const QByteArray &bytes, const QByteArray &print, int samples, std::vector<float> &sum);

} // namespace spool::render
