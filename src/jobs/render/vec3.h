#pragma once

#include <cmath>

namespace spool::render {

// The little vector math the renderer needs; floats, as Embree takes them.
struct Vec3
{
    float x = 0, y = 0, z = 0;

    Vec3 operator+(Vec3 o) const { return { x + o.x, y + o.y, z + o.z }; }
    Vec3 operator-(Vec3 o) const { return { x - o.x, y - o.y, z - o.z }; }
    Vec3 operator*(float s) const { return { x * s, y * s, z * s }; }
    Vec3 operator*(Vec3 o) const { return { x * o.x, y * o.y, z * o.z }; }
    Vec3 operator-() const { return { -x, -y, -z }; }
    Vec3 &operator+=(Vec3 o)
    {
        x += o.x;
        y += o.y;
        z += o.z;
        return *this;
    }
};

inline float dot(Vec3 a, Vec3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}
inline Vec3 cross(Vec3 a, Vec3 b)
{
    return { a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x };
}
inline float length(Vec3 a)
{
    return std::sqrt(dot(a, a));
}
inline Vec3 normalize(Vec3 a)
{
    const float l = length(a);
    return l > 0 ? a * (1.0f / l) : Vec3 { 0, 0, 1 };
}

struct Bounds
{
    Vec3 lo { INFINITY, INFINITY, INFINITY };
    Vec3 hi { -INFINITY, -INFINITY, -INFINITY };

    void add(Vec3 p)
    {
        lo = { std::fmin(lo.x, p.x), std::fmin(lo.y, p.y), std::fmin(lo.z, p.z) };
        hi = { std::fmax(hi.x, p.x), std::fmax(hi.y, p.y), std::fmax(hi.z, p.z) };
    }
    bool isEmpty() const { return !(lo.x <= hi.x && lo.y <= hi.y && lo.z <= hi.z); }
    Vec3 center() const { return (lo + hi) * 0.5f; }
    float radius() const { return length(hi - lo) * 0.5f; }
};

} // namespace spool::render
