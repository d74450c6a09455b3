// The published-benchmark check: FixedTime and MaxPressure under the LLMLight-30 and XLight-15
// protocols on the Jinan, Hangzhou and New York datasets (lane change on, seed 0) must reproduce
// the reference ATT of ../shared/data/tsc/PROTOCOL.md section 7 within 1% (the table of
// control/tsc_benchmarks.hpp; H2 LLMLight-30 FixedTime, given as a range, by its midpoint).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "citybrain/citybrain.hpp"
#include "citybrain/control/tsc_benchmarks.hpp"

namespace citybrain {
namespace {

std::string tsc_dir() {
  return std::string(CITYBRAIN_SHARED_DATA_DIR) + "/tsc";
}

std::string protocol_name(control::Protocol p) {
  return p == control::Protocol::kLLMLight30 ? "llmlight30" : "xlight15";
}

class BenchmarkDataset : public ::testing::TestWithParam<control::TscReference> {};

TEST_P(BenchmarkDataset, AttWithinOnePercentOfReference) {
  const control::TscReference& c = GetParam();
  if (!std::filesystem::is_directory(tsc_dir())) {
    GTEST_SKIP() << "benchmark data not found at " << tsc_dir();
  }
  const control::TscDataset* files = control::find_tsc_dataset(c.dataset);
  ASSERT_NE(files, nullptr);
  Scenario scenario =
      load_scenario(tsc_dir() + "/" + files->roadnet, tsc_dir() + "/" + files->flow);
  RunOptions options;
  options.duration = 3600;
  options.controller = c.controller;
  options.protocol = protocol_name(c.protocol);
  options.lane_change = true;
  options.seed = 0;
  options.threads = 1;
  Report report = run(scenario, options);
  RecordProperty("att", std::to_string(report.att));
  EXPECT_NEAR(report.att, c.att(), 0.01 * c.att())
      << c.dataset << " " << protocol_name(c.protocol) << " " << c.controller << ": ATT "
      << report.att << " (reference " << c.att() << ", " << report.att_vehicles << " vehicles)";
}

std::string case_name(const ::testing::TestParamInfo<control::TscReference>& info) {
  return std::string(info.param.dataset) + "_" + protocol_name(info.param.protocol) + "_" +
         info.param.controller;
}

INSTANTIATE_TEST_SUITE_P(Protocol7, BenchmarkDataset,
                         ::testing::ValuesIn(control::tsc_references()), case_name);

}  // namespace
}  // namespace citybrain
