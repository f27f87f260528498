// An HTTP/1.1 response as a server sends it, to Spool's own client's parser: the first byte
// chooses HEAD or not and where the reads split; the rest is the response. The body must come out
// the same however the bytes are split, and never more than the framing allows.
#include "fuzzinput.h"
#include "httpresponseparser.h"

using namespace spool;

namespace {

struct Outcome
{
    bool ok = false;
    bool complete = false;
    int status = 0;
    QByteArray body;
    QString error;
};

Outcome parse(const QByteArray &response, bool bodiless, qsizetype step)
{
    http::ResponseParser parser(bodiless);
    Outcome out;
    bool ok = true;
    for (qsizetype at = 0; ok && at < response.size(); at += step) {
        ok = parser.feed(response.constData() + at, std::min(step, response.size() - at),
            [&](const char *data, qsizetype size) {
                SPOOL_FUZZ_CHECK(size > 0, QString::number(size));
                out.body.append(data, size);
                return true;
            });
    }
    SPOOL_FUZZ_CHECK(parser.bodyBytes() == out.body.size(), QString::number(parser.bodyBytes()));
    if (parser.framing() == http::ResponseParser::Framing::Length)
        SPOOL_FUZZ_CHECK(
            out.body.size() <= parser.contentLength(), QString::number(out.body.size()));
    if (bodiless)
        SPOOL_FUZZ_CHECK(out.body.isEmpty(), QString::number(out.body.size()));
    out.complete = parser.complete();
    if (ok && !parser.complete())
        ok = parser.finishAtEnd();
    SPOOL_FUZZ_CHECK(ok == !parser.failed(), parser.error());
    SPOOL_FUZZ_CHECK(ok || !parser.error().isEmpty(), QString());
    out.ok = ok;
    out.status = parser.status();
    out.error = parser.error();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const bool bodiless = data[0] & 0x80;
    const qsizetype step = (data[0] & 0x7f) + 1;
    const QByteArray response(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const Outcome whole = parse(response, bodiless, qMax<qsizetype>(response.size(), 1));
    const Outcome split = parse(response, bodiless, step);
    SPOOL_FUZZ_CHECK(whole.ok == split.ok, whole.error + QLatin1String(" / ") + split.error);
    SPOOL_FUZZ_CHECK(whole.complete == split.complete, QString());
    SPOOL_FUZZ_CHECK(whole.status == split.status, QString::number(split.status));
    SPOOL_FUZZ_CHECK(whole.body == split.body, QString::number(split.body.size()));
    return 0;
}
