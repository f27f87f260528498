#pragma once

#include <functional>

#include <QLockFile>
#include <QObject>
#include <QStringList>
#include <QUrl>

class QLocalServer;
class QLocalSocket;

namespace spool::app {

// One window per data directory. The first `spool` holds a lock file in the data directory and
// listens on a local socket; a later `spool FILE|URL...` on the same directory hands its words
// (and its working directory, for relative paths) to the first, prints the answer and exits.
class SingleInstance final : public QObject
{
    Q_OBJECT

public:
    explicit SingleInstance(const QString &dataDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    enum class Claim {
        Claimed, // this process is the window for the data directory; it listens
        Taken, // another process is: forward to it
        Unavailable, // no lock file can be made there (the store will say why)
    };
    Claim claim();
    // For a second process: sends `words` to the first and returns its one-line answer, or an
    // error (starting with "error: ") when no instance answered within `timeoutMs`. A window
    // still opening its queue says so (`onWaiting` is called) and is waited for while it lives.
    QString forward(const QStringList &words, int timeoutMs = 10000,
        const std::function<void()> &onWaiting = {}) const;
    // What the first process answers for what it was given (set by the window once it can
    // queue): one line. Words that arrive before are held until then.
    using Handler = std::function<QString(const QList<QUrl> &urls)>;
    void setHandler(Handler handler);

Q_SIGNALS:
    void activationRequested(); // a second `spool` was started: show the window

private:
    void answer();
    void reply(QLocalSocket *socket);
    QString socketName() const;

    QString m_dataDir;
    QLockFile m_lock;
    QLocalServer *m_server = nullptr;
    Handler m_handler;
};

// Words from the command line as the window queues them: a web address as is, a path made
// absolute against `cwd` and turned into a file URL.
QList<QUrl> urlsFromWords(const QStringList &words, const QString &cwd);

} // namespace spool::app
