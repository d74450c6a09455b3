// The CityFlow TSC benchmark datasets and the figures they are judged by, in one place: the files
// of each dataset (../shared/data/tsc/PROVENANCE.md), the best published ATT per protocol
// (PUBLISHED.md) and CityFlow's own FixedTime and MaxPressure values (PROTOCOL.md section 7). The
// CLI (citybrain evaluate), the dataset tests and bench/fidelity.sh all read them from here.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "citybrain/control/protocol.hpp"

namespace citybrain::control {

struct TscDataset {
  const char* key;      // J1, J2, J3, H1, H2, NY16x3 (PUBLISHED.md)
  const char* roadnet;  // relative to the TSC data folder
  const char* flow;
  double best_llmlight30;  // PUBLISHED.md A: lowest figure of its column (0: none published)
  double best_xlight15;    // PUBLISHED.md B: DiffLight's best (Advanced-CoLight) row (0: none)
  double best(Protocol p) const {
    return p == Protocol::kLLMLight30 ? best_llmlight30 : best_xlight15;
  }
};

std::span<const TscDataset> tsc_datasets();
// nullptr for an unknown key.
const TscDataset* find_tsc_dataset(std::string_view key);

// One row of PROTOCOL.md section 7 (CityFlow@81ee0f4, lane change on, seed 0).
struct TscReference {
  const char* dataset;
  Protocol protocol;
  const char* controller;    // fixed | maxpressure
  double att_low, att_high;  // ATT (section 3.1); a range where the seed moves it
  std::size_t vehicles;      // n: vehicles in the average
  double att_cityflow;       // CF: CityFlow's get_average_travel_time at 3600
  double att() const { return (att_low + att_high) / 2; }
};

std::span<const TscReference> tsc_references();
// nullptr when section 7 has no such row.
const TscReference* find_tsc_reference(std::string_view dataset, Protocol protocol,
                                       std::string_view controller);

}  // namespace citybrain::control
