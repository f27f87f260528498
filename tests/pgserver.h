#pragma once

// A throwaway PostgreSQL server for one test process: initdb into a temporary folder, started
// on 127.0.0.1 with a free port, stopped and deleted at the end. initdb refuses to run as root,
// so as root the server runs as the `postgres` user that Debian's package creates.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QDir>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>

namespace spool::test {

class PgServer
{
public:
    PgServer()
    {
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("no temporary folder");
            return;
        }
        m_data = m_dir.filePath(QStringLiteral("data"));
        if (::geteuid() == 0) {
            const passwd *pw = ::getpwnam("postgres");
            if (!pw) {
                m_error = QStringLiteral("running as root, and there is no postgres user");
                return;
            }
            m_asUser = true;
            m_uid = pw->pw_uid;
            m_gid = pw->pw_gid;
            if (!ownedByServer(m_dir.path())) {
                m_error = QStringLiteral("cannot give the folder to the postgres user");
                return;
            }
        }
        m_port = freePort();
        if (!run(QStringLiteral("initdb"),
                { QStringLiteral("-D"), m_data, QStringLiteral("-U"), user(), QStringLiteral("-A"),
                    QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                    QStringLiteral("--no-sync") }))
            return;
        start();
    }
    ~PgServer() { stop(); }
    Q_DISABLE_COPY_MOVE(PgServer)

    bool isRunning() const { return m_running; }
    QString error() const { return m_error; }
    QString user() const { return QStringLiteral("spool_test"); }
    int port() const { return m_port; }
    // A URL for `database` (created by createDatabase, or "postgres").
    QString url(const QString &database = QStringLiteral("postgres")) const
    {
        return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3")
            .arg(user())
            .arg(m_port)
            .arg(database);
    }

    bool createDatabase(const QString &name)
    {
        return psql(QStringLiteral("CREATE DATABASE \"%1\"").arg(name));
    }
    // Runs SQL as the superuser on the "postgres" database.
    bool psql(const QString &sql, QString *output = nullptr)
    {
        return psqlIn(QStringLiteral("postgres"), sql, output);
    }
    bool psqlIn(const QString &database, const QString &sql, QString *output = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral("psql"),
            { QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"),
                QStringLiteral("-t"), QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"),
                QStringLiteral("-d"), url(database), QStringLiteral("-c"), sql });
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            m_error = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
            return false;
        }
        if (output)
            *output = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
        return true;
    }

    bool start()
    {
        m_running = run(QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), m_data, QStringLiteral("-l"),
                m_dir.filePath(QStringLiteral("log")), QStringLiteral("-w"), QStringLiteral("-t"),
                QStringLiteral("60"), QStringLiteral("-o"),
                QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -k %2 -c max_connections=200")
                        .arg(m_port)
                        .arg(m_dir.path())
                    + (m_settings.isEmpty()
                            ? QString()
                            : QStringLiteral(" -c ") + m_settings.join(QStringLiteral(" -c "))),
                QStringLiteral("start") });
        return m_running;
    }
    // `mode`: fast (the default of a clean shutdown) or immediate (as if the machine died).
    bool stop(const QString &mode = QStringLiteral("fast"))
    {
        if (!m_running)
            return true;
        m_running = !run(QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), m_data, QStringLiteral("-m"), mode, QStringLiteral("-w"),
                QStringLiteral("stop") });
        return !m_running;
    }
    bool restart() { return stop() && start(); }
    // Restarts with server settings ("ssl=on", ...) added to the ones it starts with.
    bool restartWith(const QStringList &settings)
    {
        m_settings = settings;
        return restart();
    }
    // A folder the server's user can read (the test's own may be closed to it), and a file put
    // there that only the server may read, as it requires of its private key.
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    bool giveToServer(const QString &path)
    {
        return ::chmod(QFile::encodeName(path).constData(), 0600) == 0 && ownedByServer(path);
    }

private:
    // As root, the server runs as `postgres`: what it reads is theirs.
    bool ownedByServer(const QString &path) const
    {
        return !m_asUser || ::chown(QFile::encodeName(path).constData(), m_uid, m_gid) == 0;
    }

    static int freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    bool run(const QString &tool, const QStringList &args)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        const QString program = QStringLiteral(PG_BINDIR "/") + tool;
        if (m_asUser)
            p.start(QStringLiteral("runuser"),
                QStringList { QStringLiteral("-u"), QStringLiteral("postgres"),
                    QStringLiteral("--"), program }
                    + args);
        else
            p.start(program, args);
        if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit
            || p.exitCode() != 0) {
            m_error = QStringLiteral("%1 failed: %2")
                          .arg(tool, QString::fromLocal8Bit(p.readAll()).trimmed());
            return false;
        }
        return true;
    }

    QTemporaryDir m_dir { QDir::temp().filePath(QStringLiteral("spool-pg-XXXXXX")) };
    QString m_data;
    QString m_error;
    QStringList m_settings;
    int m_port = 0;
    bool m_asUser = false;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
    bool m_running = false;
};

} // namespace spool::test
