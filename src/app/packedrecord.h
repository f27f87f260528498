#pragma once

#include <array>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUuid>

#include "job/jobrecord.h"

namespace spool::app {

// A job's record as the table keeps it, with its row's title: the numbers as they are, the
// strings (title, output, error, params as JSON...) as UTF-8 in one block. A JobRecord is about
// 300 bytes before its strings, each string one more allocation; a million rows of the table are
// mostly finished jobs whose strings are read only when a row is painted or opened.
class PackedRecord final
{
public:
    PackedRecord() = default;
    // `kind` is the record's kind as the table keeps it for all its rows: it must outlive the
    // record (nullptr: none).
    PackedRecord(const JobRecord &record, const QString *kind, const QString &title);
    PackedRecord(const PackedRecord &other);
    PackedRecord(PackedRecord &&other) noexcept;
    PackedRecord &operator=(const PackedRecord &other);
    PackedRecord &operator=(PackedRecord &&other) noexcept;
    ~PackedRecord();

    JobRecord unpack() const;

    const QUuid &id() const { return m_id; }
    const QString &kind() const;
    const QString *sharedKind() const { return m_kind; }
    qint64 seq() const { return m_seq; }
    qint64 rev() const { return m_rev; }
    JobState state() const { return JobState(m_state); }
    JobControl control() const { return JobControl(m_control); }
    int attempts() const { return m_attempts; }
    int maxAttempts() const { return m_maxAttempts; }
    qint64 enqueuedAtMs() const { return m_enqueuedAtMs; }
    qint64 startedAtMs() const { return m_startedAtMs; }
    qint64 finishedAtMs() const { return m_finishedAtMs; }
    qint64 progressDone() const { return m_done; }
    qint64 progressTotal() const { return m_total; }
    Progress progress() const;
    QString title() const;
    QString output() const;
    QString error() const;
    bool hasError() const { return (m_flags & HasError) != 0; }
    QByteArray paramsText() const;

private:
    enum Field { Title, Output, Error, Unit, LeaseOwner, AvoidHost, Params, FieldCount };
    enum Flag : quint8 {
        TitleIsFileName = 1, // the title is the output's file name (a finished download's)
        HasError = 2,
        HasTimes = 4, // the block ends with what is 0 for most jobs: TailTimes
    };
    // notBeforeMs, leaseToken, leaseExpiresAtMs, avoidUntilMs
    using TailTimes = std::array<qint64, 4>;
    QByteArrayView bytes(Field field) const;
    QString text(Field field) const;

    // Laid out for size: 104 bytes.
    QUuid m_id;
    const QString *m_kind = nullptr;
    qint64 m_seq = 0;
    qint64 m_rev = 0;
    qint64 m_enqueuedAtMs = 0;
    qint64 m_startedAtMs = 0;
    qint64 m_finishedAtMs = 0;
    qint64 m_done = 0;
    qint64 m_total = -1;
    qint32 m_attempts = 0;
    qint32 m_maxAttempts = 1;
    quint32 m_size = 0; // of m_block
    quint8 m_state = quint8(JobState::Invalid);
    quint8 m_control = quint8(JobControl::None);
    quint8 m_flags = 0;
    // Each field's length (LEB128) and bytes, in Field order, then TailTimes if HasTimes. Not a
    // QByteArray: its header and its own size would be a tenth of the row.
    char *m_block = nullptr;
};

} // namespace spool::app
