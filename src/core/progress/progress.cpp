#include "progress.h"

#include <algorithm>

namespace spool {

double Progress::fraction() const
{
    if (total <= 0)
        return total == 0 ? 1.0 : 0.0;
    return std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
}

} // namespace spool
