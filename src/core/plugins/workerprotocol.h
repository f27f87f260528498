#pragma once

#include <optional>

#include <QByteArray>
#include <QJsonObject>

class QIODevice;

namespace spool::workerprotocol {

// The messages between Spool and `spool-worker-host` over a local socket: a 4-byte big-endian
// length, then a compact JSON object with "v" (the format version) and "type".
//   host -> worker: run {plugin, kind, params, scratch}, stop
//   worker -> host: progress {done, total}, log {line}, done {ok, output, error, stopped}
constexpr int kVersion = 1;
constexpr qint64 kMaxMessage = 16 * 1024 * 1024;

QByteArray encode(QJsonObject message);
// The next whole message in `buffer` (consumed), or nothing yet. `error` is set for a message
// that is too large, unparsable or of another version.
std::optional<QJsonObject> take(QByteArray &buffer, QString *error);
// Writes and flushes; false if the peer is gone.
bool send(QIODevice &device, const QJsonObject &message);

} // namespace spool::workerprotocol
