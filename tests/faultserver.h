#pragma once

// The HTTP fault server (tests/servers/faultserver.py) as a child process, on 127.0.0.1.
#include <memory>

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>

namespace spool::test {

class FaultServer
{
public:
    explicit FaultServer(QStringList extraArgs = {})
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.start(QStringLiteral("python3"),
            QStringList { QStringLiteral(FAULT_SERVER_PATH) } + extraArgs);
        if (!m_process.waitForReadyRead(10000))
            return;
        const QByteArray line = m_process.readLine().trimmed();
        if (line.startsWith("PORT "))
            m_port = line.mid(5).toInt();
    }
    ~FaultServer()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    bool isRunning() const { return m_port > 0; }
    QString url(const QString &pathAndQuery, const QString &scheme = QStringLiteral("http")) const
    {
        return QStringLiteral("%1://127.0.0.1:%2%3").arg(scheme).arg(m_port).arg(pathAndQuery);
    }
    // Every request the server saw, oldest first.
    QJsonArray log() const { return QJsonDocument::fromJson(get(QStringLiteral("/_log"))).array(); }
    // The most requests the server was answering at once so far.
    int mostInFlight() const { return inFlight(QStringLiteral("most")); }
    // How many requests the server is answering now.
    int inFlightNow() const { return inFlight(QStringLiteral("now")); }
    QJsonArray requestsTo(const QString &pathPrefix) const
    {
        QJsonArray matching;
        for (const QJsonValue &entry : log()) {
            if (entry.toObject().value(QStringLiteral("path")).toString().startsWith(pathPrefix))
                matching.append(entry);
        }
        return matching;
    }

private:
    int inFlight(const QString &count) const
    {
        return QJsonDocument::fromJson(get(QStringLiteral("/_inflight")))
            .object()
            .value(count)
            .toInt();
    }
    QByteArray get(const QString &path) const
    {
        QNetworkAccessManager network;
        std::unique_ptr<QNetworkReply> reply(network.get(QNetworkRequest(QUrl(url(path)))));
        QEventLoop loop;
        QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        return reply->readAll();
    }

    QProcess m_process;
    int m_port = 0;
};

} // namespace spool::test
