#include "history.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"

namespace citybrain::python {

namespace {

constexpr const char* kFormat = "citybrain-archive-1";
constexpr const char* kKinds[] = {"steps", "phase", "speed", "route", "push", "seed"};

}  // namespace

void write_archive(const std::string& path, const ArchiveFile& archive) {
  nlohmann::json commands = nlohmann::json::array();
  for (const Command& c : archive.history.commands) {
    nlohmann::json j;
    j["kind"] = kKinds[static_cast<int>(c.kind)];
    switch (c.kind) {
      case Command::Kind::kSteps:
      case Command::Kind::kSeed:
        j["n"] = c.n;
        break;
      case Command::Kind::kPhase:
        j["id"] = c.id;
        j["n"] = c.n;
        break;
      case Command::Kind::kSpeed:
        j["id"] = c.id;
        j["value"] = c.value;
        break;
      case Command::Kind::kRoute:
        j["id"] = c.id;
        j["roads"] = c.roads;
        break;
      case Command::Kind::kPush:
        j["info"] = c.info;
        j["roads"] = c.roads;
        break;
    }
    commands.push_back(std::move(j));
  }
  nlohmann::json root;
  root["format"] = kFormat;
  root["roadnet_file"] = archive.roadnet_file;
  root["time"] = archive.time;
  root["vehicles_generated"] = archive.vehicles_generated;
  root["base_seed"] = archive.history.base_seed;
  root["commands"] = std::move(commands);
  std::ofstream out(path);
  out << root.dump() << '\n';
  if (!out) throw Error(ErrorCode::kIo, path, "cannot write the archive");
}

ArchiveFile read_archive(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kFileNotFound, path, "file not found (expected an archive file)");
  nlohmann::json root = nlohmann::json::parse(in, nullptr, false);
  auto bad = [&](const std::string& what) {
    return Error(ErrorCode::kInvalidInput, path, what + " (expected a file Archive.dump wrote)");
  };
  if (root.is_discarded() || !root.is_object()) throw bad("not a JSON object");
  if (root.value("format", "") != kFormat) throw bad("/format: not " + std::string(kFormat));
  ArchiveFile archive;
  try {
    archive.roadnet_file = root.at("roadnet_file").get<std::string>();
    archive.time = root.at("time").get<double>();
    archive.vehicles_generated = root.at("vehicles_generated").get<std::size_t>();
    archive.history.base_seed = root.at("base_seed").get<std::uint64_t>();
    for (const auto& j : root.at("commands")) {
      Command c;
      std::string kind = j.at("kind").get<std::string>();
      auto it = std::find(std::begin(kKinds), std::end(kKinds), kind);
      if (it == std::end(kKinds)) throw bad("/commands: unknown kind \"" + kind + "\"");
      c.kind = static_cast<Command::Kind>(it - std::begin(kKinds));
      if (j.contains("n")) c.n = j["n"].get<std::int64_t>();
      if (j.contains("value")) c.value = j["value"].get<double>();
      if (j.contains("id")) c.id = j["id"].get<std::string>();
      if (j.contains("roads")) c.roads = j["roads"].get<std::vector<std::string>>();
      if (j.contains("info")) c.info = j["info"].get<std::map<std::string, double>>();
      archive.history.commands.push_back(std::move(c));
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad(e.what());
  }
  return archive;
}

}  // namespace citybrain::python
