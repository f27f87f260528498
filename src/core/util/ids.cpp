#include "ids.h"

#include <random>

#include <QRandomGenerator>

namespace spool {

QUuid newJobId()
{
    thread_local std::mt19937_64 generator = [] {
        std::seed_seq seed { QRandomGenerator::system()->generate(),
            QRandomGenerator::system()->generate(), QRandomGenerator::system()->generate(),
            QRandomGenerator::system()->generate() };
        return std::mt19937_64(seed);
    }();
    const quint64 high = generator();
    const quint64 low = generator();
    // Version 4 in the top nibble of data3, the RFC 4122 variant in the top bits of data4[0].
    const auto byte = [](quint64 v, int i) { return static_cast<uchar>(v >> (56 - 8 * i)); };
    return QUuid(static_cast<uint>(high >> 32), static_cast<ushort>(high >> 16),
        static_cast<ushort>((high & 0x0FFF) | 0x4000),
        static_cast<uchar>((byte(low, 0) & 0x3F) | 0x80), byte(low, 1), byte(low, 2), byte(low, 3),
        byte(low, 4), byte(low, 5), byte(low, 6), byte(low, 7));
}

} // namespace spool
