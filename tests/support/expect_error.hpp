// Runs a loader call that must throw citybrain::Error and returns the error for inspection.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>

#include "citybrain/core/error.hpp"

namespace citybrain::test {

inline std::optional<Error> catch_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

inline std::string read_text(const std::string& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string fixture(const std::string& name) {
  return std::string(CITYBRAIN_FIXTURES_DIR) + "/" + name;
}

}  // namespace citybrain::test

// Asserts that `stmt` throws citybrain::Error whose where() contains `path` and whose what()
// contains every one of the following strings.
#define EXPECT_LOAD_ERROR(stmt, path, ...)                                                    \
  do {                                                                                        \
    auto citybrain_err = ::citybrain::test::catch_error([&] { (void)(stmt); });               \
    ASSERT_TRUE(citybrain_err.has_value()) << "expected citybrain::Error from " #stmt;        \
    EXPECT_NE(citybrain_err->where().find(path), std::string::npos)                           \
        << "where() = " << citybrain_err->where() << ", expected path " << (path);            \
    for (const std::string& citybrain_needle : {__VA_ARGS__}) {                               \
      EXPECT_NE(std::string(citybrain_err->what()).find(citybrain_needle), std::string::npos) \
          << "what() = " << citybrain_err->what() << ", expected to name " << citybrain_needle; \
    }                                                                                         \
  } while (0)
