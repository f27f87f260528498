#pragma once

#include <QString>

namespace spool::pluginsafety {

// Why the plugin at `file` (a canonical path) must not be loaded: someone other than this user
// or root could have changed it, or a folder on its way from the root — as ssh refuses keys and
// configurations that others can write. A sticky folder (/tmp) does not count: others cannot
// replace an entry they do not own there. Empty when the plugin is safe to load.
QString refusal(const QString &file);

} // namespace spool::pluginsafety
