#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace spool {

// What a download needs to pick up where an earlier attempt stopped (pause, crash, restart).
// Kept in the job's work directory; the bytes already received are the temporary file's size.
struct DownloadState
{
    QString temporaryPath; // in the target directory, renamed into place when complete
    QString finalPath; // the name decided from the first response
    QByteArray etag; // validators of the partial content, for If-Range
    QByteArray lastModified;
    qint64 totalBytes = -1;
    // The final path holds this URL's earlier download, unchanged when this one began: it is
    // replaced, not kept beside (an attempt resumed after a kill checks that again).
    bool replacesOwnFile = false;
    // Pagination: where the next page is, and how much of the output holds whole pages.
    QString nextPageUrl;
    qint64 pagesWritten = 0;
    qint64 committedBytes = 0;

    bool isEmpty() const { return temporaryPath.isEmpty(); }

    static DownloadState load(const QString &workDir);
    // The same fields as the file has, for a note kept elsewhere (a delivery's note).
    QJsonObject toJson() const;
    static DownloadState fromJson(const QJsonObject &o);
    // Atomic (write to a temporary file, then rename): a crash leaves the old or the new state.
    bool save(const QString &workDir) const;
    static void erase(const QString &workDir);
};

// The validators of files fetched before (ETag, Last-Modified), so that fetching the same URL to
// the same place again can ask "only if changed" and keep the file on 304 Not Modified.
class ValidatorCache final
{
public:
    struct Entry
    {
        QString path;
        QByteArray etag;
        QByteArray lastModified;
        qint64 size = -1;
        qint64 modifiedMs = 0; // the file's mtime when we wrote it: unchanged since?

        bool isValid() const { return !path.isEmpty(); }
    };

    explicit ValidatorCache(QString dataDir);
    // For the URL fetched to `target` (a file, or a directory for a derived name).
    Entry find(const QString &url, const QString &target);
    void store(const QString &url, const QString &target, const Entry &entry);

private:
    QString fileFor(const QString &url, const QString &target) const;

    QString m_dir;
};

} // namespace spool
