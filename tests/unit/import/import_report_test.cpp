#include "citybrain/import/import_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace citybrain::import {
namespace {

TEST(ImportReport, SummaryCountsKeptAndDroppedPerReason) {
  ImportReport r;
  r.keep("edge", 3);
  r.drop("edge", "e7", "no drivable lane");
  r.drop("edge", "e9", "no drivable lane");
  r.drop("vehicle", "v1", "route edge 'x' unknown");
  EXPECT_EQ(r.kept("edge"), 3u);
  EXPECT_EQ(r.dropped_count("edge"), 2u);
  EXPECT_EQ(r.summary(),
            "edge: 3 kept, 2 dropped (no drivable lane: 2)\n"
            "vehicle: 0 kept, 1 dropped (route edge 'x' unknown: 1)\n");
  const nlohmann::json j = r.to_json(true);
  EXPECT_EQ(j["dropped"]["edge"]["no drivable lane"], 2);
  ASSERT_EQ(j["dropped_elements"].size(), 3u);
  EXPECT_EQ(j["dropped_elements"][2]["id"], "v1");
  EXPECT_FALSE(r.to_json(false).contains("dropped_elements"));
}

}  // namespace
}  // namespace citybrain::import
