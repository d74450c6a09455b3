// The probe CSV reader: fields, optional columns, and errors naming line, field and value.
#include <gtest/gtest.h>

#include "citybrain/core/error.hpp"
#include "citybrain/sense/probe.hpp"

namespace citybrain::sense {
namespace {

TEST(ProbeCsv, ParsesWithHeaderAndOptionalFields) {
  const ProbeSet s = parse_probe_csv(
      "id,time,lon,lat,speed,heading\n"
      "# a comment\n"
      "taxi7,10,120.1,30.2\n"
      "bus1,11.5,120.2,30.3,8.5,270\r\n"
      "taxi7,12,120.15,30.25,,90\n",
      "p.csv");
  ASSERT_EQ(s.points.size(), 3u);
  ASSERT_EQ(s.vehicle_names.size(), 2u);
  EXPECT_EQ(s.vehicle_names[0], "taxi7");
  EXPECT_EQ(s.points[2].vehicle, 0u);
  EXPECT_EQ(s.points[1].vehicle, 1u);
  EXPECT_DOUBLE_EQ(s.points[1].time, 11.5);
  EXPECT_FLOAT_EQ(s.points[1].speed, 8.5f);
  EXPECT_FLOAT_EQ(s.points[1].heading, 270.f);
  EXPECT_LT(s.points[0].speed, 0.f);
  EXPECT_LT(s.points[2].speed, 0.f);
  EXPECT_FLOAT_EQ(s.points[2].heading, 90.f);
}

void expect_error(const std::string& text, const std::string& where, const std::string& part) {
  try {
    parse_probe_csv(text, "p.csv");
    FAIL() << "expected an error for: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    EXPECT_EQ(e.where(), where) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(ProbeCsv, ErrorsNameLineFieldAndValue) {
  expect_error("v,1,2,3\nv,abc,2,3\n", "p.csv:2", "time: value 'abc'");
  expect_error("v,1,2\n", "p.csv:1", "3 fields, expected id,time,lon,lat");
  expect_error("v,1,2,3,4,5,6\n", "p.csv:1", "7 fields, expected");
  expect_error("v,1,2,nan\n", "p.csv:1", "lat: value 'nan'");
  expect_error(",1,2,3\n", "p.csv:1", "id: value ''");
  expect_error("v,1,2,3,-4\n", "p.csv:1", "speed: value '-4', expected m/s");
  expect_error("v,1,2,3,4,400\n", "p.csv:1", "heading: value '400'");
  expect_error("id,time,lon,lat\nv,1,2,3 4\n", "p.csv:2", "lat: value '3 4'");
}

TEST(ProbeCsv, EmptyAndMissingFile) {
  EXPECT_TRUE(parse_probe_csv("", "p.csv").points.empty());
  EXPECT_TRUE(parse_probe_csv("id,time,lon,lat\n", "p.csv").points.empty());
  try {
    load_probe_csv("/nonexistent/points.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

}  // namespace
}  // namespace citybrain::sense
