#pragma once

#include "httpfetch.h"

namespace spool {

class ResponseSink;

// Spool's own HTTP/1.1 client for plain http, on the worker thread's own sockets. Qt's client
// reads every response header one byte per read() on plain-http sockets, and hands each body
// to its own network thread: most of a small API download's network cost (issue 11). This one
// reads into one buffer, parses with http::ResponseParser, keeps connections alive per thread,
// and hands body bytes straight to the caller. TLS, proxies and user:password URLs stay with Qt.
namespace http1 {

// Whether `request` goes through this client: http, no user info, no proxy for it, and no
// compression wanted.
bool handles(const FetchRequest &request);

// One request and its response, as HttpFetch::exchange. A kept-alive connection that turns out
// closed before any answer is replaced once, for requests that may be sent twice.
void exchange(const FetchRequest &request, const JobContext &context, ResponseSink &sink,
    FetchResult &result);

// The request's bytes (request line, headers, body), or why it cannot be sent.
std::optional<QString> requestMessage(const FetchRequest &request, QByteArray *message);

} // namespace http1
} // namespace spool
