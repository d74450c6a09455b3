#include "citybrain/serve/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "citybrain/core/error.hpp"

namespace citybrain::serve {

namespace {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : m_db(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
      throw Error(ErrorCode::kIo, "history store", sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(m_stmt); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
  void bind(int i, const std::string& v) {
    sqlite3_bind_text(m_stmt, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  bool step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw Error(ErrorCode::kIo, "history store", sqlite3_errmsg(m_db));
  }
  void reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  double real(int i) const { return sqlite3_column_double(m_stmt, i); }
  std::int64_t integer(int i) const { return sqlite3_column_int64(m_stmt, i); }
  std::string text(int i) const {
    const unsigned char* t = sqlite3_column_text(m_stmt, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

 private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

std::string now_iso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

const std::vector<std::string>& Store::city_metrics() {
  static const std::vector<std::string> names{"vehicles",        "att",   "throughput",
                                              "mean_speed",      "delay", "travel_time_index",
                                              "congestion_index"};
  return names;
}

const std::vector<std::string>& Store::road_metrics() {
  static const std::vector<std::string> names{"vehicles", "mean_speed", "travel_time_index",
                                              "congestion"};
  return names;
}

Store::Store(const std::string& path, const std::string& city) {
  if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = m_db ? sqlite3_errmsg(m_db) : "out of memory";
    sqlite3_close(m_db);
    throw Error(ErrorCode::kIo, path, "cannot open the history database: " + message);
  }
  try {
    sqlite3_busy_timeout(m_db, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec(
        "CREATE TABLE IF NOT EXISTS runs(id INTEGER PRIMARY KEY AUTOINCREMENT, city TEXT, "
        "started TEXT);"
        "CREATE TABLE IF NOT EXISTS city_kpi(run INTEGER, sim_time REAL, vehicles REAL, att REAL, "
        "throughput REAL, mean_speed REAL, delay REAL, travel_time_index REAL, "
        "congestion_index REAL, PRIMARY KEY(run, sim_time));"
        "CREATE TABLE IF NOT EXISTS road_kpi(run INTEGER, road INTEGER, sim_time REAL, "
        "vehicles REAL, mean_speed REAL, travel_time_index REAL, congestion REAL, "
        "PRIMARY KEY(run, road, sim_time));"
        "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER, "
        "wall_time TEXT, sim_time REAL, who TEXT, intersection TEXT, action TEXT, detail TEXT, "
        "reason TEXT);");
    Statement run(m_db, "INSERT INTO runs(city, started) VALUES(?, ?)");
    run.bind(1, city);
    run.bind(2, now_iso());
    run.step();
    m_run = sqlite3_last_insert_rowid(m_db);
  } catch (...) {
    sqlite3_close(m_db);
    throw;
  }
}

Store::~Store() {
  sqlite3_close(m_db);
}

void Store::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorCode::kIo, "history store", text);
  }
}

void Store::write_minute(const Kpis& k) {
  std::lock_guard lock(m_mutex);
  exec("BEGIN");
  try {
    Statement city(m_db, "INSERT OR REPLACE INTO city_kpi VALUES(?,?,?,?,?,?,?,?,?)");
    city.bind(1, m_run);
    city.bind(2, k.time);
    const double values[7] = {k.city.vehicles,        k.city.att,   k.city.throughput,
                              k.city.mean_speed,      k.city.delay, k.city.travel_time_index,
                              k.city.congestion_index};
    for (int i = 0; i < 7; ++i) city.bind(3 + i, values[i]);
    city.step();
    Statement road(m_db, "INSERT OR REPLACE INTO road_kpi VALUES(?,?,?,?,?,?,?)");
    for (std::size_t r = 0; r < k.roads.size(); ++r) {
      const RoadKpi& rk = k.roads[r];
      road.reset();
      road.bind(1, m_run);
      road.bind(2, static_cast<std::int64_t>(r));
      road.bind(3, k.time);
      road.bind(4, static_cast<double>(rk.vehicles));
      road.bind(5, static_cast<double>(rk.mean_speed));
      road.bind(6, static_cast<double>(rk.travel_time_index));
      road.bind(7, static_cast<double>(rk.congestion));
      road.step();
    }
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::vector<std::pair<double, double>> Store::history(const std::string& metric,
                                                      std::optional<std::uint32_t> road,
                                                      double from, double to) {
  // The metric is checked against the fixed column lists, so naming it in the SQL is safe.
  const auto& allowed = road ? road_metrics() : city_metrics();
  if (std::find(allowed.begin(), allowed.end(), metric) == allowed.end()) {
    throw Error(ErrorCode::kInvalidArgument, "metric", "unknown metric '" + metric + "'");
  }
  std::lock_guard lock(m_mutex);
  std::string sql = "SELECT sim_time, " + metric + " FROM " +
                    (road ? std::string("road_kpi") : std::string("city_kpi")) +
                    " WHERE run = ? AND sim_time >= ? AND sim_time <= ?" +
                    (road ? " AND road = ?" : "") + " ORDER BY sim_time";
  Statement q(m_db, sql.c_str());
  q.bind(1, m_run);
  q.bind(2, from);
  q.bind(3, to);
  if (road) q.bind(4, static_cast<std::int64_t>(*road));
  std::vector<std::pair<double, double>> points;
  while (q.step()) points.emplace_back(q.real(0), q.real(1));
  return points;
}

std::int64_t Store::audit(const AuditEntry& e) {
  std::lock_guard lock(m_mutex);
  Statement q(m_db,
              "INSERT INTO audit(run, wall_time, sim_time, who, intersection, action, detail, "
              "reason) VALUES(?,?,?,?,?,?,?,?)");
  q.bind(1, m_run);
  q.bind(2, e.wall_time.empty() ? now_iso() : e.wall_time);
  q.bind(3, e.sim_time);
  q.bind(4, e.who);
  q.bind(5, e.intersection);
  q.bind(6, e.action);
  q.bind(7, e.detail);
  q.bind(8, e.reason);
  q.step();
  return sqlite3_last_insert_rowid(m_db);
}

std::vector<AuditEntry> Store::audit_log(int limit) {
  std::lock_guard lock(m_mutex);
  Statement q(m_db,
              "SELECT id, wall_time, sim_time, who, intersection, action, detail, reason FROM "
              "audit ORDER BY id DESC LIMIT ?");
  q.bind(1, static_cast<std::int64_t>(limit));
  std::vector<AuditEntry> out;
  while (q.step()) {
    AuditEntry e;
    e.id = q.integer(0);
    e.wall_time = q.text(1);
    e.sim_time = q.real(2);
    e.who = q.text(3);
    e.intersection = q.text(4);
    e.action = q.text(5);
    e.detail = q.text(6);
    e.reason = q.text(7);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace citybrain::serve
