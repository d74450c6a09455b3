// The probe CSV reader: strict about every field, so a bad feed is named, not half-read.
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "citybrain/core/error.hpp"
#include "citybrain/sense/probe.hpp"

namespace citybrain::sense {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

double number(std::string_view v, const std::string& where, const char* field, double lo, double hi,
              const char* expected) {
  double d = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(d) || d < lo ||
      d > hi) {
    throw Error(ErrorCode::kInvalidInput, where,
                std::string(field) + ": value '" + shown(v) + "', expected " + expected);
  }
  return d;
}

}  // namespace

ProbeSet parse_probe_csv(std::string_view text, const std::string& name) {
  ProbeSet set;
  std::unordered_map<std::string, std::uint32_t> ids;
  std::size_t line_no = 0;
  bool first = true;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::string where = name + ":" + std::to_string(line_no);
    std::string_view fields[7];
    std::size_t n = 0;
    for (;;) {
      const std::size_t comma = line.find(',');
      if (n == 7) break;  // reported below as too many fields
      fields[n++] = trim(line.substr(0, comma));
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
    if (first && fields[0] == "id") {  // header
      first = false;
      continue;
    }
    first = false;
    if (n < 4 || n > 6) {
      throw Error(ErrorCode::kInvalidInput, where,
                  std::to_string(n) + " fields, expected id,time,lon,lat[,speed,heading]");
    }
    if (fields[0].empty()) {
      throw Error(ErrorCode::kInvalidInput, where, "id: value '', expected a vehicle id");
    }
    ProbePoint p;
    p.time = number(fields[1], where, "time", -1e12, 1e12, "seconds (a finite number)");
    p.x = number(fields[2], where, "lon", -1e9, 1e9, "a finite longitude or x");
    p.y = number(fields[3], where, "lat", -1e9, 1e9, "a finite latitude or y");
    if (n > 4 && !fields[4].empty()) {
      p.speed = static_cast<float>(number(fields[4], where, "speed", 0, 1000, "m/s in 0..1000"));
    }
    if (n > 5 && !fields[5].empty()) {
      p.heading = static_cast<float>(number(fields[5], where, "heading", 0, 360, "degrees 0..360"));
    }
    auto [it, inserted] = ids.try_emplace(std::string(fields[0]),
                                          static_cast<std::uint32_t>(set.vehicle_names.size()));
    if (inserted) set.vehicle_names.emplace_back(fields[0]);
    p.vehicle = it->second;
    set.points.push_back(p);
  }
  return set;
}

ProbeSet load_probe_csv(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, file, "cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_probe_csv(ss.str(), file);
}

}  // namespace citybrain::sense
