// A small live city for the server tests: a 2 x 2 grid with flows, an in-memory history store,
// the service (not started: tests step it) and the API with a known token and a web directory.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "citybrain/serve/api.hpp"
#include "citybrain/serve/service.hpp"
#include "citybrain/serve/store.hpp"
#include "support/scenario.hpp"

namespace citybrain::serve::test {

inline constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

inline std::filesystem::path make_web_dir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("citybrain_serve_" + name + "_" + std::to_string(::getpid()));
  fs::create_directories(dir / "web" / "assets");
  std::ofstream(dir / "web" / "index.html") << "<!doctype html><title>citybrain</title>";
  std::ofstream(dir / "web" / "assets" / "app.js") << "console.log('hi');";
  std::ofstream(dir / "secret.txt") << "outside the web dir";
  return dir;
}

struct City {
  explicit City(const std::string& name = "api")
      : options{.rows = 2, .cols = 2, .length = 200, .lanes = 2},
        built(citybrain::test::build(citybrain::test::make_grid(options),
                                     citybrain::test::grid_flows(options, 4.0))),
        root(make_web_dir(name)),
        store(":memory:", "test"),
        service(built.net, built.demand, {}, ServiceOptions{.city = "test", .speed = 50}, &store),
        api(service, kToken, root / "web") {}
  ~City() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }

  Response get(const std::string& target) const { return api.handle({"GET", target, "", ""}); }
  Response put(const std::string& target, const std::string& body,
               const std::string& token = kToken) const {
    return api.handle({"PUT", target, token.empty() ? "" : "Bearer " + token, body});
  }

  citybrain::test::GridOptions options;
  citybrain::test::Built built;
  std::filesystem::path root;
  Store store;
  Service service;
  Api api;
};

inline nlohmann::json body_of(const Response& r) {
  return nlohmann::json::parse(r.text());
}

}  // namespace citybrain::serve::test
