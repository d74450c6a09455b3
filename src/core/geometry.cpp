#include "citybrain/core/geometry.hpp"

#include <algorithm>

namespace citybrain {

double polyline_length(std::span<const Point> points) {
  double length = 0;
  for (std::size_t i = 1; i < points.size(); ++i) length += (points[i] - points[i - 1]).length();
  return length;
}

Point point_at(std::span<const Point> points, double distance) {
  distance = std::min(std::max(distance, 0.0), polyline_length(points));
  if (distance <= 0.0) return points.front();
  for (std::size_t i = 1; i < points.size(); ++i) {
    double len = (points[i - 1] - points[i]).length();
    if (distance > len) {
      distance -= len;
    } else {
      return points[i - 1] + (points[i] - points[i - 1]) * (distance / len);
    }
  }
  return points.back();
}

Point direction_at(std::span<const Point> points, double distance) {
  double remain = distance;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    double len = (points[i + 1] - points[i]).length();
    if (remain < len) return (points[i + 1] - points[i]).unit();
    remain -= len;
  }
  return (points[points.size() - 1] - points[points.size() - 2]).unit();
}

}  // namespace citybrain
