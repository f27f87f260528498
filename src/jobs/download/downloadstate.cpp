#include "downloadstate.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include "util/atomicfile.h"

namespace spool {

namespace {
const QString kStateFile = QStringLiteral("download.json");
} // namespace

DownloadState DownloadState::load(const QString &workDir)
{
    QFile file(QDir(workDir).filePath(kStateFile));
    if (!file.open(QIODevice::ReadOnly))
        return DownloadState();
    return fromJson(QJsonDocument::fromJson(file.readAll()).object());
}

DownloadState DownloadState::fromJson(const QJsonObject &o)
{
    DownloadState state;
    state.temporaryPath = o.value(QStringLiteral("temporaryPath")).toString();
    state.finalPath = o.value(QStringLiteral("finalPath")).toString();
    state.etag = o.value(QStringLiteral("etag")).toString().toLatin1();
    state.lastModified = o.value(QStringLiteral("lastModified")).toString().toLatin1();
    state.totalBytes = o.value(QStringLiteral("totalBytes")).toInteger(-1);
    state.replacesOwnFile = o.value(QStringLiteral("replacesOwnFile")).toBool();
    state.nextPageUrl = o.value(QStringLiteral("nextPageUrl")).toString();
    state.pagesWritten = o.value(QStringLiteral("pagesWritten")).toInteger();
    state.committedBytes = o.value(QStringLiteral("committedBytes")).toInteger();
    // A damaged file is no state at all: the download starts over rather than seek to -1.
    if (state.totalBytes < -1 || state.pagesWritten < 0 || state.committedBytes < 0)
        return DownloadState();
    return state;
}

QJsonObject DownloadState::toJson() const
{
    return QJsonObject {
        { QStringLiteral("temporaryPath"), temporaryPath },
        { QStringLiteral("finalPath"), finalPath },
        { QStringLiteral("etag"), QString::fromLatin1(etag) },
        { QStringLiteral("lastModified"), QString::fromLatin1(lastModified) },
        { QStringLiteral("totalBytes"), totalBytes },
        { QStringLiteral("replacesOwnFile"), replacesOwnFile },
        { QStringLiteral("nextPageUrl"), nextPageUrl },
        { QStringLiteral("pagesWritten"), pagesWritten },
        { QStringLiteral("committedBytes"), committedBytes },
    };
}

bool DownloadState::save(const QString &workDir) const
{
    if (!QDir().mkpath(workDir))
        return false;
    return atomicfile::write(
        QDir(workDir).filePath(kStateFile), QJsonDocument(toJson()).toJson(QJsonDocument::Compact));
}

void DownloadState::erase(const QString &workDir)
{
    QFile::remove(QDir(workDir).filePath(kStateFile));
}

ValidatorCache::ValidatorCache(QString dataDir)
    : m_dir(QDir(dataDir).filePath(QStringLiteral("validators")))
{ }

// One small file per (URL, target): finding or storing one costs the same with 10 or 10,000.
QString ValidatorCache::fileFor(const QString &url, const QString &target) const
{
    const QByteArray key = QCryptographicHash::hash(
        (url + QLatin1Char('\n') + target).toUtf8(), QCryptographicHash::Sha1)
                               .toHex();
    return QDir(m_dir).filePath(QString::fromLatin1(key));
}

ValidatorCache::Entry ValidatorCache::find(const QString &url, const QString &target)
{
    QFile file(fileFor(url, target));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject o = QJsonDocument::fromJson(file.readAll()).object();
    if (o.value(QStringLiteral("url")).toString() != url
        || o.value(QStringLiteral("target")).toString() != target)
        return {};
    Entry e;
    e.path = o.value(QStringLiteral("path")).toString();
    e.etag = o.value(QStringLiteral("etag")).toString().toLatin1();
    e.lastModified = o.value(QStringLiteral("lastModified")).toString().toLatin1();
    e.size = o.value(QStringLiteral("size")).toInteger(-1);
    e.modifiedMs = o.value(QStringLiteral("modifiedMs")).toInteger();
    return e;
}

void ValidatorCache::store(const QString &url, const QString &target, const Entry &entry)
{
    const QJsonObject o { { QStringLiteral("url"), url }, { QStringLiteral("target"), target },
        { QStringLiteral("path"), entry.path },
        { QStringLiteral("etag"), QString::fromLatin1(entry.etag) },
        { QStringLiteral("lastModified"), QString::fromLatin1(entry.lastModified) },
        { QStringLiteral("size"), entry.size },
        { QStringLiteral("modifiedMs"), entry.modifiedMs } };
    // In place: a torn entry does not parse and reads as none (the file is fetched in full, never
    // taken for unchanged), and a rename a download was a cost worth saving.
    atomicfile::writeInPlaceMakingFolder(
        fileFor(url, target), QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace spool
