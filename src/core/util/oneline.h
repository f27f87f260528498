#pragma once

#include <QString>

namespace spool {

// `text` with control characters (newlines, tabs, escapes) shown as "?": a reason that quotes
// what a stranger typed or sent stays one line and cannot move a terminal's cursor.
QString oneLine(QString text);

} // namespace spool
