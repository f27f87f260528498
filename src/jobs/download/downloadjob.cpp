#include "downloadjob.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include "downloadstate.h"
#include "filenames.h"
#include "httpfetch.h"
#include "httpheaders.h"
#include "secretstore.h"
#include "util/outputfiles.h"

namespace spool {

namespace {

const QString kLostTheJob = QStringLiteral("another runner has taken this job over");

constexpr qint64 kMaxPages = 10000; // a sane end for a chain that never says "last"
constexpr qint64 kResumableBytes = 1 << 20;
constexpr qint64 kHashChunk = 1 << 20;

struct Params
{
    QUrl url;
    QString out; // a file, or an existing directory
    QString dir; // where a derived name goes when there is no `out`
    QString name; // the file name in `dir`, instead of the server's
    QByteArray sha256;
    QList<QPair<QByteArray, QByteArray>> headers;
    QList<QPair<QByteArray, QByteArray>> credentials; // only for the origin of `url`
    bool locationTrusted = false; // the user's opt-in: credentials follow redirects anywhere
    QByteArray method;
    QByteArray body;
    QString paginate; // "", "link" or "json:FIELD"
    qint64 maxBytes = -1;
    int timeoutMs = 30000;
};

QPair<QByteArray, QByteArray> splitHeader(const QString &line)
{
    const qsizetype colon = line.indexOf(QLatin1Char(':'));
    return { line.left(colon).trimmed().toLatin1(), line.mid(colon + 1).trimmed().toUtf8() };
}

Result<Params> readParams(const QJsonObject &o, const DownloadSettings &settings)
{
    Params p;
    p.url = QUrl(o.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    p.out = o.value(QStringLiteral("out")).toString();
    p.dir = o.value(QStringLiteral("dir")).toString();
    p.name = o.value(QStringLiteral("name")).toString();
    if (p.out.isEmpty() && p.dir.isEmpty())
        p.dir = settings.downloadDir;
    p.sha256 = o.value(QStringLiteral("sha256")).toString().toLower().toLatin1();
    for (const QJsonValue &h : o.value(QStringLiteral("header")).toArray()) {
        const auto header = splitHeader(h.toString());
        (http::isSensitiveHeader(header.first) ? p.credentials : p.headers).append(header);
    }
    p.locationTrusted = o.value(QStringLiteral("locationTrusted")).toBool();
    const QJsonArray secrets = o.value(QStringLiteral("secretHeaders")).toArray();
    if (!secrets.isEmpty()) {
        SecretStore store(settings.dataDir);
        for (const QJsonValue &h : secrets) {
            const auto [name, reference] = splitHeader(h.toString());
            auto secret = store.get(QString::fromUtf8(reference));
            if (!secret)
                return makeError(ErrorCode::InvalidInput,
                    QStringLiteral("the %1 header's secret is gone: %2")
                        .arg(QString::fromLatin1(name), secret.error().message));
            p.credentials.append({ name, secret.value() }); // marked secret: a credential
        }
    }
    p.method =
        o.value(QStringLiteral("method")).toString(QStringLiteral("GET")).toUpper().toLatin1();
    p.body = o.value(QStringLiteral("data")).toString().toUtf8();
    p.paginate = o.value(QStringLiteral("paginate")).toString();
    p.maxBytes =
        qMin(settings.maxBytes, o.value(QStringLiteral("maxBytes")).toInteger(settings.maxBytes));
    p.timeoutMs = int(o.value(QStringLiteral("timeoutMs")).toInteger(settings.transferTimeoutMs));
    return p;
}

// A file's size and modification time from one stat(). QFileInfo::lastModified() is local time,
// and turning it into milliseconds reads the time zone files each time: per download, that was
// five stat()s of /etc/localtime.
struct FileStamp
{
    bool isFile = false;
    qint64 size = -1;
    qint64 modifiedMs = -1;
};

FileStamp stampOf(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return {};
    return { S_ISREG(st.st_mode), qint64(st.st_size),
        qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000 };
}

QString statusText(const FetchHead &head)
{
    QString text = QStringLiteral("HTTP %1").arg(head.status);
    if (!head.reason.isEmpty())
        text += QLatin1Char(' ') + QString::fromLatin1(head.reason);
    return text;
}

// How a fetch that did not deliver a usable body ends the attempt: which failures are worth
// a retry, and when the server said to come back.
JobResult failureFor(const FetchResult &r)
{
    switch (r.end) {
    case FetchEnd::Stopped:
        return JobResult::stopped();
    case FetchEnd::TooLarge:
        return JobResult::failure(r.errorText, false);
    case FetchEnd::Refused:
        return JobResult::failure(r.errorText);
    case FetchEnd::NetworkError:
        switch (r.error) {
        case QNetworkReply::SslHandshakeFailedError:
            return JobResult::failure(QStringLiteral("TLS: %1").arg(r.errorText), false);
        case QNetworkReply::TooManyRedirectsError:
        case QNetworkReply::InsecureRedirectError:
        case QNetworkReply::ProtocolUnknownError:
        case QNetworkReply::ProtocolInvalidOperationError:
            return JobResult::failure(r.errorText, false);
        case QNetworkReply::OperationCanceledError:
            return JobResult::failure(QStringLiteral("timed out: %1").arg(r.errorText));
        default:
            // Refused, reset, closed early (a truncated body), DNS hiccups: worth another go.
            return JobResult::failure(
                r.errorText.isEmpty() ? QStringLiteral("network error") : r.errorText);
        }
    case FetchEnd::Finished:
    case FetchEnd::Invalid:
        break;
    }
    const int status = r.head.status;
    QString text = statusText(r.head);
    const QByteArray detail = r.errorBody.simplified().left(200);
    if (!detail.isEmpty() && detail.size() < 200)
        text += QStringLiteral(": ") + QString::fromUtf8(detail);
    if (status == 429 || status == 503) {
        JobResult result = JobResult::failure(text);
        result.retryAfterMs =
            http::retryAfterMs(r.head.header("Retry-After"), QDateTime::currentMSecsSinceEpoch());
        // Back off this host, not the whole queue.
        result.holdHost = result.retryAfterMs >= 0;
        return result;
    }
    if (status == 408 || status >= 500)
        return JobResult::failure(text);
    if (status >= 300 && status < 400) {
        // A redirect the client would not follow (Qt does not follow one to another scheme).
        const QUrl target =
            r.head.url.resolved(QUrl(QString::fromLatin1(r.head.header("Location"))));
        const QString scheme = target.scheme().toLower();
        const bool web = scheme == QLatin1String("http") || scheme == QLatin1String("https");
        return JobResult::failure(
            QStringLiteral("%1: redirected to %2, %3")
                .arg(statusText(r.head), target.toDisplayString(),
                    web ? QStringLiteral("which was not followed")
                        : QStringLiteral("which is not an http or https URL")),
            false);
    }
    if (status < 200)
        return JobResult::failure(
            QStringLiteral("%1: not a final response").arg(statusText(r.head)), false);
    return JobResult::failure(text, false);
}

Result<QByteArray> sha256Of(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(
            ErrorCode::Storage, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    while (!file.atEnd())
        hash.addData(file.read(kHashChunk));
    return hash.result().toHex();
}

// An ETag that may be used in If-Range: weak ones (W/"...") may not.
QByteArray strongValidator(const QByteArray &etag, const QByteArray &lastModified)
{
    if (!etag.isEmpty() && !etag.startsWith("W/"))
        return etag;
    return lastModified;
}

QString jobTag(const JobContext &context)
{
    return idString(context.id()).left(8);
}

class Download
{
public:
    Download(JobContext &context, const DownloadSettings &settings, Params params)
        : m_context(context)
        , m_settings(settings)
        , m_params(std::move(params))
        , m_workDir(context.workDir())
        , m_state(DownloadState::load(m_workDir))
    { }

    JobResult run()
    {
        // An earlier attempt moved the file into place and was killed before the queue heard.
        QJsonObject noted;
        if (const QString output = outputfiles::deliveredBefore(m_workDir, &noted);
            !output.isEmpty()) {
            if (!noted.isEmpty())
                m_state = DownloadState::fromJson(noted);
            return delivered(output);
        }
        // Killed before the rename: the note's state finishes the whole temporary file (a small
        // download saves no state file of its own).
        if (m_state.isEmpty() && !noted.isEmpty())
            m_state = DownloadState::fromJson(noted);
        return m_params.paginate.isEmpty() ? fetchFile() : fetchPages();
    }

private:
    QString target() const { return m_params.out.isEmpty() ? m_params.dir : m_params.out; }

    // The file this job writes when that is known before the server answers (--out FILE, or a
    // --name in the folder); empty when the name comes from the response.
    QString knownFinalPath() const
    {
        if (!m_params.out.isEmpty() && !QFileInfo(m_params.out).isDir())
            return m_params.out;
        if (m_params.name.isEmpty())
            return QString();
        return QDir(target()).filePath(m_params.name);
    }

    // What the validators of an earlier download are kept under: its URL and the file it wrote,
    // or the folder when the server chose the name. Two names in one folder are two entries.
    QString validatorTarget() const
    {
        const QString known = knownFinalPath();
        return known.isEmpty() ? target() : known;
    }

    // Whether `previous` may stand for this job's output: it is the file this job would write,
    // unchanged since that download. A 304 proves only that the server's bytes did not change;
    // it says nothing of a file at another name.
    bool holdsOurOutput(const ValidatorCache::Entry &previous) const
    {
        if (!previous.isValid())
            return false;
        const FileStamp stamp = stampOf(previous.path);
        if (!stamp.isFile || stamp.size != previous.size || stamp.modifiedMs != previous.modifiedMs)
            return false;
        const QFileInfo existing(previous.path);
        const QString known = knownFinalPath();
        if (known.isEmpty()) // a name from the response: the file must be in this job's folder
            return existing.absolutePath() == QFileInfo(target()).absoluteFilePath();
        return existing.absoluteFilePath() == QFileInfo(known).absoluteFilePath();
    }

    // The final path, from --out or from what the server proposes.
    QString decideFinalPath(const FetchHead &head) const
    {
        QString dir = m_params.dir;
        if (!m_params.out.isEmpty()) {
            if (!QFileInfo(m_params.out).isDir())
                return m_params.out;
            dir = m_params.out;
        }
        QString name = m_params.name;
        if (name.isEmpty())
            name = filenames::sanitize(
                http::contentDispositionFileName(head.header("Content-Disposition")));
        if (name.isEmpty())
            name = filenames::fromUrl(head.url.isValid() ? head.url : m_params.url);
        return QDir(dir).filePath(name);
    }

    JobResult fetchFile()
    {
        qint64 have = 0;
        if (!m_state.isEmpty()) {
            const QFileInfo part(m_state.temporaryPath);
            if (part.exists())
                have = part.size();
            else
                m_state = DownloadState(); // the partial file is gone: start over
        }
        FetchRequest request = baseRequest();
        request.identityEncoding = true;
        const QByteArray validator = strongValidator(m_state.etag, m_state.lastModified);
        if (have > 0 && !validator.isEmpty()) {
            request.resumeFrom = have;
            request.ifRange = validator;
            m_context.log(QStringLiteral("resuming at byte %1").arg(have));
        } else {
            have = 0;
        }

        // Fetching the same URL to the same place again: "only if changed".
        ValidatorCache cache(m_settings.dataDir);
        ValidatorCache::Entry previous;
        if (m_state.isEmpty() && request.method == "GET") {
            previous = cache.find(m_params.url.toString(), validatorTarget());
            if (holdsOurOutput(previous)) {
                request.ifNoneMatch = previous.etag;
                request.ifModifiedSince = previous.lastModified;
            } else {
                previous = ValidatorCache::Entry();
            }
        }

        m_context.setProgressUnit(units::Bytes);
        QFile part;
        qint64 total = -1;
        const auto onHead = [&](const FetchHead &head, QString *why) {
            const bool startOver = request.resumeFrom > 0 && head.status != 206;
            if (head.status == 206 && head.rangeStart != request.resumeFrom) {
                *why = QStringLiteral("the server sent bytes from %1, not %2")
                           .arg(head.rangeStart)
                           .arg(request.resumeFrom);
                discardPartial();
                return false;
            }
            if (startOver) {
                m_context.log(
                    QStringLiteral("the server cannot resume (answered %1): starting over")
                        .arg(statusText(head)));
                have = 0;
            }
            if (m_state.finalPath.isEmpty())
                m_state.finalPath = decideFinalPath(head);
            if (previous.isValid() && previous.path == m_state.finalPath)
                m_state.replacesOwnFile = true;
            const qsizetype nameBytes =
                QFile::encodeName(QFileInfo(m_state.finalPath).fileName()).size();
            if (nameBytes > outputfiles::kMaxNameBytes) {
                *why =
                    QStringLiteral("the file name is %1 bytes long; file systems take at most %2")
                        .arg(nameBytes)
                        .arg(outputfiles::kMaxNameBytes);
                m_permanentRefusal = true; // another attempt would fail the same way
                return false;
            }
            if (m_state.temporaryPath.isEmpty())
                m_state.temporaryPath =
                    outputfiles::temporaryPathFor(m_state.finalPath, jobTag(m_context));
            const QByteArray encoding = head.header("Content-Encoding").trimmed().toLower();
            if (!encoding.isEmpty() && encoding != "identity")
                m_context.log(QStringLiteral("the server sent %1-encoded bytes though Spool asked "
                                             "for none: they are saved as sent")
                                  .arg(QString::fromLatin1(encoding)));
            m_state.etag = head.header("ETag");
            m_state.lastModified = head.header("Last-Modified");
            m_state.totalBytes = head.totalBytes;
            total = head.totalBytes;
            // What it takes to resume, saved before the first byte: worth it for a large (or
            // unknown) size. A small download just starts over, and discard() finds its partial
            // file by the job's tag.
            const bool worthResuming = total < 0 || total - have > kResumableBytes;
            if (worthResuming && !m_state.save(m_workDir)) {
                *why = QStringLiteral("cannot save the download's state in %1").arg(m_workDir);
                return false;
            }
            part.setFileName(m_state.temporaryPath);
            // Unbuffered: each chunk reaches the file as it is checked, and nothing is left in
            // a buffer for close() to write after the lease was lost.
            const QIODevice::OpenMode mode = QIODevice::Unbuffered
                | (have > 0 ? QIODevice::WriteOnly | QIODevice::Append
                            : QIODevice::WriteOnly | QIODevice::Truncate);
            if (!m_context.holdsLease()) {
                *why = kLostTheJob;
                return false;
            }
            auto opened = outputfiles::openForWriting(part, mode);
            // The folder is made when the file cannot be opened for want of it, not before each
            // download: a mkdir that finds it there, and a stat, for each small one.
            const QString folder = QFileInfo(m_state.temporaryPath).absolutePath();
            if (!opened && !QFileInfo(folder).isDir()) {
                if (!QDir().mkpath(folder)) {
                    *why = QStringLiteral("cannot create the folder of %1").arg(m_state.finalPath);
                    return false;
                }
                opened = outputfiles::openForWriting(part, mode);
            }
            if (!opened) {
                *why = opened.error().message;
                return false;
            }
            m_context.setProgress(have, total);
            return true;
        };
        const auto onData = [&](const char *data, qint64 size, QString *why) {
            // A runner frozen past its lease may wake with bytes in its socket while another
            // runner writes this file (or has renamed it into place): it writes none of them.
            if (!m_context.holdsLease()) {
                *why = kLostTheJob;
                return false;
            }
            if (auto written = outputfiles::writeAll(part, m_state.temporaryPath, data, size);
                !written) {
                *why = written.error().message;
                return false;
            }
            have += size;
            m_context.setProgress(have, total);
            return true;
        };
        const FetchResult fetched =
            HttpFetch::run(HttpFetch::threadNetwork(), request, m_context, onHead, onData);
        noteWithheldCredentials(fetched);
        const bool written = !part.isOpen() || part.flush();
        part.close();

        if (fetched.end == FetchEnd::Finished && fetched.head.status == 304 && previous.isValid()) {
            if (!m_context.holdsLease())
                return JobResult::failure(kLostTheJob, false);
            // Checked again: the file may have gone or changed while the request was out.
            if (!holdsOurOutput(previous))
                return JobResult::failure(
                    QStringLiteral("%1 changed while it was checked; fetching it again")
                        .arg(previous.path));
            // Done is the file's size, as for a transfer: "0 of unknown" would say nothing.
            const qint64 size = QFileInfo(previous.path).size();
            m_context.setProgressUnit(units::Bytes);
            m_context.setProgress(size, size);
            m_context.log(kNotModifiedNote);
            DownloadState::erase(m_workDir);
            return JobResult::success(previous.path);
        }
        if (fetched.end == FetchEnd::Finished && fetched.head.status == 416
            && request.resumeFrom > 0) {
            // Nothing left to send: the partial file may already be whole (a crash before the
            // rename). Otherwise start over on the next attempt.
            if (m_state.totalBytes == have)
                return finishFile(previous);
            discardPartial();
            return JobResult::failure(
                QStringLiteral("the server cannot continue this download; starting over"));
        }
        if (fetched.end == FetchEnd::Refused && m_permanentRefusal)
            return JobResult::failure(fetched.errorText, false);
        if (fetched.end != FetchEnd::Finished || !fetched.head.isSuccess())
            return failureFor(fetched);
        if (!written)
            return JobResult::failure(QStringLiteral("cannot write %1: %2")
                                          .arg(m_state.temporaryPath, part.errorString()));
        if (total >= 0 && have != total)
            return JobResult::failure(
                QStringLiteral("the response ended after %1 of %2 bytes").arg(have).arg(total));
        if (m_state.temporaryPath.isEmpty())
            return JobResult::failure(QStringLiteral("the server sent no body"), false);
        return finishFile(previous);
    }

    JobResult finishFile(const ValidatorCache::Entry &previous)
    {
        if (!m_context.holdsLease())
            return JobResult::failure(kLostTheJob, false);
        if (!m_params.sha256.isEmpty()) {
            auto actual = sha256Of(m_state.temporaryPath);
            if (!actual)
                return JobResult::failure(actual.error().message);
            if (actual.value() != m_params.sha256) {
                discardPartial();
                return JobResult::failure(QStringLiteral("SHA-256 mismatch: expected %1, got %2")
                                              .arg(QString::fromLatin1(m_params.sha256),
                                                  QString::fromLatin1(actual.value())),
                    false);
            }
        }
        const bool replacing = replacesOwnFile(previous);
        m_state.replacesOwnFile = replacing;
        // The validators and the decision go in the delivery's note, for the next attempt should
        // this one be killed about the rename (a small download saved no state before): it
        // stores the one and keeps to the other.
        auto moved = outputfiles::deliver(m_state.temporaryPath, m_state.finalPath, m_workDir,
            replacing ? outputfiles::Existing::Replaced : outputfiles::Existing::Kept,
            m_state.toJson());
        if (!moved)
            return JobResult::failure(moved.error().message);
        return delivered(moved.value());
    }

    // Whether the file goes over this URL's earlier download at the same path (a newer version
    // of a file Spool wrote, unchanged since), rather than beside it. `previous` is that download
    // as this attempt found it; an attempt resumed from saved state looks it up again.
    bool replacesOwnFile(const ValidatorCache::Entry &previous) const
    {
        if (previous.isValid())
            return previous.path == m_state.finalPath;
        if (!m_state.replacesOwnFile)
            return false;
        const ValidatorCache::Entry own =
            ValidatorCache(m_settings.dataDir).find(m_params.url.toString(), validatorTarget());
        return holdsOurOutput(own) && own.path == m_state.finalPath;
    }

    // The file is in place: what follows, in the attempt that moved it or in the next one if that
    // was killed first.
    JobResult delivered(const QString &output)
    {
        if (!m_state.etag.isEmpty() || !m_state.lastModified.isEmpty()) {
            const FileStamp written = stampOf(output);
            ValidatorCache(m_settings.dataDir)
                .store(m_params.url.toString(), validatorTarget(),
                    { output, m_state.etag, m_state.lastModified, written.size,
                        written.modifiedMs });
        }
        DownloadState::erase(m_workDir);
        return JobResult::success(output);
    }

    JobResult fetchPages()
    {
        m_context.setProgressUnit(QStringLiteral("pages"));
        if (m_state.isEmpty()) {
            QString finalPath = m_params.out;
            if (finalPath.isEmpty() || QFileInfo(finalPath).isDir()) {
                const QString dir = finalPath.isEmpty() ? m_params.dir : finalPath;
                QString name =
                    m_params.name.isEmpty() ? filenames::fromUrl(m_params.url) : m_params.name;
                if (!name.endsWith(QLatin1String(".jsonl")))
                    name += QStringLiteral(".jsonl");
                finalPath = QDir(dir).filePath(name);
            }
            m_state.finalPath = finalPath;
            m_state.temporaryPath = outputfiles::temporaryPathFor(finalPath, jobTag(m_context));
            m_state.nextPageUrl = m_params.url.toString();
            if (!QDir().mkpath(QFileInfo(finalPath).absolutePath()) || !m_state.save(m_workDir))
                return JobResult::failure(
                    QStringLiteral("cannot prepare %1").arg(finalPath), false);
        } else {
            m_context.log(QStringLiteral("resuming after page %1").arg(m_state.pagesWritten));
        }
        QFile output(m_state.temporaryPath);
        if (auto opened =
                outputfiles::openForWriting(output, QIODevice::ReadWrite | QIODevice::Unbuffered);
            !opened)
            return JobResult::failure(
                opened.error().message, opened.error().code != ErrorCode::InvalidInput);
        // Whatever follows the last whole page was cut off by a crash: drop it.
        // On the descriptor itself: writeAll() writes there, at its position.
        if (::ftruncate(output.handle(), m_state.committedBytes) != 0
            || ::lseek(output.handle(), m_state.committedBytes, SEEK_SET) < 0)
            return JobResult::failure(
                QStringLiteral("cannot write %1: %2")
                    .arg(m_state.temporaryPath, QString::fromLocal8Bit(std::strerror(errno))));
        m_context.setProgress(m_state.pagesWritten, -1);

        QSet<QString> seenPages; // in this attempt; a resumed one starts its own watch
        while (!m_state.nextPageUrl.isEmpty()) {
            if (m_state.pagesWritten >= kMaxPages)
                return JobResult::failure(
                    QStringLiteral("more than %1 pages: stopping").arg(kMaxPages), false);
            FetchRequest request = baseRequest();
            request.url = QUrl(m_state.nextPageUrl);
            request.identityEncoding = false; // pages are read whole: compression is welcome
            QByteArray body;
            const FetchResult fetched = HttpFetch::run(HttpFetch::threadNetwork(), request,
                m_context, {}, [&](const char *data, qint64 size, QString *) {
                    body.append(data, size);
                    return true;
                });
            noteWithheldCredentials(fetched);
            if (fetched.end != FetchEnd::Finished || !fetched.head.isSuccess())
                return failureFor(fetched);
            QJsonParseError error {};
            const QJsonDocument page = QJsonDocument::fromJson(body, &error);
            if (page.isNull())
                return JobResult::failure(QStringLiteral("page %1 (%2) is not JSON: %3")
                                              .arg(m_state.pagesWritten + 1)
                                              .arg(m_state.nextPageUrl, error.errorString()),
                    false);
            const QByteArray line = page.toJson(QJsonDocument::Compact) + '\n';
            if (!m_context.holdsLease())
                return JobResult::failure(kLostTheJob, false);
            if (auto written = outputfiles::writeAll(
                    output, m_state.temporaryPath, line.constData(), line.size());
                !written)
                return JobResult::failure(written.error().message);

            QUrl next;
            if (m_params.paginate == QLatin1String("link")) {
                next = http::linkNext(fetched.head.header("Link"), fetched.head.url);
            } else {
                const QString field = m_params.paginate.mid(QStringLiteral("json:").size());
                const QString value = http::jsonValueAt(page, field).toString();
                if (!value.isEmpty())
                    next = fetched.head.url.resolved(QUrl(value));
            }
            // A next link that is there but unusable is not the last page: say so, rather than
            // succeed with part of the pages (found by fuzz_http_headers).
            if (!next.isEmpty() && !next.isValid())
                return JobResult::failure(
                    QStringLiteral("page %1's next link is not a usable URL: %2")
                        .arg(m_state.pagesWritten + 1)
                        .arg(next.errorString()),
                    false);
            // A chain that comes back to a page already fetched would never end (a -> b -> a).
            seenPages.insert(fetched.head.url.toString());
            seenPages.insert(request.url.toString());
            if (next.isValid() && seenPages.contains(next.toString()))
                return JobResult::failure(
                    QStringLiteral("page %1 points back to an earlier page (%2): stopping")
                        .arg(m_state.pagesWritten + 1)
                        .arg(next.toString()),
                    false);
            m_state.pagesWritten += 1;
            m_state.committedBytes += line.size();
            m_state.nextPageUrl = next.isValid() ? next.toString() : QString();
            if (!m_state.save(m_workDir))
                return JobResult::failure(QStringLiteral("cannot save the pagination state"));
            m_context.setProgress(m_state.pagesWritten, -1);
            if (!m_state.nextPageUrl.isEmpty() && m_context.shouldStop())
                return JobResult::stopped();
        }
        output.close();
        if (!m_context.holdsLease())
            return JobResult::failure(kLostTheJob, false);
        auto moved = outputfiles::deliver(m_state.temporaryPath, m_state.finalPath, m_workDir,
            outputfiles::Existing::Kept, m_state.toJson());
        if (!moved)
            return JobResult::failure(moved.error().message);
        m_context.log(QStringLiteral("%1 pages").arg(m_state.pagesWritten));
        return delivered(moved.value());
    }

    FetchRequest baseRequest() const
    {
        FetchRequest request;
        request.url = m_params.url;
        request.method = m_params.method;
        request.body = m_params.body;
        request.headers = m_params.headers;
        request.credentials = m_params.credentials;
        request.credentialOrigin = m_params.url; // pages and redirects elsewhere get none
        request.credentialsEverywhere = m_params.locationTrusted;
        request.maxBytes = m_params.maxBytes;
        request.transferTimeoutMs = m_params.timeoutMs;
        return request;
    }

    // Says in the job's log when credentials were kept from another origin, so a 401 from
    // there is not a mystery.
    void noteWithheldCredentials(const FetchResult &fetched)
    {
        if (fetched.credentialsWithheldFrom.isEmpty()
            || m_withheldNoted.contains(fetched.credentialsWithheldFrom))
            return;
        m_withheldNoted.insert(fetched.credentialsWithheldFrom);
        m_context.log(QStringLiteral("credential headers not sent to %1: another origin than %2 "
                                     "(--location-trusted sends them anyway)")
                          .arg(fetched.credentialsWithheldFrom,
                              m_params.url
                                  .adjusted(QUrl::RemovePath | QUrl::RemoveQuery
                                      | QUrl::RemoveFragment | QUrl::RemoveUserInfo)
                                  .toString()));
    }

    void discardPartial()
    {
        if (!m_state.temporaryPath.isEmpty())
            QFile::remove(m_state.temporaryPath);
        DownloadState::erase(m_workDir);
        m_state = DownloadState();
    }

    QSet<QString> m_withheldNoted;
    bool m_permanentRefusal = false;
    JobContext &m_context;
    const DownloadSettings &m_settings;
    Params m_params;
    QString m_workDir;
    DownloadState m_state;
};

} // namespace

JobResult DownloadJob::run(JobContext &context)
{
    auto params = readParams(context.params(), m_settings);
    if (!params)
        return JobResult::failure(params.error().message, false);
    Download download(context, m_settings, std::move(params.value()));
    return download.run();
}

void DownloadJob::discard(const JobRecord &record, const QString &workDir)
{
    const DownloadState state = DownloadState::load(workDir);
    if (!state.temporaryPath.isEmpty())
        QFile::remove(state.temporaryPath);
    // A small download keeps no state: its partial file is found by the job's tag, in the
    // directory its parameters name.
    const QString out = record.params.value(QStringLiteral("out")).toString();
    QStringList dirs { record.params.value(QStringLiteral("dir")).toString() };
    if (!out.isEmpty())
        dirs << (QFileInfo(out).isDir() ? out : QFileInfo(out).absolutePath());
    const QString pattern = QStringLiteral("*.spool-%1.part").arg(idString(record.id).left(8));
    for (const QString &dir : std::as_const(dirs)) {
        if (dir.isEmpty())
            continue;
        for (const QString &name : QDir(dir).entryList({ pattern }, QDir::Files | QDir::Hidden))
            QFile::remove(QDir(dir).filePath(name));
    }
}

} // namespace spool
