#include "citybrain/serve/api.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "citybrain/core/error.hpp"

namespace citybrain::serve {

namespace {

using nlohmann::json;

// An answer other than 200, thrown inside the handlers.
struct ApiError {
  int status;
  std::string message;
};

const char* code_of(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 422:
      return "unprocessable";
    default:
      return "internal";
  }
}

Response json_response(const json& j) {
  Response r;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

void require_method(const Request& req, const char* method) {
  if (req.method != method) {
    throw ApiError{405, "method " + req.method + " not allowed here (expected " + method + ")"};
  }
}

json parse_body(const Request& req) {
  if (req.body.size() > kMaxBodyBytes) {
    throw ApiError{413, "body: larger than " + std::to_string(kMaxBodyBytes) + " bytes"};
  }
  json j = json::parse(req.body, nullptr, false);
  if (j.is_discarded()) throw ApiError{400, "body: expected a JSON object (invalid JSON)"};
  if (!j.is_object()) throw ApiError{400, "body: expected a JSON object"};
  return j;
}

void allow_fields(const json& body, std::initializer_list<const char*> fields) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* f : fields) known = known || key == f;
    if (!known) throw ApiError{400, key + ": unknown field"};
  }
}

std::string string_field(const json& body, const char* name, bool required, std::size_t max_len,
                         const std::string& fallback = "") {
  auto it = body.find(name);
  if (it == body.end()) {
    if (required) throw ApiError{400, std::string(name) + ": required (a string)"};
    return fallback;
  }
  if (!it->is_string()) throw ApiError{400, std::string(name) + ": expected a string"};
  std::string s = it->get<std::string>();
  if (s.size() > max_len) {
    throw ApiError{422,
                   std::string(name) + ": longer than " + std::to_string(max_len) + " characters"};
  }
  return s;
}

std::int64_t integer_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end()) throw ApiError{400, std::string(name) + ": required (an integer)"};
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(INT32_MAX) ? INT32_MAX : static_cast<std::int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  throw ApiError{400, std::string(name) + ": expected an integer"};
}

double parse_number(const std::string& name, const std::string& text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto res = std::from_chars(text.data(), end, v);
  if (text.empty() || res.ec != std::errc() || res.ptr != end || !std::isfinite(v)) {
    throw ApiError{400, name + ": expected a number, found '" + text + "'"};
  }
  return v;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

const char* mime_type(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

Response error_response(int status, const std::string& message) {
  Response r;
  r.status = status;
  r.body =
      json{{"error", {{"status", status}, {"code", code_of(status)}, {"message", message}}}}.dump(
          -1, ' ', false, json::error_handler_t::replace);
  return r;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      unsigned value = 0;
      auto res = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
      if (res.ec != std::errc() || res.ptr != in.data() + i + 3) return false;
      out.push_back(static_cast<char>(value));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    std::string key, value;
    if (!percent_decode(part.substr(0, eq), key, true) ||
        (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), value, true))) {
      throw Error(ErrorCode::kInvalidInput, "query", "malformed percent escape");
    }
    out[key] = value;
  }
  return out;
}

Api::Api(Service& service, std::string token, std::filesystem::path web_dir)
    : m_service(service), m_token(std::move(token)), m_web_dir(std::move(web_dir)) {}

void Api::require_token(const Request& req) const {
  constexpr std::string_view kBearer = "Bearer ";
  std::string_view auth = req.authorization;
  if (auth.substr(0, kBearer.size()) != kBearer ||
      !constant_time_equal(auth.substr(kBearer.size()), m_token)) {
    throw ApiError{401,
                   "this endpoint requires Authorization: Bearer <token> (see the token "
                   "file in the data directory)"};
  }
}

double Api::stream_hz(std::string_view target) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return 5.0;
  auto params = parse_query(target.substr(q + 1));
  double hz = 5.0;
  for (const auto& [k, v] : params) {
    if (k != "hz") throw Error(ErrorCode::kInvalidInput, k, "unknown query parameter");
    hz = 0;
    const char* end = v.data() + v.size();
    auto res = std::from_chars(v.data(), end, hz);
    if (v.empty() || res.ec != std::errc() || res.ptr != end) {
      throw Error(ErrorCode::kInvalidInput, "hz", "expected a number, found '" + v + "'");
    }
    if (!(hz >= kMinHz && hz <= kMaxHz)) {
      throw Error(ErrorCode::kInvalidArgument, "hz", "expected 0.2..30, found " + v);
    }
  }
  return hz;
}

Response Api::handle(const Request& req) const {
  try {
    return route(req);
  } catch (const ApiError& e) {
    return error_response(e.status, e.message);
  } catch (const Error& e) {
    int status = 500;
    switch (e.code()) {
      case ErrorCode::kNotFound:
        status = 404;
        break;
      case ErrorCode::kInvalidArgument:
        status = 422;
        break;
      case ErrorCode::kInvalidInput:
        status = 400;
        break;
      default:
        break;
    }
    return error_response(status, e.what());
  } catch (const std::exception& e) {
    return error_response(500, std::string("internal error: ") + e.what());
  }
}

Response Api::route(const Request& req) const {
  std::string_view target = req.target;
  const std::size_t q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);
  std::string path;
  if (!percent_decode(raw_path, path, false)) throw ApiError{400, "path: malformed escape"};
  if (path.empty() || path[0] != '/') throw ApiError{400, "path: expected an absolute path"};
  if (req.body.size() > kMaxBodyBytes) {
    throw ApiError{413, "body: larger than " + std::to_string(kMaxBodyBytes) + " bytes"};
  }
  auto params = parse_query(query);
  auto no_params = [&] {
    if (!params.empty()) throw ApiError{400, params.begin()->first + ": unknown query parameter"};
  };

  if (path.rfind("/api/", 0) != 0 && path != "/api") {
    if (req.method != "GET" && req.method != "HEAD") {
      throw ApiError{405, "method " + req.method + " not allowed here (expected GET)"};
    }
    return static_file(path);
  }
  if (path == "/api/health") {
    require_method(req, "GET");
    no_params();
    return json_response(m_service.health());
  }
  if (path == "/api/network") {
    require_method(req, "GET");
    no_params();
    Response r;
    r.body = m_service.network_json();
    return r;
  }
  if (path == "/api/state") {
    require_method(req, "GET");
    no_params();
    Response r;
    r.shared_body = m_service.state_json();
    return r;
  }
  if (path == "/api/sim") {
    require_method(req, "PUT");
    no_params();
    require_token(req);
    json body = parse_body(req);
    allow_fields(body, {"paused", "speed", "who"});
    std::optional<bool> paused;
    std::optional<double> speed;
    if (auto it = body.find("paused"); it != body.end()) {
      if (!it->is_boolean()) throw ApiError{400, "paused: expected true or false"};
      paused = it->get<bool>();
    }
    if (auto it = body.find("speed"); it != body.end()) {
      if (!it->is_number()) throw ApiError{400, "speed: expected a number"};
      speed = it->get<double>();
      if (!(*speed >= kMinSpeed && *speed <= kMaxSpeed)) {
        throw ApiError{422, "speed: expected 0.1..1000, found " + it->dump()};
      }
    }
    if (!paused && !speed) throw ApiError{400, "body: expected \"paused\" and/or \"speed\""};
    const std::string who = string_field(body, "who", false, 100, "operator");
    return json_response(m_service.set_sim(paused, speed, who));
  }
  if (path == "/api/history") {
    require_method(req, "GET");
    std::string metric;
    double from = 0, to = 1e300;
    std::optional<std::uint32_t> road;
    std::string road_id;
    for (const auto& [k, v] : params) {
      if (k == "metric") {
        metric = v;
      } else if (k == "from") {
        from = parse_number("from", v);
      } else if (k == "to") {
        to = parse_number("to", v);
      } else if (k == "road") {
        road_id = v;
        const RoadId rid = m_service.network().find_road(v);
        if (!rid.valid()) throw ApiError{404, "road: no road '" + v + "'"};
        road = rid.value;
      } else {
        throw ApiError{400, k + ": unknown query parameter"};
      }
    }
    if (metric.empty()) throw ApiError{400, "metric: required"};
    const auto& allowed = road ? Store::road_metrics() : Store::city_metrics();
    if (std::find(allowed.begin(), allowed.end(), metric) == allowed.end()) {
      std::string list;
      for (const auto& m : allowed) list += (list.empty() ? "" : ", ") + m;
      throw ApiError{422, "metric: unknown metric '" + metric + "'" + (road ? " for a road" : "") +
                              " (expected one of " + list + ")"};
    }
    if (from > to) throw ApiError{422, "from: greater than to"};
    json points = json::array();
    if (Store* store = m_service.store()) {
      for (const auto& [t, v] : store->history(metric, road, from, to)) points.push_back({t, v});
    }
    return json_response({{"metric", metric},
                          {"road", road ? json(road_id) : json(nullptr)},
                          {"points", std::move(points)}});
  }
  if (path == "/api/audit") {
    require_method(req, "GET");
    std::int64_t limit = 100;
    for (const auto& [k, v] : params) {
      if (k != "limit") throw ApiError{400, k + ": unknown query parameter"};
      const char* end = v.data() + v.size();
      auto res = std::from_chars(v.data(), end, limit);
      if (v.empty() || res.ec != std::errc() || res.ptr != end) {
        throw ApiError{400, "limit: expected an integer, found '" + v + "'"};
      }
      if (limit < 1 || limit > 1000) throw ApiError{422, "limit: expected 1..1000, found " + v};
    }
    json entries = json::array();
    if (Store* store = m_service.store()) {
      for (const AuditEntry& e : store->audit_log(static_cast<int>(limit))) {
        json detail = json::parse(e.detail, nullptr, false);
        entries.push_back(
            {{"id", e.id},
             {"wall_time", e.wall_time},
             {"sim_time", e.sim_time},
             {"who", e.who},
             {"intersection", e.intersection.empty() ? json(nullptr) : json(e.intersection)},
             {"action", e.action},
             {"detail", detail.is_discarded() ? json(nullptr) : detail},
             {"reason", e.reason}});
      }
    }
    return json_response({{"entries", std::move(entries)}});
  }
  if (path == "/api/stream") {
    throw ApiError{400, "/api/stream: expected a WebSocket upgrade"};
  }
  constexpr std::string_view kInters = "/api/intersections/";
  if (path.rfind(kInters, 0) == 0) {
    std::string rest = path.substr(kInters.size());
    constexpr std::string_view kControl = "/control";
    const bool control =
        rest.size() > kControl.size() &&
        rest.compare(rest.size() - kControl.size(), kControl.size(), kControl) == 0;
    if (control) rest.resize(rest.size() - kControl.size());
    if (rest.empty() || rest.find('/') != std::string::npos) {
      throw ApiError{404, "no such endpoint: " + path};
    }
    no_params();
    if (!control) {
      require_method(req, "GET");
      return json_response(m_service.intersection(rest));
    }
    require_method(req, "PUT");
    require_token(req);
    json body = parse_body(req);
    const std::string action = string_field(body, "action", true, 32);
    ControlCommand cmd;
    if (action == "controller") {
      allow_fields(body, {"action", "controller", "reason", "who"});
      cmd.action = ControlCommand::Action::kController;
      cmd.controller = string_field(body, "controller", true, 64);
    } else if (action == "hold") {
      allow_fields(body, {"action", "phase", "seconds", "reason", "who"});
      cmd.action = ControlCommand::Action::kHold;
      cmd.phase = integer_field(body, "phase");
      cmd.seconds = integer_field(body, "seconds");
    } else if (action == "release") {
      allow_fields(body, {"action", "reason", "who"});
      cmd.action = ControlCommand::Action::kRelease;
    } else {
      throw ApiError{422, "action: expected controller, hold or release, found '" + action + "'"};
    }
    cmd.reason = string_field(body, "reason", false, 1000);
    cmd.who = string_field(body, "who", false, 100, "operator");
    if (cmd.who.empty()) throw ApiError{422, "who: expected a non-empty name"};
    json over = m_service.control(rest, cmd);
    return json_response({{"ok", true}, {"intersection", rest}, {"override", over}});
  }
  throw ApiError{404, "no such endpoint: " + path};
}

Response Api::static_file(const std::string& path) const {
  namespace fs = std::filesystem;
  if (m_web_dir.empty()) throw ApiError{404, "no dashboard files are served (--web-dir)"};
  std::string rel = path == "/" ? "index.html" : path.substr(1);
  // Only plain relative names: no parent or hidden segments, no NUL or backslash.
  std::size_t start = 0;
  while (start <= rel.size()) {
    const std::size_t slash = rel.find('/', start);
    const std::string seg =
        rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (seg.empty() || seg[0] == '.' || seg.find('\0') != std::string::npos ||
        seg.find('\\') != std::string::npos) {
      throw ApiError{404, "no file " + path};
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::error_code ec;
  const fs::path root = fs::canonical(m_web_dir, ec);
  if (ec) throw ApiError{404, "no file " + path};
  fs::path file = fs::canonical(root / rel, ec);
  if (!ec && fs::is_directory(file, ec)) file = fs::canonical(file / "index.html", ec);
  if (ec || !fs::is_regular_file(file, ec)) throw ApiError{404, "no file " + path};
  const std::string f = file.string(), r = root.string() + "/";
  if (f.compare(0, r.size(), r) != 0) throw ApiError{404, "no file " + path};
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ApiError{404, "no file " + path};
  std::ostringstream text;
  text << in.rdbuf();
  Response resp;
  resp.content_type = mime_type(file.extension().string());
  resp.body = text.str();
  return resp;
}

std::string make_token() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 8; ++i) {  // 256 bits
    std::uint32_t v = rd();
    for (int k = 0; k < 4; ++k) {
      token.push_back(kHex[(v >> 4) & 15]);
      token.push_back(kHex[v & 15]);
      v >>= 8;
    }
  }
  return token;
}

std::string load_or_create_token(const std::filesystem::path& data_dir, bool& created) {
  namespace fs = std::filesystem;
  created = false;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, data_dir.string(), "cannot create: " + ec.message());
  const fs::path path = data_dir / "token";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    const std::string token = make_token();
    const std::string line = token + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) throw Error(ErrorCode::kIo, path.string(), "cannot write the token");
    created = true;
    return token;
  }
  if (errno != EEXIST) {
    throw Error(ErrorCode::kIo, path.string(),
                std::string("cannot create the token file: ") + std::strerror(errno));
  }
  std::ifstream in(path);
  std::string token;
  if (!in || !(in >> token) || token.size() < 16) {
    throw Error(ErrorCode::kIo, path.string(),
                "cannot read the token (expected one line of at least 16 characters)");
  }
  return token;
}

}  // namespace citybrain::serve
