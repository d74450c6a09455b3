// The HTTP API as a pure function of a request (docs/api.md): routing, authorisation, query and
// body validation, JSON answers and errors, static files of the dashboard. No sockets here: the
// server (server.hpp) only moves bytes, and the tests and the fuzzer call handle() directly.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "citybrain/serve/service.hpp"

namespace citybrain::serve {

inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string target;  // path and query, as sent: "/api/history?metric=att"
  std::string authorization;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Cached text shared with other responses (state JSON, files); body is ignored when set.
  std::shared_ptr<const std::string> shared_body;
  const std::string& text() const { return shared_body ? *shared_body : body; }
};

// An API error: its HTTP status, code (bad_request, unauthorized, ...) and message.
Response error_response(int status, const std::string& message);

// Splits "a=1&b=x%20y" (percent- and plus-decoding); throws Error (invalid input) naming a
// malformed parameter.
std::map<std::string, std::string> parse_query(std::string_view query);
// Percent-decodes a path or query part; false when an escape is malformed.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);

class Api {
 public:
  // token: the bearer token control endpoints require. web_dir: the dashboard's files (empty:
  // no static files).
  Api(Service& service, std::string token, std::filesystem::path web_dir);

  Response handle(const Request& request) const;

  // The stream's rate from its query ("hz"); throws Error (invalid input / argument).
  static double stream_hz(std::string_view target);

 private:
  Response route(const Request& request) const;
  Response static_file(const std::string& path) const;
  void require_token(const Request& request) const;

  Service& m_service;
  std::string m_token;
  std::filesystem::path m_web_dir;
};

// A fresh random token (64 hex digits).
std::string make_token();
// The token in data_dir/token, created with permissions 0600 when absent (created is set then).
// Throws Error (io) when the directory or file cannot be used.
std::string load_or_create_token(const std::filesystem::path& data_dir, bool& created);

}  // namespace citybrain::serve
