// The live city service behind the API: the twin (standing in for the city) and the brain's
// signal runner, stepped by a simulation thread at a target speed, with the views the API serves
// (health, network, state, intersections, the stream frame) and the operator's commands. Every
// public method is thread-safe; none touches sockets, so the API is testable without a network.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "citybrain/control/controller.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/control/signal_runner.hpp"
#include "citybrain/demand/demand.hpp"
#include "citybrain/net/network.hpp"
#include "citybrain/serve/frame.hpp"
#include "citybrain/serve/kpi.hpp"
#include "citybrain/serve/store.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::serve {

inline constexpr double kMinSpeed = 0.1;
inline constexpr double kMaxSpeed = 1000;
inline constexpr double kMinHz = 0.2;
inline constexpr double kMaxHz = 30;
inline constexpr int kMaxHoldSeconds = 3600;
inline constexpr double kTimelineSeconds = 300;

struct ServiceOptions {
  std::string city = "default";
  std::string controller = "maxpressure";  // a control::make_controller name
  double speed = 1.0;                      // simulated seconds per wall second
  bool paused = false;
};

// An operator's change to one intersection (validated by the API layer for types; the service
// checks values against the network).
struct ControlCommand {
  enum class Action { kController, kHold, kRelease } action = Action::kRelease;
  std::string controller;
  std::int64_t phase = 0;
  std::int64_t seconds = 0;
  std::string who = "operator";
  std::string reason;
};

class Service {
 public:
  // Throws Error (invalid argument) for an unknown controller or a speed out of range.
  Service(std::shared_ptr<const net::Network> network, std::shared_ptr<const demand::Demand> demand,
          sim::SimConfig config, ServiceOptions options, Store* store);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // The simulation thread: steps at the target speed until stop().
  void start();
  void stop();
  // One simulated second on the caller's thread (tests; the simulation thread calls it too):
  // the signal runner, the KPIs, the stream frame, the minute's history rows.
  void step();

  const net::Network& network() const { return *m_network; }
  const Bbox& bbox() const { return m_bbox; }
  std::size_t signal_count() const;
  const std::string& city() const { return m_options.city; }
  Store* store() const { return m_store; }

  nlohmann::json health() const;
  const std::string& network_json() const { return m_network_json; }
  // The state JSON text, rebuilt at most once per simulated step.
  std::shared_ptr<const std::string> state_json();
  // Throws Error (not found) for an unknown id.
  nlohmann::json intersection(const std::string& id) const;
  // Applies the command from the next step and audits it; returns the intersection's override
  // (null when none). Throws Error: not found (unknown id), invalid argument (a value the
  // intersection cannot take: its field in where()).
  nlohmann::json control(const std::string& id, const ControlCommand& command);
  // Pause / speed, audited. Throws Error (invalid argument) for a speed out of range.
  nlohmann::json set_sim(std::optional<bool> paused, std::optional<double> speed,
                         const std::string& who);

  // The stream: the latest frame (null before the first) and the clients' rates.
  std::shared_ptr<const std::string> latest_frame() const;
  std::uint64_t add_client(double hz);
  void set_client_hz(std::uint64_t client, double hz);
  void remove_client(std::uint64_t client);
  std::size_t clients() const;
  double max_client_hz() const;  // 0 without clients

  double sim_time() const;
  // Test access to the twin (callers must not race the simulation thread).
  const sim::Engine& engine() const { return *m_engine; }
  const control::SignalRunner& runner() const { return *m_runner; }

 private:
  void loop();
  void record_phases(double start);
  nlohmann::json override_json(std::size_t signal) const;

  std::shared_ptr<const net::Network> m_network;
  ServiceOptions m_options;
  Store* m_store;
  Bbox m_bbox;
  std::string m_network_json;

  // The twin and the brain; guarded by m_engine_mutex.
  mutable std::mutex m_engine_mutex;
  std::unique_ptr<sim::Engine> m_engine;
  std::unique_ptr<control::Controller> m_controller;
  std::unique_ptr<control::SignalRunner> m_runner;
  std::vector<std::deque<std::pair<double, std::uint8_t>>> m_timeline;  // per signal
  std::vector<std::uint8_t> m_phases;                                   // per signal
  Kpis m_work;
  std::uint32_t m_seq = 0;
  double m_next_frame_wall = 0;  // when the next frame is due (wall seconds)

  // What readers see; guarded by m_snap_mutex.
  mutable std::mutex m_snap_mutex;
  Kpis m_kpis;
  std::shared_ptr<const std::string> m_state;
  double m_state_time = -1;
  std::shared_ptr<const std::string> m_frame;

  // Pace and clients.
  std::atomic<double> m_speed;
  std::atomic<bool> m_paused;
  std::atomic<double> m_rtf{0};
  std::atomic<bool> m_frame_wanted{false};
  mutable std::mutex m_client_mutex;
  std::map<std::uint64_t, double> m_clients;
  std::uint64_t m_next_client = 1;

  std::thread m_thread;
  std::mutex m_wake_mutex;
  std::condition_variable m_wake_cv;
  bool m_stop = false;
  bool m_woken = false;
};

}  // namespace citybrain::serve
