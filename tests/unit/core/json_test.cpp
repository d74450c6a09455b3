#include "citybrain/core/json.hpp"

#include <gtest/gtest.h>

#include "citybrain/core/error.hpp"
#include "support/expect_error.hpp"

namespace citybrain {
namespace {

TEST(Json, PathsNameEveryStep) {
  auto doc = JsonDocument::parse(R"({"a": [1, {"b": "x"}]})", "t.json");
  JsonNode b = doc->root().at("a")[1].at("b");
  EXPECT_EQ(b.path(), "/a/1/b");
  EXPECT_EQ(b.where(), "t.json: /a/1/b");
  EXPECT_EQ(b.as_string(), "x");
}

TEST(Json, MissingFieldNamesTheField) {
  auto doc = JsonDocument::parse(R"({"a": {}})", "t.json");
  EXPECT_LOAD_ERROR(doc->root().at("a").at("zz"), "t.json: /a", "missing field \"zz\"");
}

TEST(Json, WrongTypeNamesTheValue) {
  auto doc = JsonDocument::parse(R"({"a": "seven"})", "t.json");
  EXPECT_LOAD_ERROR(doc->root().at("a").as_double(), "t.json: /a", "a string", "seven");
}

TEST(Json, OptionalMembersFallBackButMustBeValidWhenPresent) {
  auto doc = JsonDocument::parse(R"({"a": true})", "t.json");
  EXPECT_EQ(doc->root().get_double("x", 2.5), 2.5);
  EXPECT_LOAD_ERROR(doc->root().get_double("a", 1.0), "t.json: /a", "true");
}

TEST(Json, MalformedJsonIsInvalidInput) {
  auto err = test::catch_error([] { JsonDocument::parse(R"({"a": [1, 2)", "broken.json"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(err->where(), "broken.json");
  EXPECT_NE(std::string(err->what()).find("malformed JSON"), std::string::npos);
}

TEST(Json, InvalidUtf8LineNamesTheLine) {
  EXPECT_EQ(invalid_utf8_line(""), 0u);
  EXPECT_EQ(invalid_utf8_line("plain\nStra\xc3\x9f"
                              "e\n"),
            0u);
  EXPECT_EQ(invalid_utf8_line("a\nb\n\xba\n"), 3u);
  EXPECT_EQ(invalid_utf8_line("a\xe2\x82"), 1u);  // truncated sequence at the end
  EXPECT_EQ(invalid_utf8_line("ok\n\xc3\nok"), 2u);
}

TEST(Json, MissingFileIsNotFound) {
  auto err = test::catch_error([] { JsonDocument::load("/nonexistent/dir/none.json"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kFileNotFound);
  EXPECT_NE(std::string(err->what()).find("/nonexistent/dir/none.json"), std::string::npos);
}

}  // namespace
}  // namespace citybrain
