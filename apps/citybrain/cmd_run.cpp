// citybrain run: the twin (standing in for the live city) and the brain in real time or faster,
// serving the live API and the dashboard (src/serve).
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "citybrain/citybrain.hpp"
#include "citybrain/control/controllers.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/serve/api.hpp"
#include "citybrain/serve/server.hpp"
#include "citybrain/serve/service.hpp"
#include "citybrain/serve/store.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {

// The dashboard's built files: beside an installed binary, else the source tree's web/dist.
std::filesystem::path default_web_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "citybrain" / "web";
    if (fs::is_regular_file(installed / "index.html", ec)) return installed;
  }
#ifdef CITYBRAIN_SOURCE_DIR
  const fs::path source = fs::path(CITYBRAIN_SOURCE_DIR) / "web" / "dist";
  if (fs::is_regular_file(source / "index.html", ec)) return source;
#endif
  return {};
}

}  // namespace

void add_run(CLI::App& app, RunArgs& args) {
  auto* r = app.add_subcommand(
      "run", "Run the twin and the brain live, serving the API and the dashboard");
  args.run = r;
  r->add_option("--city", args.city, "CityFlow config.json (default: the embedded default city)");
  r->add_option("--speed", args.speed, "Simulated seconds per wall second (0.1..1000)")
      ->capture_default_str()
      ->check(CLI::Range(serve::kMinSpeed, serve::kMaxSpeed));
  r->add_option("--port", args.port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  r->add_option("--host", args.host, "Address to bind (an IP address)")->capture_default_str();
  r->add_option(
       "--controller", args.controller,
       "Signal controller: fixed | maxpressure | sotl | efficient | advanced | brain | lookahead")
      ->capture_default_str();
  r->add_option("--data-dir", args.data_dir, "History database and API token")
      ->capture_default_str();
  r->add_option("--web-dir", args.web_dir, "The dashboard's built files (default: web/dist)");
  r->add_option("--threads", args.threads, "Twin worker threads (1..256)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
}

int run_run(const RunArgs& args) {
  namespace fs = std::filesystem;
  control::check_controller_name(args.controller, "--controller");
  serve::validate_host(args.host);
  fs::path web_dir = args.web_dir.empty() ? default_web_dir() : fs::path(args.web_dir);
  if (!args.web_dir.empty()) {
    std::error_code ec;
    if (!fs::is_regular_file(web_dir / "index.html", ec)) {
      throw Error(ErrorCode::kFileNotFound, args.web_dir,
                  "expected a directory holding the dashboard's index.html");
    }
  }
  Scenario scenario = args.city.empty() ? default_city("--city") : load_scenario(args.city);
  scenario.sim.threads = args.threads;
  const std::string city =
      args.city.empty() ? "default" : fs::path(args.city).parent_path().filename().string();

  bool created = false;
  const std::string token = serve::load_or_create_token(args.data_dir, created);
  serve::Store store((fs::path(args.data_dir) / "history.sqlite").string(),
                     city.empty() ? args.city : city);
  serve::ServiceOptions options;
  options.city = city.empty() ? args.city : city;
  options.controller = args.controller;
  options.speed = args.speed;
  serve::Service service(scenario.network, scenario.demand, scenario.sim, options, &store);
  serve::Api api(service, token, web_dir);
  serve::ServerOptions server_options;
  server_options.host = args.host;
  server_options.port = static_cast<unsigned short>(args.port);
  serve::Server server(api, service, server_options);

  // SIGINT / SIGTERM end the run; blocked before any thread starts so only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  service.start();
  server.start();

  const std::string host =
      args.host.find(':') != std::string::npos ? "[" + args.host + "]" : args.host;
  std::printf("citybrain run: %s city, %zu roads, %zu signals, controller %s, speed %gx\n",
              options.city.c_str(), service.network().roads.size(), service.signal_count(),
              args.controller.c_str(), args.speed);
  std::printf("dashboard: http://%s:%u/\n", host.c_str(), server.port());
  if (web_dir.empty()) {
    std::printf("note: no dashboard files found (build web/ or give --web-dir); the API runs\n");
  }
  if (created) {
    std::printf("API token (created now, stored in %s, shown only this once): %s\n",
                (fs::path(args.data_dir) / "token").string().c_str(), token.c_str());
  } else {
    std::printf("API token: in %s\n", (fs::path(args.data_dir) / "token").string().c_str());
  }
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "citybrain run: stopping (signal %d) at simulated time %.0f s\n", sig,
               service.sim_time());
  server.stop();
  service.stop();
  return 0;
}

}  // namespace citybrain::cli
