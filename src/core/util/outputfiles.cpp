#include "util/outputfiles.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include "util/atomicfile.h"

namespace spool::outputfiles {

QString temporaryPathFor(const QString &finalPath, const QString &jobTag)
{
    // The temporary name must fit wherever the final one does: a long final name is shortened
    // in it (the job's tag keeps it unique), never the other way round.
    const QFileInfo info(finalPath);
    const QString decoration = QStringLiteral(".spool-%1.part").arg(jobTag);
    QString name = info.fileName();
    const qsizetype room = kMaxNameBytes - 1 - QFile::encodeName(decoration).size();
    while (!name.isEmpty() && QFile::encodeName(name).size() > room)
        name.chop(1);
    if (!name.isEmpty() && name.back().isHighSurrogate())
        name.chop(1);
    return info.dir().filePath(QLatin1Char('.') + name + decoration);
}

namespace {

// Why a file that should be in `folder` is not there: the folder went, or the file did.
Error goneWhileRunning(const QString &file)
{
    const QString folder = QFileInfo(file).absolutePath();
    if (!QFileInfo(folder).isDir())
        return makeError(ErrorCode::Storage,
            QStringLiteral("the folder %1 was removed while the job ran").arg(folder));
    return makeError(
        ErrorCode::Storage, QStringLiteral("%1 was removed while the job ran").arg(file));
}

constexpr int kMaxCandidates = 10000;

// The names moveIntoPlace() tries for `desiredPath`, in order: "name.ext", "name (1).ext"...
QString candidateName(const QString &desiredPath, int n)
{
    if (n == 0)
        return desiredPath;
    const QFileInfo desired(desiredPath);
    const QString suffix =
        desired.suffix().isEmpty() ? QString() : QLatin1Char('.') + desired.suffix();
    return desired.dir().filePath(
        QStringLiteral("%1 (%2)%3").arg(desired.completeBaseName()).arg(n).arg(suffix));
}

// Which file a path names: a rename keeps it, a new file at the name (or a rewrite) does not.
// The modification time, to the nanosecond, tells a file from a later one given a freed inode.
struct Identity
{
    qint64 device = -1;
    qint64 inode = -1;
    qint64 size = -1;
    qint64 modifiedNs = -1;

    bool isValid() const { return inode >= 0; }
    bool operator==(const Identity &) const = default;
};

Identity identityOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return {};
    return { qint64(st.st_dev), qint64(st.st_ino), qint64(st.st_size),
        qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec };
}

// Beside the job's work folder, not in it: a job that keeps nothing else there makes no folder
// (a mkdir, and a rmdir when the job is released, for each small download).
QString notePath(const QString &workDir)
{
    return QDir::cleanPath(workDir) + QStringLiteral(".delivery.json");
}

// Where the note was kept before (in the folder): read for a job an older build left there.
QString notePathInFolder(const QString &workDir)
{
    return QDir(workDir).filePath(QStringLiteral("delivery.json"));
}

// Written in place, not beside and renamed: nothing moves before the note is whole, and a note
// torn by a kill does not parse, so the next attempt reads it as none, as if killed before it.
// A rename fewer per small download: about 2% of its CPU on a new ext4.
Result<void> writeNote(const QString &workDir, const QJsonObject &note)
{
    QString why;
    if (!atomicfile::writeInPlaceMakingFolder(
            notePath(workDir), QJsonDocument(note).toJson(QJsonDocument::Compact), &why))
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write in the job's folder %1: %2").arg(workDir, why));
    return {};
}

// rename(2), which replaces what is at `path` (QFile::rename refuses to).
Result<QString> replaceWith(const QString &from, const QString &path)
{
    if (std::rename(QFile::encodeName(from).constData(), QFile::encodeName(path).constData()) != 0)
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot replace %1: %2")
                .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    return path;
}

// What deliver() notes before it moves `from`: where from, where to, and which file it is.
Result<QJsonObject> deliveryNote(
    const QString &from, const QString &desiredPath, const QJsonObject &extra)
{
    const Identity moving = identityOf(from);
    if (!moving.isValid())
        return goneWhileRunning(from);
    // The nanoseconds as a string: JSON numbers are doubles, exact only to 2^53.
    QJsonObject note { { QStringLiteral("from"), from }, { QStringLiteral("desired"), desiredPath },
        { QStringLiteral("device"), moving.device }, { QStringLiteral("inode"), moving.inode },
        { QStringLiteral("size"), moving.size },
        { QStringLiteral("modifiedNs"), QString::number(moving.modifiedNs) } };
    if (!extra.isEmpty())
        note.insert(QStringLiteral("extra"), extra);
    return note;
}

// The identity of the file a note of deliver() is about.
Identity noteIdentity(const QJsonObject &note)
{
    return { note.value(QStringLiteral("device")).toInteger(-1),
        note.value(QStringLiteral("inode")).toInteger(-1),
        note.value(QStringLiteral("size")).toInteger(-1),
        note.value(QStringLiteral("modifiedNs")).toString().toLongLong() };
}

// The file a note of deliver() names, if it is there as it was moved.
QString deliveredFile(const QJsonObject &note)
{
    const Identity moved = noteIdentity(note);
    const QString desired = note.value(QStringLiteral("desired")).toString();
    if (!moved.isValid() || desired.isEmpty())
        return {};
    const QString path = note.value(QStringLiteral("path")).toString();
    if (!path.isEmpty() && identityOf(path) == moved)
        return path;
    if (identityOf(note.value(QStringLiteral("from")).toString()) == moved)
        return {}; // killed before the rename: the file waits where it was written
    // Killed after the rename and before its path was noted: it took one of these names. Each
    // is looked at, as the user may have removed one the rename passed over.
    for (int n = 0; n < kMaxCandidates; ++n) {
        const QString candidate = candidateName(desired, n);
        if (identityOf(candidate) == moved)
            return candidate;
    }
    return {};
}

} // namespace

namespace {

// What renameNoReplace() found.
enum class Renamed { Done, NameTaken, Unsupported, Failed };

// rename(2) that refuses to replace a file at `to` (renameat2 RENAME_NOREPLACE): the file system
// decides atomically, so no file appearing meanwhile is lost. Unsupported where the file system
// cannot say (some network and FUSE ones).
Renamed renameNoReplace(const QByteArray &from, const QByteArray &to, int *error)
{
    if (::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE) == 0)
        return Renamed::Done;
    *error = errno;
    if (*error == EEXIST)
        return Renamed::NameTaken;
    if (*error == EINVAL || *error == ENOSYS)
        return Renamed::Unsupported;
    return Renamed::Failed;
}

// moveIntoPlace() where renameat2 cannot refuse to replace: looks before each rename.
Result<QString> moveIntoPlaceLooking(const QString &from, const QString &desiredPath)
{
    if (!QFileInfo::exists(from))
        return goneWhileRunning(from);
    for (int n = 0; n < kMaxCandidates; ++n) {
        const QString candidate = candidateName(desiredPath, n);
        if (QFileInfo::exists(candidate))
            continue;
        // QFile::rename refuses to replace an existing file (renameat2 RENAME_NOREPLACE on
        // Linux), so a file appearing between the check and the rename is not lost either.
        QFile file(from);
        if (file.rename(candidate))
            return candidate;
        if (!QFileInfo::exists(candidate))
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot move %1 to %2: %3")
                    .arg(from, candidate, file.errorString()));
    }
    return makeError(ErrorCode::Storage, QStringLiteral("no free name for %1").arg(desiredPath));
}

} // namespace

Result<QString> moveIntoPlace(const QString &from, const QString &desiredPath)
{
    // One system call a name tried: looking before each rename cost four for each small
    // download (bench/bench_download.sh).
    const QByteArray source = QFile::encodeName(from);
    for (int n = 0; n < kMaxCandidates; ++n) {
        const QString candidate = candidateName(desiredPath, n);
        int error = 0;
        switch (renameNoReplace(source, QFile::encodeName(candidate), &error)) {
        case Renamed::Done:
            return candidate;
        case Renamed::NameTaken:
            continue;
        case Renamed::Unsupported:
            return moveIntoPlaceLooking(from, desiredPath);
        case Renamed::Failed:
            if (error == ENOENT) // the file, or the folder, went
                return goneWhileRunning(from);
            return makeError(ErrorCode::Storage,
                QStringLiteral("cannot move %1 to %2: %3")
                    .arg(from, candidate, QString::fromLocal8Bit(std::strerror(error))));
        }
    }
    return makeError(ErrorCode::Storage, QStringLiteral("no free name for %1").arg(desiredPath));
}

Result<void> noteDelivery(const QString &from, const QString &desiredPath, const QString &workDir,
    const QJsonObject &extra)
{
    auto note = deliveryNote(from, desiredPath, extra);
    if (!note)
        return note.error();
    return writeNote(workDir, note.value());
}

Result<QString> deliver(const QString &from, const QString &desiredPath, const QString &workDir,
    Existing existing, const QJsonObject &extra)
{
    auto note = deliveryNote(from, desiredPath, extra);
    if (!note)
        return note.error();
    if (auto written = writeNote(workDir, note.value()); !written)
        return written.error();
    auto moved = existing == Existing::Kept ? moveIntoPlace(from, desiredPath)
                                            : replaceWith(from, desiredPath);
    if (!moved) {
        QFile::remove(notePath(workDir)); // of no file: the next attempt writes its own
        return moved;
    }
    // Where it went is not written down: a next attempt (only after a kill) looks at the names
    // the rename could have taken. A second write per job cost more than that rare look.
    return moved;
}

QString deliveredBefore(const QString &workDir, QJsonObject *extra)
{
    QFile file(notePath(workDir));
    if (!file.open(QIODevice::ReadOnly)) {
        file.setFileName(notePathInFolder(workDir));
        if (!file.open(QIODevice::ReadOnly))
            return {};
    }
    const QJsonObject note = QJsonDocument::fromJson(file.readAll()).object();
    file.close();
    const QString found = deliveredFile(note);
    // The rename never happened: the file still waits, and the note's extra lets the next
    // attempt finish it rather than start over.
    const bool waiting = found.isEmpty() && noteIdentity(note).isValid()
        && identityOf(note.value(QStringLiteral("from")).toString()) == noteIdentity(note);
    if (extra && (!found.isEmpty() || waiting))
        *extra = note.value(QStringLiteral("extra")).toObject();
    // A note that leads nowhere is of no use to any later attempt, and could only mislead one.
    if (found.isEmpty())
        QFile::remove(file.fileName());
    return found;
}

void forgetDelivery(const QString &workDir)
{
    // Plain unlink(): it runs for every job that ends, and almost always finds nothing. Through
    // QFile, the two looked up a file engine each and were most of a no-op job's time on its
    // worker thread (perf, bench_lifecycle).
    const QByteArray note = QFile::encodeName(notePath(workDir));
    ::unlink(note.constData());
    // What an older build's attempt killed while writing it left (the file it wrote beside it).
    ::unlink((note + ".new").constData());
}

Result<void> openForWriting(QFile &file, QIODevice::OpenMode mode)
{
    int flags =
        O_CREAT | O_CLOEXEC | O_NOFOLLOW | (mode.testFlag(QIODevice::ReadOnly) ? O_RDWR : O_WRONLY);
    if (mode.testFlag(QIODevice::Append))
        flags |= O_APPEND;
    if (mode.testFlag(QIODevice::Truncate))
        flags |= O_TRUNC;
    const int fd = ::open(QFile::encodeName(file.fileName()).constData(), flags, 0666);
    if (fd < 0) {
        const int error = errno;
        if (error == ENOENT && !QFileInfo(QFileInfo(file.fileName()).absolutePath()).isDir())
            return makeError(ErrorCode::Storage,
                QStringLiteral("the folder %1 does not exist (any more)")
                    .arg(QFileInfo(file.fileName()).absolutePath()));
        if (error == ELOOP)
            return makeError(ErrorCode::InvalidInput,
                QStringLiteral("%1 is a symbolic link: Spool does not write through links it "
                               "did not make")
                    .arg(file.fileName()));
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write %1: %2")
                .arg(file.fileName(), QString::fromLocal8Bit(std::strerror(error))));
    }
    if (!file.open(fd, mode, QFileDevice::AutoCloseHandle)) {
        ::close(fd);
        return makeError(ErrorCode::Storage,
            QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    }
    return {};
}

Result<void> writeAll(QFile &file, const QString &path, const char *data, qint64 size)
{
    if (atomicfile::writeFully(file.handle(), data, size))
        return {};
    const int error = errno;
    return makeError(ErrorCode::Storage,
        QStringLiteral("cannot write %1: %2")
            .arg(path, QString::fromLocal8Bit(std::strerror(error))));
}

} // namespace spool::outputfiles
