#include "packedrecord.h"

#include <cstring>
#include <utility>

namespace spool::app {

namespace {

void appendLength(QByteArray &block, qsizetype length)
{
    auto n = quint64(length);
    do {
        const auto low = char(n & 0x7f);
        n >>= 7;
        block.append(n ? char(low | 0x80) : low);
    } while (n);
}

// Reads a length at `at` and moves past it.
qsizetype readLength(const char *block, quint32 size, qsizetype &at)
{
    quint64 n = 0;
    for (int shift = 0; at < qsizetype(size); shift += 7) {
        const auto byte = quint8(block[at++]);
        n |= quint64(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
    }
    return qsizetype(n);
}

// QFileInfo::fileName() without QFileInfo: sorting by name asks for titles millions of times.
QString fileNameOf(const QString &path)
{
    return path.mid(path.lastIndexOf(u'/') + 1);
}

QString utf8(QByteArrayView bytes)
{
    // An empty field reads as a null string, as the store gives an unset column.
    return bytes.isEmpty() ? QString() : QString::fromUtf8(bytes);
}

char *copyOf(const char *block, quint32 size)
{
    if (!block)
        return nullptr;
    char *copy = new char[size];
    std::memcpy(copy, block, size);
    return copy;
}

} // namespace

PackedRecord::PackedRecord(const JobRecord &record, const QString *kind, const QString &title)
    : m_id(record.id)
    , m_kind(kind)
    , m_seq(record.seq)
    , m_rev(record.rev)
    , m_enqueuedAtMs(record.enqueuedAtMs)
    , m_startedAtMs(record.startedAtMs)
    , m_finishedAtMs(record.finishedAtMs)
    , m_done(record.progress.done)
    , m_total(record.progress.total)
    , m_attempts(record.attempts)
    , m_maxAttempts(record.maxAttempts)
    , m_state(quint8(record.state))
    , m_control(quint8(record.control))
{
    const bool titleIsFileName = !record.output.isEmpty() && title == fileNameOf(record.output);
    const bool params = !record.params.isEmpty() || !record.paramsText.isEmpty();
    const std::array<QByteArray, FieldCount> fields { {
        titleIsFileName ? QByteArray() : title.toUtf8(),
        record.output.toUtf8(),
        record.error.toUtf8(),
        record.progress.unit.toUtf8(),
        record.leaseOwner.toUtf8(),
        record.avoidHost.toUtf8(),
        params ? record.paramsJson() : QByteArray(),
    } };
    const TailTimes times { record.notBeforeMs, record.leaseToken, record.leaseExpiresAtMs,
        record.avoidUntilMs };
    const bool hasTimes = times != TailTimes {};
    QByteArray block;
    for (const QByteArray &field : fields) {
        appendLength(block, field.size());
        block.append(field);
    }
    if (hasTimes)
        block.append(reinterpret_cast<const char *>(times.data()), sizeof times);
    m_size = quint32(block.size());
    m_block = copyOf(block.constData(), m_size);
    m_flags = quint8((titleIsFileName ? TitleIsFileName : 0)
        | (record.error.isEmpty() ? 0 : HasError) | (hasTimes ? HasTimes : 0));
}

PackedRecord::PackedRecord(const PackedRecord &other)
    : m_id(other.m_id)
    , m_kind(other.m_kind)
    , m_seq(other.m_seq)
    , m_rev(other.m_rev)
    , m_enqueuedAtMs(other.m_enqueuedAtMs)
    , m_startedAtMs(other.m_startedAtMs)
    , m_finishedAtMs(other.m_finishedAtMs)
    , m_done(other.m_done)
    , m_total(other.m_total)
    , m_attempts(other.m_attempts)
    , m_maxAttempts(other.m_maxAttempts)
    , m_size(other.m_size)
    , m_state(other.m_state)
    , m_control(other.m_control)
    , m_flags(other.m_flags)
    , m_block(copyOf(other.m_block, other.m_size))
{ }

PackedRecord::PackedRecord(PackedRecord &&other) noexcept
    : m_id(other.m_id)
    , m_kind(other.m_kind)
    , m_seq(other.m_seq)
    , m_rev(other.m_rev)
    , m_enqueuedAtMs(other.m_enqueuedAtMs)
    , m_startedAtMs(other.m_startedAtMs)
    , m_finishedAtMs(other.m_finishedAtMs)
    , m_done(other.m_done)
    , m_total(other.m_total)
    , m_attempts(other.m_attempts)
    , m_maxAttempts(other.m_maxAttempts)
    , m_size(std::exchange(other.m_size, 0))
    , m_state(other.m_state)
    , m_control(other.m_control)
    , m_flags(std::exchange(other.m_flags, 0)) // what it says of its block went with it
    , m_block(std::exchange(other.m_block, nullptr))
{ }

PackedRecord &PackedRecord::operator=(const PackedRecord &other)
{
    if (this != &other)
        *this = PackedRecord(other);
    return *this;
}

PackedRecord &PackedRecord::operator=(PackedRecord &&other) noexcept
{
    if (this == &other)
        return *this;
    delete[] m_block;
    m_id = other.m_id;
    m_kind = other.m_kind;
    m_seq = other.m_seq;
    m_rev = other.m_rev;
    m_enqueuedAtMs = other.m_enqueuedAtMs;
    m_startedAtMs = other.m_startedAtMs;
    m_finishedAtMs = other.m_finishedAtMs;
    m_done = other.m_done;
    m_total = other.m_total;
    m_attempts = other.m_attempts;
    m_maxAttempts = other.m_maxAttempts;
    m_size = std::exchange(other.m_size, 0);
    m_state = other.m_state;
    m_control = other.m_control;
    m_flags = std::exchange(other.m_flags, 0);
    m_block = std::exchange(other.m_block, nullptr);
    return *this;
}

PackedRecord::~PackedRecord()
{
    delete[] m_block;
}

const QString &PackedRecord::kind() const
{
    static const QString none;
    return m_kind ? *m_kind : none;
}

QByteArrayView PackedRecord::bytes(Field field) const
{
    qsizetype at = 0;
    for (int f = 0; f < field; ++f) {
        const qsizetype length = readLength(m_block, m_size, at);
        at += length;
    }
    const qsizetype length = readLength(m_block, m_size, at);
    return length ? QByteArrayView(m_block + at, length) : QByteArrayView();
}

QString PackedRecord::text(Field field) const
{
    return utf8(bytes(field));
}

Progress PackedRecord::progress() const
{
    return Progress { m_done, m_total, text(Unit) };
}

QString PackedRecord::title() const
{
    return (m_flags & TitleIsFileName) ? fileNameOf(output()) : text(Title);
}

QString PackedRecord::output() const
{
    return text(Output);
}

QString PackedRecord::error() const
{
    return hasError() ? text(Error) : QString();
}

QByteArray PackedRecord::paramsText() const
{
    return bytes(Params).toByteArray();
}

JobRecord PackedRecord::unpack() const
{
    JobRecord r;
    r.id = m_id;
    r.kind = kind();
    r.seq = m_seq;
    r.rev = m_rev;
    r.state = state();
    r.control = control();
    r.attempts = m_attempts;
    r.maxAttempts = m_maxAttempts;
    r.enqueuedAtMs = m_enqueuedAtMs;
    r.startedAtMs = m_startedAtMs;
    r.finishedAtMs = m_finishedAtMs;
    std::array<QByteArrayView, FieldCount> fields;
    qsizetype at = 0;
    for (QByteArrayView &field : fields) {
        const qsizetype length = readLength(m_block, m_size, at);
        if (length)
            field = QByteArrayView(m_block + at, length);
        at += length;
    }
    r.progress = Progress { m_done, m_total, utf8(fields[Unit]) };
    r.output = utf8(fields[Output]);
    r.error = utf8(fields[Error]);
    r.leaseOwner = utf8(fields[LeaseOwner]);
    r.avoidHost = utf8(fields[AvoidHost]);
    r.paramsText = fields[Params].toByteArray();
    if ((m_flags & HasTimes) && at + qsizetype(sizeof(TailTimes)) <= qsizetype(m_size)) {
        TailTimes times {};
        std::memcpy(times.data(), m_block + at, sizeof times);
        r.notBeforeMs = times[0];
        r.leaseToken = times[1];
        r.leaseExpiresAtMs = times[2];
        r.avoidUntilMs = times[3];
    }
    return r;
}

} // namespace spool::app
