// Dense 32-bit ids with strong types and an invalid sentinel. External string ids are mapped to
// these once, at load; everything after that indexes contiguous arrays with them.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace citybrain {

template <typename Tag>
struct Id {
  using value_type = std::uint32_t;
  static constexpr value_type kInvalidValue = std::numeric_limits<value_type>::max();

  value_type value = kInvalidValue;

  constexpr Id() = default;
  constexpr explicit Id(value_type v) : value(v) {}
  constexpr explicit Id(std::size_t v) : value(static_cast<value_type>(v)) {}
  constexpr explicit Id(int v) : value(static_cast<value_type>(v)) {}

  static constexpr Id invalid() { return Id{}; }
  constexpr bool valid() const { return value != kInvalidValue; }
  constexpr explicit operator bool() const { return valid(); }
  constexpr std::size_t index() const { return value; }
  constexpr auto operator<=>(const Id&) const = default;
};

struct IntersectionTag;
struct RoadTag;
struct LaneTag;
struct RoadLinkTag;
struct LaneLinkTag;
struct CrossTag;
struct VehicleTypeTag;
struct RouteTag;
struct FlowTag;

using IntersectionId = Id<IntersectionTag>;
using RoadId = Id<RoadTag>;
using LaneId = Id<LaneTag>;
using RoadLinkId = Id<RoadLinkTag>;
using LaneLinkId = Id<LaneLinkTag>;
using CrossId = Id<CrossTag>;
using VehicleTypeId = Id<VehicleTypeTag>;
using RouteId = Id<RouteTag>;
using FlowId = Id<FlowTag>;

}  // namespace citybrain

template <typename Tag>
struct std::hash<citybrain::Id<Tag>> {
  std::size_t operator()(const citybrain::Id<Tag>& id) const noexcept { return id.value; }
};
