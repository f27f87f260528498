#pragma once

#include <QMetaType>
#include <QString>
#include <QUuid>

namespace spool {

// Common progress units. Kinds may use their own words; these are the ones the UI formats.
namespace units {
inline const QString Bytes = QStringLiteral("bytes");
inline const QString Milliseconds = QStringLiteral("ms");
inline const QString Samples = QStringLiteral("samples");
inline const QString Tiles = QStringLiteral("tiles");
inline const QString Items = QStringLiteral("items");
inline const QString Parts = QStringLiteral("parts");
} // namespace units

// Work done out of total, in one unit. 64-bit: a download can pass 4 GiB.
struct Progress
{
    qint64 done = 0;
    qint64 total = -1; // -1: not known (a download without Content-Length)
    QString unit;

    bool totalKnown() const { return total >= 0; }
    // 0..1; 0 when the total is not known.
    double fraction() const;
    friend bool operator==(const Progress &, const Progress &) = default;
};

// One coalesced progress report for a running job, with derived speed and ETA.
struct JobProgress
{
    QUuid id;
    Progress progress;
    double ratePerSecond = -1; // units per second, smoothed; -1 when not known yet
    qint64 etaMs = -1; // -1 when it cannot be known (no total, or no speed yet)
    qint64 sampledAtMs = 0;
};

} // namespace spool

// Qt value types only: movable in memory as bytes (see JobRecord's).
Q_DECLARE_TYPEINFO(spool::Progress, Q_RELOCATABLE_TYPE);
Q_DECLARE_TYPEINFO(spool::JobProgress, Q_RELOCATABLE_TYPE);

Q_DECLARE_METATYPE(spool::JobProgress)
