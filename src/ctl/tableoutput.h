#pragma once

#include <QList>
#include <QStringList>
#include <QTextStream>

namespace spool::ctl {

// A local time for tables ("2026-12-01 14:05:09"), "-" for none.
QString formatLocalTime(qint64 ms);
// Columns padded to their widest cell, two spaces apart; the first row is the header.
void printTable(QTextStream &out, const QList<QStringList> &rows);

} // namespace spool::ctl
