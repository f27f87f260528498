#pragma once

// Helpers shared by the libFuzzer harnesses: split the fuzzer's bytes into fields, and stop with
// a message when an invariant does not hold (a crash the fuzzer records with its input).
#include <cstdio>
#include <cstdlib>

#include <QByteArray>
#include <QList>
#include <QString>

namespace spool::fuzz {

// Reads the input as fields separated by NUL bytes; missing fields are empty.
class Fields
{
public:
    Fields(const uint8_t *data, size_t size)
        : m_parts(QByteArray(reinterpret_cast<const char *>(data), qsizetype(size)).split('\0'))
    { }
    QByteArray bytes(int i) const { return m_parts.value(i); }
    QString text(int i) const { return QString::fromUtf8(m_parts.value(i)); }

private:
    QList<QByteArray> m_parts;
};

[[noreturn]] inline void fail(const char *what, const QString &detail = QString())
{
    std::fprintf(stderr, "invariant broken: %s %s\n", what, qPrintable(detail));
    std::abort();
}

#define SPOOL_FUZZ_CHECK(condition, detail)                                                        \
    do {                                                                                           \
        if (!(condition))                                                                          \
            ::spool::fuzz::fail(#condition, detail);                                               \
    } while (false)

} // namespace spool::fuzz
