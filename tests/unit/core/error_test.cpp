#include "citybrain/core/error.hpp"

#include <gtest/gtest.h>

namespace citybrain {
namespace {

TEST(Error, WhatJoinsWhereAndDetail) {
  Error e(ErrorCode::kInvalidInput, "r.json: /roads/3/lanes", "expected an array");
  EXPECT_STREQ(e.what(), "r.json: /roads/3/lanes: expected an array");
  EXPECT_EQ(e.where(), "r.json: /roads/3/lanes");
  EXPECT_EQ(e.detail(), "expected an array");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
}

TEST(Error, EmptyWhereIsJustTheDetail) {
  Error e(ErrorCode::kInternal, "", "boom");
  EXPECT_STREQ(e.what(), "boom");
}

TEST(Error, OneTableForExitCodesAndHttpStatuses) {
  EXPECT_EQ(exit_code(ErrorCode::kInvalidInput), 2);
  EXPECT_EQ(exit_code(ErrorCode::kNotFound), 2);
  EXPECT_EQ(exit_code(ErrorCode::kInvalidArgument), 2);
  EXPECT_EQ(exit_code(ErrorCode::kIo), 2);
  EXPECT_EQ(exit_code(ErrorCode::kInternal), 70);
  EXPECT_EQ(http_status(ErrorCode::kInvalidInput), 400);
  EXPECT_EQ(http_status(ErrorCode::kNotFound), 404);
  EXPECT_EQ(http_status(ErrorCode::kInternal), 500);
  EXPECT_STREQ(to_string(ErrorCode::kNotFound), "not_found");
}

}  // namespace
}  // namespace citybrain

namespace citybrain {
namespace {

TEST(ErrorTable, EveryCodeHasOneRowAndAMissingFileIsItsOwnKind) {
  for (ErrorCode code : {ErrorCode::kInvalidInput, ErrorCode::kNotFound, ErrorCode::kFileNotFound,
                         ErrorCode::kInvalidArgument, ErrorCode::kIo, ErrorCode::kInternal}) {
    int rows = 0;
    for (const ErrorKind& kind : error_kinds()) rows += kind.code == code;
    EXPECT_EQ(rows, 1) << to_string(code);
    EXPECT_EQ(error_kind(code).code, code);
  }
  EXPECT_EQ(exit_code(ErrorCode::kFileNotFound), 2);
  EXPECT_EQ(http_status(ErrorCode::kFileNotFound), 404);
  EXPECT_EQ(error_kind(ErrorCode::kFileNotFound).python_base, PythonBase::kFileNotFound);
}

}  // namespace
}  // namespace citybrain
