#include "workerprotocol.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QtEndian>

namespace spool::workerprotocol {

QByteArray encode(QJsonObject message)
{
    message.insert(QStringLiteral("v"), kVersion);
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray out(4, '\0');
    qToBigEndian<quint32>(quint32(body.size()), out.data());
    return out + body;
}

std::optional<QJsonObject> take(QByteArray &buffer, QString *error)
{
    if (buffer.size() < 4)
        return std::nullopt;
    const quint32 length = qFromBigEndian<quint32>(buffer.constData());
    if (length > kMaxMessage) {
        *error = QStringLiteral("a message of %1 bytes from the worker").arg(length);
        return std::nullopt;
    }
    if (buffer.size() < 4 + qsizetype(length))
        return std::nullopt;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(buffer.mid(4, length), &parseError);
    buffer.remove(0, 4 + qsizetype(length));
    if (!doc.isObject()) {
        *error = QStringLiteral("an unreadable message: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    const QJsonObject message = doc.object();
    if (message.value(QStringLiteral("v")).toInt() != kVersion) {
        *error = QStringLiteral("message format %1, expected %2")
                     .arg(message.value(QStringLiteral("v")).toInt())
                     .arg(kVersion);
        return std::nullopt;
    }
    return message;
}

bool send(QIODevice &device, const QJsonObject &message)
{
    const QByteArray bytes = encode(message);
    if (device.write(bytes) != bytes.size())
        return false;
    if (auto *socket = qobject_cast<QLocalSocket *>(&device))
        return socket->waitForBytesWritten(5000) || socket->bytesToWrite() == 0;
    return true;
}

} // namespace spool::workerprotocol
