// libFuzzer target for the probe CSV reader: any input either parses or throws citybrain::Error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "citybrain/core/error.hpp"
#include "citybrain/sense/probe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto set = citybrain::sense::parse_probe_csv(text, "fuzz.csv");
    for (const auto& p : set.points) {
      if (p.vehicle >= set.vehicle_names.size()) __builtin_trap();
    }
  } catch (const citybrain::Error&) {
  }
  return 0;
}
