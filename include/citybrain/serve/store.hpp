// The history store: SQLite (WAL mode) in the data directory, holding per-simulated-minute city
// and road KPIs and the audit log of operator actions. Every start of the server is a new run;
// history queries read the current run. Thread-safe (one connection behind a mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "citybrain/serve/kpi.hpp"

struct sqlite3;

namespace citybrain::serve {

struct AuditEntry {
  std::int64_t id = 0;
  std::string wall_time;  // ISO 8601 UTC
  double sim_time = 0;
  std::string who;
  std::string intersection;  // empty for actions on the whole simulation
  std::string action;
  std::string detail;  // JSON text
  std::string reason;
};

class Store {
 public:
  // Opens (creating) path; ":memory:" for tests. Throws Error (io) when it cannot.
  Store(const std::string& path, const std::string& city);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::int64_t run_id() const { return m_run; }

  // One minute's rows, written in one transaction.
  void write_minute(const Kpis& kpis);
  // metric: a city column (vehicles, att, throughput, mean_speed, delay, travel_time_index,
  // congestion_index) or, with a road index, a road column (vehicles, mean_speed,
  // travel_time_index, congestion). The caller validates the name.
  std::vector<std::pair<double, double>> history(const std::string& metric,
                                                 std::optional<std::uint32_t> road, double from,
                                                 double to);

  std::int64_t audit(const AuditEntry& entry);  // returns the new id; wall_time filled if empty
  std::vector<AuditEntry> audit_log(int limit);

  static const std::vector<std::string>& city_metrics();
  static const std::vector<std::string>& road_metrics();

 private:
  void exec(const char* sql);
  sqlite3* m_db = nullptr;
  std::int64_t m_run = 0;
  std::mutex m_mutex;
};

}  // namespace citybrain::serve
