#pragma once

#include <functional>

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace spool::hostio {

// The host's network helper for plugin jobs (in the Spool process and in spool-worker-host):
// GETs `url` on this thread's own event loop, following safe redirects, aborting when `stop`
// turns true (checked every 50 ms). Returns the body, or sets `error`.
QByteArray httpGet(const QUrl &url, const std::function<bool()> &stop, QString *error);

} // namespace spool::hostio
