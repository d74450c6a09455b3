#include "citybrain/import/import_report.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace citybrain::import {

void ImportReport::drop(std::string kind, std::string id, std::string reason) {
  m_dropped.push_back({std::move(kind), std::move(id), std::move(reason)});
}

std::size_t ImportReport::kept(const std::string& kind) const {
  auto it = m_kept.find(kind);
  return it == m_kept.end() ? 0 : it->second;
}

std::size_t ImportReport::dropped_count(const std::string& kind) const {
  std::size_t n = 0;
  for (const Dropped& d : m_dropped) n += d.kind == kind;
  return n;
}

namespace {
// Per kind, per reason: how many were dropped.
std::map<std::string, std::map<std::string, std::size_t>> tally(const std::vector<Dropped>& all) {
  std::map<std::string, std::map<std::string, std::size_t>> t;
  for (const Dropped& d : all) ++t[d.kind][d.reason];
  return t;
}
}  // namespace

std::string ImportReport::summary() const {
  const auto t = tally(m_dropped);
  std::set<std::string> kinds;
  for (const auto& [kind, n] : m_kept) kinds.insert(kind);
  for (const auto& [kind, reasons] : t) kinds.insert(kind);
  std::ostringstream out;
  for (const std::string& kind : kinds) {
    out << kind << ": " << kept(kind) << " kept";
    auto it = t.find(kind);
    if (it != t.end()) {
      std::size_t n = 0;
      for (const auto& [reason, count] : it->second) n += count;
      out << ", " << n << " dropped (";
      bool first = true;
      for (const auto& [reason, count] : it->second) {
        out << (first ? "" : "; ") << reason << ": " << count;
        first = false;
      }
      out << ")";
    }
    out << "\n";
  }
  return out.str();
}

nlohmann::json ImportReport::to_json(bool details) const {
  nlohmann::json j;
  j["kept"] = nlohmann::json::object();
  for (const auto& [kind, n] : m_kept) j["kept"][kind] = n;
  j["dropped"] = nlohmann::json::object();
  for (const auto& [kind, reasons] : tally(m_dropped)) {
    for (const auto& [reason, n] : reasons) j["dropped"][kind][reason] = n;
  }
  if (details) {
    j["dropped_elements"] = nlohmann::json::array();
    for (const Dropped& d : m_dropped) {
      j["dropped_elements"].push_back({{"kind", d.kind}, {"id", d.id}, {"reason", d.reason}});
    }
  }
  return j;
}

}  // namespace citybrain::import
