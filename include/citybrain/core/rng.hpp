// Counter-based random numbers: a value is a pure function of (seed, stream, counter), so a result
// never depends on which thread drew it or in which order.
#pragma once

#include <cstdint>

namespace citybrain {

constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t random_u64(std::uint64_t seed, std::uint64_t stream,
                                   std::uint64_t counter) {
  return mix64(mix64(seed ^ mix64(stream)) ^ counter);
}

// A bijection on 32-bit integers keyed by seed: distinct counters give distinct values, which is
// what unique vehicle priorities need.
constexpr std::uint32_t permute_u32(std::uint64_t seed, std::uint32_t x) {
  std::uint32_t k = static_cast<std::uint32_t>(mix64(seed));
  std::uint32_t k2 = static_cast<std::uint32_t>(mix64(seed) >> 32) | 1u;
  for (int round = 0; round < 3; ++round) {
    x ^= k;
    x *= 0x9e3779b1u | k2;
    x ^= x >> 15;
    x *= 0x85ebca6bu;
    x ^= x >> 13;
  }
  return x;
}

}  // namespace citybrain
