#include "storefileshelf.h"

#include <algorithm>

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include "store/jobstore.h"

namespace spool {

namespace {

// BLAKE2b: three times as fast as SHA-256 in Qt (24 MiB in 51 ms against 149 ms here), and the
// parts of a render store and fetch a picture's sums each.
constexpr auto kContentHash = QCryptographicHash::Blake2b_256;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool isContentHash(const QString &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
    });
}

// The file's content hash, its size, and a quick checksum of each piece: a piece read again to
// be sent must be the one hashed, or another machine storing the same content would find it
// spoiled (pieces are never replaced).
Result<QByteArray> hashOf(QFile &file, qint64 *size, QList<size_t> *pieceSums)
{
    QCryptographicHash hash(kContentHash);
    *size = 0;
    while (!file.atEnd()) {
        const QByteArray piece = file.read(JobStore::kSharedFilePiece);
        if (piece.isEmpty() && file.error() != QFileDevice::NoError)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
        hash.addData(piece);
        pieceSums->append(qHash(piece));
        *size += piece.size();
    }
    return hash.result();
}

Error changedWhileStored(const QString &path)
{
    return makeError(ErrorCode::InvalidInput,
        QStringLiteral("%1 changed while it was being stored in the queue; queue it again")
            .arg(path));
}

} // namespace

QString sharedFilesDirFor(const QString &workRoot)
{
    return QFileInfo(workRoot).dir().filePath(QStringLiteral("shared-files"));
}

StoreFileShelf::StoreFileShelf(std::shared_ptr<JobStore> store, QString cacheDir, qint64 cacheBytes)
    : m_store(std::move(store))
    , m_cacheDir(std::move(cacheDir))
    , m_cacheBytes(cacheBytes)
{ }

Result<SharedFile> StoreFileShelf::put(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    SharedFile shared;
    QList<size_t> pieceSums;
    auto hash = hashOf(file, &shared.size, &pieceSums);
    if (!hash)
        return hash.error();
    shared.hash = QString::fromLatin1(hash->toHex());
    // Read again, piece by piece into the queue: the file may have changed since it was hashed.
    if (!file.seek(0))
        return changedWhileStored(path);
    auto sent = send(shared, [&](int index) -> Result<QByteArray> {
        const QByteArray piece = file.read(JobStore::kSharedFilePiece);
        const bool last = index == pieceSums.size() - 1;
        if (piece.isEmpty() || index >= pieceSums.size() || qHash(piece) != pieceSums.at(index)
            || (last && !file.atEnd()))
            return changedWhileStored(path);
        return piece;
    });
    if (!sent)
        return sent.error();
    return shared;
}

Result<void> StoreFileShelf::send(
    const SharedFile &shared, const std::function<Result<QByteArray>(int index)> &pieceAt)
{
    auto known = m_store->touchSharedFile(shared.hash, nowMs());
    if (!known)
        return known.error();
    if (known.value())
        return {}; // stored before, by this render or another
    qint64 sent = 0;
    for (int index = 0; sent < shared.size; ++index) {
        auto piece = pieceAt(index);
        if (!piece)
            return piece.error();
        sent += piece->size();
        if (auto added = m_store->addSharedFilePiece(shared.hash, index, piece.value(), nowMs());
            !added)
            return added.error();
    }
    return m_store->completeSharedFile(shared, nowMs());
}

Result<SharedFile> StoreFileShelf::putNamed(const QString &name, const QString &path)
{
    auto shared = put(path);
    if (!shared)
        return shared;
    if (auto named = nameFile(name, shared.value()); !named)
        return named.error();
    return shared;
}

Result<SharedFile> StoreFileShelf::putBytes(const QByteArray &bytes)
{
    SharedFile shared;
    shared.size = bytes.size();
    shared.hash = QString::fromLatin1(QCryptographicHash::hash(bytes, kContentHash).toHex());
    auto sent = send(shared, [&bytes](int index) -> Result<QByteArray> {
        return bytes.mid(qint64(index) * JobStore::kSharedFilePiece, JobStore::kSharedFilePiece);
    });
    if (!sent)
        return sent.error();
    return shared;
}

Result<void> StoreFileShelf::nameFile(const QString &name, const SharedFile &file)
{
    return m_store->nameSharedFile(name, file, nowMs());
}

Result<SharedFile> StoreFileShelf::named(const QString &name)
{
    return m_store->sharedFileNamed(name);
}

Result<void> StoreFileShelf::forget(const QString &name)
{
    return m_store->forgetSharedFileName(name);
}

Result<QString> StoreFileShelf::fetch(const SharedFile &file, const std::function<bool()> &stopped)
{
    if (!isContentHash(file.hash) || file.size < 0)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' does not name a file of the queue").arg(file.hash.left(80)));
    const QString cached = QDir(m_cacheDir).filePath(file.hash);
    std::lock_guard lock(m_fetchMutex);
    if (QFileInfo(cached).size() == file.size && QFileInfo::exists(cached)) {
        // Used now: the last to go when the cache is trimmed.
        QFile(cached).setFileTime(
            QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
        return cached;
    }
    auto downloaded = download(file, stopped);
    if (downloaded)
        trimCache(cached);
    return downloaded;
}

Result<void> StoreFileShelf::receive(const SharedFile &file, const std::function<bool()> &stopped,
    const std::function<bool(const QByteArray &piece)> &sink)
{
    QCryptographicHash hash(kContentHash);
    qint64 received = 0;
    for (int index = 0; received < file.size; ++index) {
        if (stopped && stopped())
            return makeError(ErrorCode::InvalidState, QStringLiteral("stopped"));
        auto piece = m_store->sharedFilePiece(file.hash, index);
        if (!piece)
            return piece.error();
        if (piece->isEmpty() || received + piece->size() > file.size)
            break; // the size check below names it
        hash.addData(piece.value());
        received += piece->size();
        if (!sink(piece.value()))
            return makeError(
                ErrorCode::Storage, QStringLiteral("cannot keep file %1").arg(file.hash));
    }
    if (received != file.size || QString::fromLatin1(hash.result().toHex()) != file.hash)
        return makeError(ErrorCode::Corrupt,
            QStringLiteral("file %1 of the queue is damaged: its content does not match its hash")
                .arg(file.hash));
    return {};
}

Result<QString> StoreFileShelf::download(
    const SharedFile &file, const std::function<bool()> &stopped)
{
    if (!QDir().mkpath(m_cacheDir))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot create the folder %1").arg(m_cacheDir));
    const QString cached = QDir(m_cacheDir).filePath(file.hash);
    // Written beside its name and renamed into place: a reader never sees half a file.
    QSaveFile out(cached);
    const auto cannotWrite = [&] {
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write %1: %2").arg(cached, out.errorString()));
    };
    if (!out.open(QIODevice::WriteOnly))
        return cannotWrite();
    bool written = true;
    auto received = receive(file, stopped,
        [&](const QByteArray &piece) { return written = out.write(piece) == piece.size(); });
    if (!written)
        return cannotWrite();
    if (!received)
        return received.error();
    if (!out.commit())
        return cannotWrite();
    return cached;
}

Result<QByteArray> StoreFileShelf::read(
    const SharedFile &file, const std::function<bool()> &stopped)
{
    if (!isContentHash(file.hash) || file.size < 0)
        return makeError(ErrorCode::InvalidInput,
            QStringLiteral("'%1' does not name a file of the queue").arg(file.hash.left(80)));
    QByteArray content;
    content.reserve(file.size);
    auto received = receive(file, stopped, [&content](const QByteArray &piece) {
        content.append(piece);
        return true;
    });
    if (!received)
        return received.error();
    return content;
}

// Oldest first, until the folder fits. Jobs that read a file hold their own link to it, so a
// file may go while a job still reads it.
void StoreFileShelf::trimCache(const QString &keep)
{
    QFileInfoList files =
        QDir(m_cacheDir).entryInfoList(QDir::Files | QDir::NoDotAndDotDot, QDir::Time);
    qint64 total = 0;
    for (const QFileInfo &info : std::as_const(files))
        total += info.size();
    while (total > m_cacheBytes && !files.isEmpty()) {
        const QFileInfo oldest = files.takeLast();
        if (oldest.absoluteFilePath() == keep || !isContentHash(oldest.fileName()))
            continue;
        if (QFile::remove(oldest.absoluteFilePath()))
            total -= oldest.size();
    }
}

} // namespace spool
