#include "citybrain/sim/cityflow_config.hpp"

#include <filesystem>

#include "citybrain/core/error.hpp"
#include "citybrain/core/json.hpp"

namespace citybrain::sim {

namespace {
std::string resolve(const std::string& config_file, const std::string& dir, const std::string& name,
                    bool must_exist) {
  namespace fs = std::filesystem;
  fs::path joined = fs::path(dir + name);
  if (joined.is_absolute()) return joined.string();
  std::error_code ec;
  if (fs::exists(joined, ec)) return joined.string();
  fs::path beside = fs::path(config_file).parent_path() / joined;
  if (!must_exist || fs::exists(beside, ec)) return beside.string();
  return joined.string();
}
}  // namespace

CityFlowConfig load_cityflow_config(const std::string& file) {
  auto doc = JsonDocument::load(file);
  JsonNode root = doc->root();
  if (!root.is_object()) root.fail("expected an object");
  CityFlowConfig c;
  JsonNode interval = root.at("interval");
  c.interval = interval.as_double();
  if (!(c.interval > 0)) {
    interval.fail("expected a positive step interval (seconds), found " +
                  std::to_string(c.interval));
  }
  JsonNode seed = root.at("seed");
  std::int64_t s = seed.as_int();
  if (s < 0) seed.fail("expected a non-negative seed");
  c.seed = static_cast<std::uint64_t>(s);
  std::string dir = root.get_string("dir");
  c.roadnet_file = resolve(file, dir, root.get_string("roadnetFile"), true);
  c.flow_file = resolve(file, dir, root.get_string("flowFile"), true);
  c.rl_traffic_light = root.get_bool("rlTrafficLight");
  c.lane_change = root.get_bool("laneChange", false);
  c.save_replay = root.get_bool("saveReplay");
  if (auto actions = root.find("signalActions")) {
    const std::int64_t a = actions->as_int();
    if (a != 0 && a != 4) {
      actions->fail("expected 4 (the benchmark phase layout) or 0 (every phase), found " +
                    std::to_string(a));
    }
    c.signal_actions = static_cast<int>(a);
  }
  if (c.save_replay) {
    c.roadnet_log_file = resolve(file, dir, root.get_string("roadnetLogFile"), false);
    c.replay_log_file = resolve(file, dir, root.get_string("replayLogFile"), false);
  }
  return c;
}

}  // namespace citybrain::sim
