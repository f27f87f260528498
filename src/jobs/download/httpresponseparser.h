#pragma once

#include <functional>

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace spool::http {

// An HTTP/1.1 response read from a byte stream as it arrives (RFC 9112): the status line and
// headers (interim 1xx responses skipped), then a body framed by Content-Length, chunked
// transfer coding, or the end of the connection. Pure: it sees only the bytes it is fed, so a
// fuzzer can drive it. A server controls every byte, so every limit is checked.
class ResponseParser final
{
public:
    using BodyHandler = std::function<bool(const char *data, qsizetype size)>;

    enum class Framing { None, Length, Chunked, UntilClose };

    // `bodiless`: the request was HEAD, so no body follows whatever the headers say.
    explicit ResponseParser(bool bodiless = false)
        : m_bodiless(bodiless)
    { }

    // Consumes bytes. Body bytes go to `onBody` (pointers into `data`, never copied); a handler
    // that returns false stops the feed. False on malformed input (see error()) or a stop.
    bool feed(const char *data, qsizetype size, const BodyHandler &onBody);

    // The connection ended. True if that ended the message well: its body runs until the close.
    bool finishAtEnd();

    bool headComplete() const { return m_phase > Phase::Head; }
    bool complete() const { return m_phase == Phase::Done; }
    bool failed() const { return m_phase == Phase::Failed; }
    QString error() const { return m_error; }

    int status() const { return m_status; }
    const QByteArray &reason() const { return m_reason; }
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }
    Framing framing() const { return m_framing; }
    qint64 contentLength() const { return m_framing == Framing::Length ? m_remaining0 : -1; }
    // The connection may carry the next request once this response is complete.
    bool keepAlive() const { return m_keepAlive && m_framing != Framing::UntilClose; }
    qint64 bodyBytes() const { return m_bodyBytes; }

    static constexpr qsizetype kMaxHeadBytes = 64 * 1024;
    static constexpr int kMaxHeaders = 200;

private:
    enum class Phase { Head, Body, ChunkSize, ChunkData, ChunkEnd, Trailers, Done, Failed };

    bool fail(const QString &why);
    bool takeLine(const char *&p, const char *end, QByteArray *line, qsizetype limit);
    bool headLine(const QByteArray &line);
    bool statusLine(const QByteArray &line);
    bool headerLine(const QByteArray &line);
    bool endOfHead();
    bool chooseFraming();
    bool chunkSizeLine(const QByteArray &line);
    bool body(const char *&p, const char *end, const BodyHandler &onBody);

    bool m_bodiless = false;
    Phase m_phase = Phase::Head;
    QString m_error;
    QByteArray m_partial; // a line not yet ended
    qsizetype m_headBytes = 0;
    bool m_statusSeen = false;
    int m_emptyLines = 0;
    int m_interim = 0;
    int m_status = 0;
    int m_minorVersion = 1;
    QByteArray m_reason;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    Framing m_framing = Framing::None;
    bool m_keepAlive = true;
    qint64 m_remaining = 0; // of the body (Length) or of the chunk (Chunked)
    qint64 m_remaining0 = 0;
    qint64 m_bodyBytes = 0;
};

} // namespace spool::http
