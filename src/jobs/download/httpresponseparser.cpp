#include "httpresponseparser.h"

#include <algorithm>
#include <cstring>

namespace spool::http {

namespace {
constexpr qsizetype kMaxChunkLine = 1024;
constexpr int kMaxLeadingEmptyLines = 4;
constexpr int kMaxInterimResponses = 16;
constexpr qint64 kMaxBodyLength = (qint64(1) << 62);

bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool isDigits(const QByteArray &s)
{
    return !s.isEmpty()
        && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A comma-separated header value as lower-case, trimmed elements.
QList<QByteArray> elements(const QByteArray &value)
{
    QList<QByteArray> out;
    for (const QByteArray &part : value.split(','))
        if (const QByteArray item = part.trimmed().toLower(); !item.isEmpty())
            out.append(item);
    return out;
}
} // namespace

bool ResponseParser::fail(const QString &why)
{
    m_phase = Phase::Failed;
    m_error = why;
    return false;
}

// One line (its CR LF or bare LF removed) into *line, or false when the data ends first: the
// start is kept for the next feed. A line longer than `limit` fails the parse.
bool ResponseParser::takeLine(const char *&p, const char *end, QByteArray *line, qsizetype limit)
{
    const char *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
    const qsizetype taken = (newline ? newline : end) - p;
    if (m_partial.size() + taken > limit) {
        fail(m_phase == Phase::ChunkSize || m_phase == Phase::ChunkEnd
                ? QStringLiteral("a chunk size line is too long")
                : QStringLiteral("the response headers are over %1 KiB").arg(kMaxHeadBytes / 1024));
        return false;
    }
    if (!newline) {
        m_partial.append(p, taken);
        p = end;
        return false;
    }
    if (m_partial.isEmpty()) {
        *line = QByteArray(p, taken);
    } else {
        *line = m_partial + QByteArray(p, taken);
        m_partial.clear();
    }
    p = newline + 1;
    if (line->endsWith('\r'))
        line->chop(1);
    return true;
}

bool ResponseParser::feed(const char *data, qsizetype size, const BodyHandler &onBody)
{
    const char *p = data;
    const char *const end = data + size;
    while (p < end) {
        QByteArray line;
        switch (m_phase) {
        case Phase::Head:
        case Phase::Trailers: {
            if (!takeLine(p, end, &line, kMaxHeadBytes - m_headBytes))
                return !failed();
            m_headBytes += line.size() + 1;
            if (!headLine(line))
                return false;
            break;
        }
        case Phase::ChunkSize:
            if (!takeLine(p, end, &line, kMaxChunkLine))
                return !failed();
            if (!chunkSizeLine(line))
                return false;
            break;
        case Phase::ChunkEnd:
            if (!takeLine(p, end, &line, kMaxChunkLine))
                return !failed();
            if (!line.isEmpty())
                return fail(QStringLiteral("a chunk is longer than its size says"));
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Body:
        case Phase::ChunkData:
            if (!body(p, end, onBody))
                return false;
            break;
        case Phase::Done:
            // Bytes after a whole response that nobody asked for: the connection is not reused.
            m_keepAlive = false;
            return true;
        case Phase::Failed:
            return false;
        }
    }
    return true;
}

bool ResponseParser::headLine(const QByteArray &line)
{
    if (m_phase == Phase::Trailers) {
        if (line.isEmpty())
            m_phase = Phase::Done;
        return true; // trailer fields carry nothing Spool uses
    }
    if (!m_statusSeen)
        return statusLine(line);
    if (line.isEmpty())
        return endOfHead();
    return headerLine(line);
}

bool ResponseParser::statusLine(const QByteArray &line)
{
    if (line.isEmpty()) {
        // RFC 9112 2.2: an empty line before the status line is ignored; a few, not forever.
        if (++m_emptyLines > kMaxLeadingEmptyLines)
            return fail(QStringLiteral("the server sent empty lines instead of a response"));
        return true;
    }
    // HTTP/1.x SP 3DIGIT [SP reason]
    if (line.size() < 12 || !line.startsWith("HTTP/1.") || line[8] != ' ')
        return fail(QStringLiteral("the server's answer is not an HTTP/1.x response"));
    if (line[7] != '0' && line[7] != '1')
        return fail(QStringLiteral("the server answered with an unknown HTTP version"));
    const QByteArray code = line.mid(9, 3);
    if (!isDigits(code) || (line.size() > 12 && line[12] != ' '))
        return fail(QStringLiteral("the server's status line has no valid status code"));
    m_minorVersion = line[7] - '0';
    m_status = code.toInt();
    if (m_status < 100)
        return fail(QStringLiteral("the server's status code %1 is not valid").arg(m_status));
    m_reason = line.mid(13);
    m_statusSeen = true;
    return true;
}

bool ResponseParser::headerLine(const QByteArray &line)
{
    if (line[0] == ' ' || line[0] == '\t') {
        // obs-fold (RFC 9112 5.2): the line continues the previous field's value.
        if (m_headers.isEmpty())
            return fail(QStringLiteral("the response headers start with a continuation line"));
        m_headers.last().second += ' ' + line.trimmed();
        return true;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return fail(QStringLiteral("a response header has no name"));
    const QByteArray name = line.left(colon);
    if (!std::all_of(name.begin(), name.end(), isTokenChar))
        return fail(QStringLiteral("a response header's name is not valid"));
    if (m_headers.size() == kMaxHeaders)
        return fail(QStringLiteral("the response has more than %1 headers").arg(kMaxHeaders));
    m_headers.append({ name, line.mid(colon + 1).trimmed() });
    return true;
}

bool ResponseParser::endOfHead()
{
    if (m_status >= 100 && m_status < 200) {
        if (m_status == 101)
            return fail(QStringLiteral("the server switched protocols, which was not asked for"));
        // An interim response (100 Continue, 103 Early Hints): the real one follows.
        if (++m_interim > kMaxInterimResponses)
            return fail(QStringLiteral("the server sent over %1 interim responses")
                            .arg(kMaxInterimResponses));
        m_emptyLines = 0;
        m_statusSeen = false;
        m_headers.clear();
        m_reason.clear();
        m_status = 0;
        return true;
    }
    return chooseFraming();
}

// RFC 9112 6.3: how the body's end is known.
bool ResponseParser::chooseFraming()
{
    QList<QByteArray> connection, codings, lengths;
    for (const auto &[name, value] : std::as_const(m_headers)) {
        if (name.compare("Connection", Qt::CaseInsensitive) == 0)
            connection += elements(value);
        else if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0)
            codings += elements(value);
        else if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            lengths += value.split(',');
    }
    m_keepAlive =
        m_minorVersion >= 1 ? !connection.contains("close") : connection.contains("keep-alive");
    if (m_bodiless || m_status == 204 || m_status == 304) {
        m_phase = Phase::Done;
        return true;
    }
    if (!codings.isEmpty()) {
        if (!lengths.isEmpty())
            m_keepAlive = false; // both framings: a smuggling risk, never reuse the connection
        m_framing = codings.last() == "chunked" ? Framing::Chunked : Framing::UntilClose;
        m_phase = m_framing == Framing::Chunked ? Phase::ChunkSize : Phase::Body;
        return true;
    }
    if (lengths.isEmpty()) {
        m_framing = Framing::UntilClose;
        m_phase = Phase::Body;
        return true;
    }
    const QByteArray first = lengths.first().trimmed();
    for (const QByteArray &length : std::as_const(lengths)) {
        if (length.trimmed() != first)
            return fail(QStringLiteral("the response has conflicting Content-Length headers"));
    }
    if (!isDigits(first) || first.size() > 18 || first.toLongLong() > kMaxBodyLength)
        return fail(QStringLiteral("the response's Content-Length is not a valid size"));
    m_framing = Framing::Length;
    m_remaining = m_remaining0 = first.toLongLong();
    m_phase = m_remaining == 0 ? Phase::Done : Phase::Body;
    return true;
}

bool ResponseParser::chunkSizeLine(const QByteArray &line)
{
    // chunk-size [ BWS ; extensions ]: extensions are ignored.
    const qsizetype cut = line.indexOf(';');
    const QByteArray hex = (cut < 0 ? line : line.left(cut)).trimmed();
    if (hex.isEmpty() || hex.size() > 15)
        return fail(QStringLiteral("a chunk's size is not valid"));
    qint64 size = 0;
    for (const char c : hex) {
        const int digit = c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f'             ? c - 'a' + 10
            : c >= 'A' && c <= 'F'             ? c - 'A' + 10
                                               : -1;
        if (digit < 0)
            return fail(QStringLiteral("a chunk's size is not valid"));
        size = size * 16 + digit;
    }
    if (m_bodyBytes + size > kMaxBodyLength)
        return fail(QStringLiteral("the chunked body is too large"));
    m_remaining = size;
    m_phase = size == 0 ? Phase::Trailers : Phase::ChunkData;
    return true;
}

bool ResponseParser::body(const char *&p, const char *end, const BodyHandler &onBody)
{
    qint64 take = end - p;
    if (m_framing != Framing::UntilClose)
        take = std::min(take, m_remaining);
    const char *const start = p;
    p += take;
    m_bodyBytes += take;
    if (m_framing != Framing::UntilClose) {
        m_remaining -= take;
        if (m_remaining == 0)
            m_phase = m_framing == Framing::Chunked ? Phase::ChunkEnd : Phase::Done;
    }
    return take == 0 || !onBody || onBody(start, take);
}

bool ResponseParser::finishAtEnd()
{
    switch (m_phase) {
    case Phase::Done:
        return true;
    case Phase::Failed:
        return false;
    case Phase::Body:
        if (m_framing == Framing::UntilClose) {
            m_phase = Phase::Done;
            return true;
        }
        return fail(QStringLiteral("the connection closed after %1 of %2 bytes")
                        .arg(m_bodyBytes)
                        .arg(m_remaining0));
    case Phase::Head:
        return fail(m_statusSeen || !m_partial.isEmpty()
                ? QStringLiteral("the connection closed in the middle of the response headers")
                : QStringLiteral("the server closed the connection without answering"));
    default:
        return fail(QStringLiteral("the connection closed in the middle of a chunked body (after "
                                   "%1 bytes)")
                        .arg(m_bodyBytes));
    }
}

} // namespace spool::http
