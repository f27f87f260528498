#pragma once

#include <memory>
#include <mutex>

#include "job/fileshelf.h"

namespace spool {

class JobStore;

// Where a runner keeps the files it fetched: "shared-files" beside the jobs' work folders.
QString sharedFilesDirFor(const QString &workRoot);

// The file shelf of a queue that spans machines: files go into the store in pieces, and come
// back into a cache folder on this machine, where they stay for the next job that reads them
// (the least recently used go once the folder holds more than `cacheBytes`).
class StoreFileShelf final : public FileShelf
{
public:
    static constexpr qint64 kDefaultCacheBytes = 4LL * 1024 * 1024 * 1024;

    StoreFileShelf(
        std::shared_ptr<JobStore> store, QString cacheDir, qint64 cacheBytes = kDefaultCacheBytes);

    Result<SharedFile> put(const QString &path) override;
    Result<QString> fetch(const SharedFile &file, const std::function<bool()> &stopped) override;
    Result<SharedFile> putNamed(const QString &name, const QString &path) override;
    Result<SharedFile> putBytes(const QByteArray &bytes) override;
    Result<void> nameFile(const QString &name, const SharedFile &file) override;
    Result<QByteArray> read(const SharedFile &file, const std::function<bool()> &stopped) override;
    Result<SharedFile> named(const QString &name) override;
    Result<void> forget(const QString &name) override;

private:
    // Unless the queue has it: the pieces of `shared` in order from `pieceAt` (an error stops
    // it), then the file is complete.
    Result<void> send(
        const SharedFile &shared, const std::function<Result<QByteArray>(int index)> &pieceAt);
    Result<QString> download(const SharedFile &file, const std::function<bool()> &stopped);
    // Each piece of `file` in turn to `sink` (false: stop with a storage error), checked against
    // its size and hash at the end.
    Result<void> receive(const SharedFile &file, const std::function<bool()> &stopped,
        const std::function<bool(const QByteArray &piece)> &sink);
    void trimCache(const QString &keep);

    const std::shared_ptr<JobStore> m_store;
    const QString m_cacheDir;
    const qint64 m_cacheBytes;
    std::mutex m_fetchMutex; // one download at a time: the parts of a render want the same files
};

} // namespace spool
