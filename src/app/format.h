#pragma once

#include <QString>

#include "job/jobrecord.h"
#include "progress/progress.h"

namespace spool::app::format {

// "12.4 MiB", "980 bytes"
QString bytes(qint64 count);
// A count: exact below 100,000, else with an SI prefix and three digits ("15.0 M").
QString count(double value);
// An amount in a job's progress unit: bytes, milliseconds of work, pages, items.
QString amount(qint64 value, const QString &unit);
// "4.2 MiB/s", "1.0 s/s", "3 pages/s"; empty when not known.
QString rate(double perSecond, const QString &unit);
// "1 h 02 min", "3 min 20 s", "45 s", "∞" (stalled), "unknown" (no total).
QString eta(qint64 ms, bool totalKnown, double ratePerSecond);
QString duration(qint64 ms);
// "14:03:22" today, "2026-11-24 14:03" before; empty for 0.
QString timestamp(qint64 ms);
QString stateName(JobState state);
// The state with a pending stop request, e.g. "Running (pausing)".
QString stateText(const JobRecord &record);
// A job's parameters in one line: "samples: 64 · out: /x.png · deliver: yes".
QString paramsText(const QJsonObject &params);

} // namespace spool::app::format
