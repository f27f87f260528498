#pragma once

#include <algorithm>
#include <cstdlib>

#include <QImage>

namespace spool::test {

// The largest difference of one 8-bit channel between two pictures of one size: renders whose
// sums were added in another order differ by at most 1.
inline int maxChannelDifference(const QImage &a, const QImage &b)
{
    int worst = 0;
    for (int y = 0; y < a.height(); ++y) {
        for (int x = 0; x < a.width(); ++x) {
            const QRgb p = a.pixel(x, y), q = b.pixel(x, y);
            worst = std::max({ worst, std::abs(qRed(p) - qRed(q)), std::abs(qGreen(p) - qGreen(q)),
                std::abs(qBlue(p) - qBlue(q)) });
        }
    }
    return worst;
}

} // namespace spool::test
