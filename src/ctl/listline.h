#pragma once

#include <optional>

#include <QString>

namespace spool::ctl {

// One line of `spoolctl add download --from FILE`: "URL [NAME]", the name being the rest of the
// line after the first white space. Nothing for blank lines and "#" comments.
struct ListLine
{
    QString url;
    QString name; // empty: from the server or the URL
};
std::optional<ListLine> parseListLine(const QString &line);

} // namespace spool::ctl
