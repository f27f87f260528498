#include "singleinstance.h"

#include <unistd.h>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

namespace spool::app {

namespace {

constexpr qint64 kMaxMessage = 1 << 20; // a command line, not a file
const QByteArray kWait = QByteArrayLiteral("wait"); // the window still opens its queue
constexpr char kToldToWait[] = "spoolToldToWait";

} // namespace

SingleInstance::SingleInstance(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
    , m_lock(QDir(dataDir).filePath(QStringLiteral("window.lock")))
{
    m_lock.setStaleLockTime(0); // stale only when its process is gone, never by age
}

SingleInstance::~SingleInstance() = default;

// Per user and data directory, in the runtime directory when there is one (a socket path must
// stay short, so the directory is hashed).
QString SingleInstance::socketName() const
{
    const QByteArray key = QCryptographicHash::hash(
        QDir(m_dataDir).canonicalPath().toUtf8(), QCryptographicHash::Sha256)
                               .toHex()
                               .left(16);
    const QString name =
        QStringLiteral("spool-%1-%2").arg(::getuid()).arg(QString::fromLatin1(key));
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return runtime.isEmpty() ? name : QDir(runtime).filePath(name);
}

SingleInstance::Claim SingleInstance::claim()
{
    if (!m_lock.tryLock(0))
        return m_lock.error() == QLockFile::LockFailedError ? Claim::Taken : Claim::Unavailable;
    // The lock is ours, so a socket left by a crashed window is stale: replace it.
    QLocalServer::removeServer(socketName());
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(socketName()))
        qWarning("spool: cannot listen for other windows: %s", qPrintable(m_server->errorString()));
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::answer);
    return Claim::Claimed;
}

void SingleInstance::answer()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, socket, [this, socket] { reply(socket); });
    }
}

void SingleInstance::setHandler(Handler handler)
{
    m_handler = std::move(handler);
    // Words that came while the window was still opening its queue are answered now, unless
    // their spool has gone meanwhile (the poll sees a close no event has reported yet).
    if (m_server) {
        for (QLocalSocket *socket : m_server->findChildren<QLocalSocket *>()) {
            socket->waitForReadyRead(0);
            reply(socket);
        }
    }
}

void SingleInstance::reply(QLocalSocket *socket)
{
    if (socket->state() != QLocalSocket::ConnectedState)
        return;
    if (!socket->canReadLine()) {
        if (socket->bytesAvailable() > kMaxMessage)
            socket->abort();
        return;
    }
    // Until the window can queue them, the words wait in the socket: answering without a
    // handler would tell the second spool its files were taken when none was queued. It hears
    // "wait" once, and waits for as long as the window lives.
    if (!m_handler) {
        if (!socket->property(kToldToWait).toBool()) {
            socket->setProperty(kToldToWait, true);
            socket->write(kWait + '\n');
        }
        return;
    }
    const QJsonObject message = QJsonDocument::fromJson(socket->readLine(kMaxMessage)).object();
    QStringList words;
    for (const QJsonValue &word : message.value(QStringLiteral("words")).toArray())
        words.append(word.toString());
    const QList<QUrl> urls = urlsFromWords(words, message.value(QStringLiteral("cwd")).toString());
    const QString answer = urls.isEmpty() ? QString() : m_handler(urls);
    Q_EMIT activationRequested();
    socket->write(answer.toUtf8() + '\n');
    socket->disconnectFromServer();
}

QString SingleInstance::forward(
    const QStringList &words, int timeoutMs, const std::function<void()> &onWaiting) const
{
    QElapsedTimer timer;
    timer.start();
    QLocalSocket socket;
    // The first window may be starting: it holds the lock before it listens.
    for (;;) {
        socket.connectToServer(socketName());
        if (socket.waitForConnected(1000))
            break;
        if (timer.elapsed() > timeoutMs)
            return QStringLiteral("error: the Spool window for %1 does not answer").arg(m_dataDir);
        QThread::msleep(100);
    }
    const QJsonObject message { { QStringLiteral("words"), QJsonArray::fromStringList(words) },
        { QStringLiteral("cwd"), QDir::currentPath() } };
    socket.write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
    socket.waitForBytesWritten(timeoutMs);
    // A window that said "wait" is alive and opening its queue: no time limit while it stays
    // connected (giving up then could leave the words queued after all).
    bool told = false;
    for (;;) {
        while (!socket.canReadLine() && socket.state() == QLocalSocket::ConnectedState
            && (told || timer.elapsed() < timeoutMs))
            socket.waitForReadyRead(100);
        if (!socket.canReadLine())
            return QStringLiteral("error: the Spool window for %1 did not answer").arg(m_dataDir);
        const QByteArray line = socket.readLine(kMaxMessage).trimmed();
        if (line != kWait)
            return QString::fromUtf8(line);
        if (!told && onWaiting)
            onWaiting();
        told = true;
    }
}

QList<QUrl> urlsFromWords(const QStringList &words, const QString &cwd)
{
    QList<QUrl> urls;
    for (const QString &word : words) {
        const QUrl url(word, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        if (scheme == QLatin1String("http") || scheme == QLatin1String("https")
            || scheme == QLatin1String("file"))
            urls.append(url);
        else
            urls.append(QUrl::fromLocalFile(QDir(cwd).absoluteFilePath(word)));
    }
    return urls;
}

} // namespace spool::app
