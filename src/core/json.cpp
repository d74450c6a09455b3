#include "citybrain/core/json.hpp"

#include <cmath>
#include <filesystem>

#include "citybrain/core/error.hpp"

namespace citybrain {

namespace {

const char* type_name(simdjson::dom::element_type type) {
  using T = simdjson::dom::element_type;
  switch (type) {
    case T::ARRAY:
      return "an array";
    case T::OBJECT:
      return "an object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "a number";
    case T::STRING:
      return "a string";
    case T::BOOL:
      return "a boolean";
    case T::NULL_VALUE:
      return "null";
  }
  return "a value";
}

std::string shorten(std::string text) {
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace

std::string JsonNode::where() const {
  return *m_file + ": " + (m_path.empty() ? "/" : m_path);
}

void JsonNode::fail(const std::string& what) const {
  throw Error(ErrorCode::kInvalidInput, where(), what);
}

std::string JsonNode::describe() const {
  std::string text = simdjson::to_string(m_element);
  return std::string(type_name(m_element.type())) + " (" + shorten(std::move(text)) + ")";
}

void JsonNode::type_error(const char* expected) const {
  fail(std::string("expected ") + expected + ", found " + describe());
}

JsonNode JsonNode::at(std::string_view key) const {
  if (!m_element.is_object()) type_error("an object");
  simdjson::dom::element child;
  if (m_element.get_object().at_key(key).get(child) != simdjson::SUCCESS) {
    fail("missing field \"" + std::string(key) + "\"");
  }
  return JsonNode(child, m_path + "/" + std::string(key), m_file);
}

std::optional<JsonNode> JsonNode::find(std::string_view key) const {
  if (!m_element.is_object()) type_error("an object");
  simdjson::dom::element child;
  if (m_element.get_object().at_key(key).get(child) != simdjson::SUCCESS) return std::nullopt;
  return JsonNode(child, m_path + "/" + std::string(key), m_file);
}

std::size_t JsonNode::size() const {
  if (!m_element.is_array()) type_error("an array");
  return m_element.get_array().size();
}

std::vector<JsonNode> JsonNode::items() const {
  if (!m_element.is_array()) type_error("an array");
  std::vector<JsonNode> out;
  std::size_t i = 0;
  for (simdjson::dom::element child : m_element.get_array()) {
    out.emplace_back(child, m_path + "/" + std::to_string(i++), m_file);
  }
  return out;
}

JsonNode JsonNode::operator[](std::size_t index) const {
  if (!m_element.is_array()) type_error("an array");
  simdjson::dom::element child;
  if (m_element.get_array().at(index).get(child) != simdjson::SUCCESS) {
    fail("index " + std::to_string(index) + " out of range");
  }
  return JsonNode(child, m_path + "/" + std::to_string(index), m_file);
}

double JsonNode::as_double() const {
  if (!m_element.is_number()) type_error("a number");
  double value = 0;
  if (m_element.is_double()) {
    value = m_element.get_double().value_unsafe();
  } else if (m_element.is_int64()) {
    value = static_cast<double>(m_element.get_int64().value_unsafe());
  } else {
    value = static_cast<double>(m_element.get_uint64().value_unsafe());
  }
  if (!std::isfinite(value)) type_error("a finite number");
  return value;
}

std::int64_t JsonNode::as_int() const {
  if (m_element.is_int64()) return m_element.get_int64().value_unsafe();
  if (m_element.is_double()) {
    double value = m_element.get_double().value_unsafe();
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9e15) {
      return static_cast<std::int64_t>(value);
    }
  }
  type_error("an integer");
}

bool JsonNode::as_bool() const {
  if (!m_element.is_bool()) type_error("a boolean (true or false)");
  return m_element.get_bool().value_unsafe();
}

std::string_view JsonNode::as_string() const {
  if (!m_element.is_string()) type_error("a string");
  return m_element.get_string().value_unsafe();
}

double JsonNode::get_double(std::string_view key, double fallback) const {
  auto node = find(key);
  return node ? node->as_double() : fallback;
}

std::int64_t JsonNode::get_int(std::string_view key, std::int64_t fallback) const {
  auto node = find(key);
  return node ? node->as_int() : fallback;
}

bool JsonNode::get_bool(std::string_view key, bool fallback) const {
  auto node = find(key);
  return node ? node->as_bool() : fallback;
}

std::string JsonNode::get_string(std::string_view key, std::string_view fallback) const {
  auto node = find(key);
  return node ? std::string(node->as_string()) : std::string(fallback);
}

std::unique_ptr<JsonDocument> JsonDocument::load(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorCode::kFileNotFound, file, "file not found (expected a readable JSON file)");
  }
  simdjson::padded_string text;
  if (simdjson::padded_string::load(file).get(text) != simdjson::SUCCESS) {
    throw Error(ErrorCode::kIo, file, "cannot read file");
  }
  return parse(std::string_view(text.data(), text.size()), file);
}

std::unique_ptr<JsonDocument> JsonDocument::parse(std::string_view text, const std::string& name) {
  std::unique_ptr<JsonDocument> doc(new JsonDocument());
  doc->m_file = name;
  auto error = doc->m_parser.parse(text.data(), text.size(), true).get(doc->m_root);
  if (error != simdjson::SUCCESS) {
    throw Error(ErrorCode::kInvalidInput, name,
                std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  return doc;
}

std::size_t invalid_utf8_line(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return 0;
  // Only on the error path: find the line (UTF-8 sequences never contain '\n').
  std::size_t line = 1;
  for (std::size_t begin = 0; begin <= text.size(); ++line) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    if (!simdjson::validate_utf8(text.data() + begin, end - begin)) return line;
    begin = end + 1;
  }
  return line;
}

}  // namespace citybrain
