#include "citybrain/control/tsc_benchmarks.hpp"

namespace citybrain::control {

namespace {

constexpr const char* kJinan = "jinan_3x4/roadnet_3_4.json";
constexpr const char* kHangzhou = "hangzhou_4x4/roadnet_4_4.json";

constexpr TscDataset kDatasets[] = {
    {"J1", kJinan, "jinan_3x4/anon_3_4_jinan_real.json", 271.85, 247.32},
    {"J2", kJinan, "jinan_3x4/anon_3_4_jinan_real_2000.json", 266.94, 233.53},
    {"J3", kJinan, "jinan_3x4/anon_3_4_jinan_real_2500.json", 259.95, 229.45},
    {"H1", kHangzhou, "hangzhou_4x4/anon_4_4_hangzhou_real.json", 304.47, 271.73},
    {"H2", kHangzhou, "hangzhou_4x4/anon_4_4_hangzhou_real_5816.json", 327.82, 311.12},
    {"NY16x3", "newyork_16x3/roadnet_16_3.json", "newyork_16x3/anon_16_3_newyork_real.json", 0, 0},
};

constexpr Protocol kL30 = Protocol::kLLMLight30;
constexpr Protocol kX15 = Protocol::kXLight15;

constexpr TscReference kReferences[] = {
    {"J1", kL30, "fixed", 481.79, 481.79, 6062, 540.50},
    {"J2", kL30, "fixed", 441.19, 441.19, 4365, 479.56},
    {"J3", kL30, "fixed", 450.11, 450.11, 5397, 496.82},
    {"H1", kL30, "fixed", 616.02, 616.02, 2922, 667.88},
    {"H2", kL30, "fixed", 486.66, 486.77, 5276, 610.8},
    {"NY16x3", kL30, "fixed", 1038.20, 1038.20, 2460, 1082.03},
    {"J1", kL30, "maxpressure", 282.58, 282.58, 6295, 326.86},
    {"J2", kL30, "maxpressure", 273.20, 273.20, 4365, 317.84},
    {"J3", kL30, "maxpressure", 265.75, 265.75, 5494, 309.79},
    {"H1", kL30, "maxpressure", 325.33, 325.33, 2983, 365.72},
    {"H2", kL30, "maxpressure", 347.74, 347.74, 6036, 442.13},
    {"NY16x3", kL30, "maxpressure", 467.64, 467.64, 2745, 528.23},
    {"J1", kX15, "fixed", 429.27, 429.27, 6040, 499.80},
    {"J2", kX15, "fixed", 370.34, 370.34, 4365, 412.67},
    {"J3", kX15, "fixed", 384.87, 384.87, 5377, 445.53},
    {"H1", kX15, "fixed", 497.87, 497.87, 2873, 567.23},
    {"H2", kX15, "fixed", 408.31, 408.31, 5191, 558.50},
    {"NY16x3", kX15, "fixed", 1070.45, 1070.45, 2407, 1120.25},
    {"J1", kX15, "maxpressure", 274.99, 274.99, 6295, 319.99},
    {"J2", kX15, "maxpressure", 246.41, 246.41, 4365, 293.23},
    {"J3", kX15, "maxpressure", 244.63, 244.63, 5494, 291.03},
    {"H1", kX15, "maxpressure", 289.55, 289.55, 2983, 334.20},
    {"H2", kX15, "maxpressure", 349.85, 349.85, 6031, 441.74},
    {"NY16x3", kX15, "maxpressure", 775.63, 775.63, 2658, 825.64},
};

}  // namespace

std::span<const TscDataset> tsc_datasets() {
  return kDatasets;
}

const TscDataset* find_tsc_dataset(std::string_view key) {
  for (const TscDataset& d : kDatasets)
    if (key == d.key) return &d;
  return nullptr;
}

std::span<const TscReference> tsc_references() {
  return kReferences;
}

const TscReference* find_tsc_reference(std::string_view dataset, Protocol protocol,
                                       std::string_view controller) {
  for (const TscReference& r : kReferences)
    if (dataset == r.dataset && protocol == r.protocol && controller == r.controller) return &r;
  return nullptr;
}

}  // namespace citybrain::control
