// Reading JSON input with errors that name the file, the JSON path, the offending value and what
// was expected. Loaders walk documents through JsonNode and never touch simdjson errors directly.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace citybrain {

class JsonDocument;

class JsonNode {
 public:
  JsonNode(simdjson::dom::element element, std::string path, const std::string* file)
      : m_element(element), m_path(std::move(path)), m_file(file) {}

  const std::string& path() const { return m_path; }
  const std::string& file() const { return *m_file; }
  std::string where() const;

  bool is_object() const { return m_element.is_object(); }
  bool is_array() const { return m_element.is_array(); }
  bool is_null() const { return m_element.is_null(); }

  // Members of an object. `at` requires the member, `find` does not.
  JsonNode at(std::string_view key) const;
  std::optional<JsonNode> find(std::string_view key) const;

  // Elements of an array. Indexing walks the array; loops over large arrays use items().
  std::size_t size() const;
  std::vector<JsonNode> items() const;
  JsonNode operator[](std::size_t index) const;

  double as_double() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  std::string_view as_string() const;

  // Shorthands for a required member of a given type.
  double get_double(std::string_view key) const { return at(key).as_double(); }
  std::int64_t get_int(std::string_view key) const { return at(key).as_int(); }
  bool get_bool(std::string_view key) const { return at(key).as_bool(); }
  std::string get_string(std::string_view key) const { return std::string(at(key).as_string()); }

  // Optional members with defaults (the member may be absent, but if present it must be valid).
  double get_double(std::string_view key, double fallback) const;
  std::int64_t get_int(std::string_view key, std::int64_t fallback) const;
  bool get_bool(std::string_view key, bool fallback) const;
  std::string get_string(std::string_view key, std::string_view fallback) const;

  // Throws an input error at this node's place.
  [[noreturn]] void fail(const std::string& what) const;

 private:
  std::string describe() const;
  [[noreturn]] void type_error(const char* expected) const;

  simdjson::dom::element m_element;
  std::string m_path;
  const std::string* m_file;
};

// Owns the parser and the parsed document; the root node stays valid while the document lives.
class JsonDocument {
 public:
  // Reads and parses a file; a missing file is kIo/kNotFound, malformed JSON is kInvalidInput.
  static std::unique_ptr<JsonDocument> load(const std::string& file);
  static std::unique_ptr<JsonDocument> parse(std::string_view text, const std::string& name);

  JsonNode root() const { return JsonNode(m_root, "", &m_file); }

 private:
  JsonDocument() = default;
  std::string m_file;
  simdjson::dom::parser m_parser;
  simdjson::dom::element m_root;
};

// The first line (1-based) of text that is not valid UTF-8, or 0 when all of it is. For importers
// whose text ends up in JSON (which must be UTF-8).
std::size_t invalid_utf8_line(std::string_view text);

}  // namespace citybrain
