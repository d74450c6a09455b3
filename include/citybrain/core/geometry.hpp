// Planar geometry in metres: points, vectors and polylines as CityFlow lays roads and lane links.
#pragma once

#include <cmath>
#include <span>
#include <vector>

namespace citybrain {

struct Point {
  double x = 0;
  double y = 0;

  constexpr Point operator+(const Point& o) const { return {x + o.x, y + o.y}; }
  constexpr Point operator-(const Point& o) const { return {x - o.x, y - o.y}; }
  constexpr Point operator*(double k) const { return {x * k, y * k}; }
  constexpr Point operator-() const { return {-x, -y}; }
  constexpr bool operator==(const Point&) const = default;
  double length() const { return std::sqrt(x * x + y * y); }
  Point unit() const {
    double l = length();
    return {x / l, y / l};
  }
  // The left normal (rotated +90 degrees).
  constexpr Point normal() const { return {-y, x}; }
};

constexpr double cross(const Point& a, const Point& b) {
  return a.x * b.y - a.y * b.x;
}
constexpr double dot(const Point& a, const Point& b) {
  return a.x * b.x + a.y * b.y;
}

double polyline_length(std::span<const Point> points);
// The point at arc length `distance` along the polyline, clamped to its ends.
Point point_at(std::span<const Point> points, double distance);
// The unit direction of the segment that contains arc length `distance`.
Point direction_at(std::span<const Point> points, double distance);

}  // namespace citybrain
