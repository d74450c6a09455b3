// Load client for `citybrain run`: N WebSocket clients on /api/stream at a rate for a while,
// reporting frames received, frame sizes and frame latency, plus the server's real-time factor
// from /api/health. Latency: a frame's simulated time maps to the wall time the twin produced it
// through the twin's pace (a line fitted to (sim_time, arrival) per client); the latency reported
// is each arrival's delay over that line's fastest frame, i.e. queueing and transfer beyond the
// best case. One JSON line on stdout.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <thread>
#include <vector>

#include "citybrain/serve/frame.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct ClientStats {
  std::size_t frames = 0, bad = 0;
  std::vector<double> sizes, sim, wall;
  std::string error;
};

double now_s() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

nlohmann::json get_json(const std::string& host, const std::string& port,
                        const std::string& target) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.connect(resolver.resolve(host, port));
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, host);
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return nlohmann::json::parse(res.body());
}

void run_client(const std::string& host, const std::string& port, double hz, double seconds,
                ClientStats& out) {
  try {
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    websocket::stream<beast::tcp_stream> ws(ioc);
    beast::get_lowest_layer(ws).connect(resolver.resolve(host, port));
    ws.read_message_max(64 << 20);
    ws.handshake(host, "/api/stream?hz=" + std::to_string(hz));
    beast::flat_buffer buffer;
    ws.read(buffer);  // hello
    const double end = now_s() + seconds;
    citybrain::serve::DecodedFrame frame;
    while (now_s() < end) {
      buffer.clear();
      ws.read(buffer);
      const double t = now_s();
      const std::string bytes = beast::buffers_to_string(buffer.data());
      if (!citybrain::serve::decode_frame(bytes, frame)) {
        ++out.bad;
        continue;
      }
      ++out.frames;
      out.sizes.push_back(static_cast<double>(bytes.size()));
      out.sim.push_back(frame.sim_time);
      out.wall.push_back(t);
    }
    ws.close(websocket::close_code::normal);
  } catch (const std::exception& e) {
    out.error = e.what();
  }
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"serve_load: WebSocket stream load on a running citybrain server"};
  std::string host = "127.0.0.1", port = "8080";
  int clients = 10;
  double hz = 5, seconds = 60;
  app.add_option("--host", host)->capture_default_str();
  app.add_option("--port", port)->capture_default_str();
  app.add_option("--clients", clients)->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--hz", hz)->capture_default_str()->check(CLI::Range(0.2, 30.0));
  app.add_option("--seconds", seconds)->capture_default_str()->check(CLI::Range(1.0, 3600.0));
  CLI11_PARSE(app, argc, argv);

  const nlohmann::json before = get_json(host, port, "/api/health");
  std::vector<ClientStats> stats(static_cast<std::size_t>(clients));
  std::vector<std::thread> threads;
  for (auto& s : stats) threads.emplace_back(run_client, host, port, hz, seconds, std::ref(s));
  // Sample the server's own real-time factor while the clients read.
  std::vector<double> rtf;
  const double end = now_s() + seconds;
  while (now_s() < end - 1) {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    rtf.push_back(get_json(host, port, "/api/health")["real_time_factor"].get<double>());
  }
  for (auto& t : threads) t.join();
  const nlohmann::json after = get_json(host, port, "/api/health");
  const nlohmann::json state = get_json(host, port, "/api/state");

  std::vector<double> sizes, latency;
  std::size_t frames = 0, bad = 0, failed = 0;
  for (const auto& s : stats) {
    frames += s.frames;
    bad += s.bad;
    failed += !s.error.empty();
    if (!s.error.empty()) std::fprintf(stderr, "client error: %s\n", s.error.c_str());
    sizes.insert(sizes.end(), s.sizes.begin(), s.sizes.end());
    const std::size_t n = s.sim.size();
    if (n < 3) continue;
    // Least-squares line wall = a + b * sim; the latency is the residual over the smallest one.
    double ms = 0, mw = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ms += s.sim[i];
      mw += s.wall[i];
    }
    ms /= static_cast<double>(n);
    mw /= static_cast<double>(n);
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sxx += (s.sim[i] - ms) * (s.sim[i] - ms);
      sxy += (s.sim[i] - ms) * (s.wall[i] - mw);
    }
    const double b = sxx > 0 ? sxy / sxx : 0;
    std::vector<double> residual(n);
    for (std::size_t i = 0; i < n; ++i) residual[i] = s.wall[i] - (mw + b * (s.sim[i] - ms));
    const double best = *std::min_element(residual.begin(), residual.end());
    for (double r : residual) latency.push_back((r - best) * 1000.0);
  }
  const double sim_span = after["sim_time"].get<double>() - before["sim_time"].get<double>();
  nlohmann::json out{
      {"clients", clients},
      {"hz", hz},
      {"seconds", seconds},
      {"frames", frames},
      {"frames_per_client_per_s", static_cast<double>(frames) / clients / seconds},
      {"bad_frames", bad},
      {"failed_clients", failed},
      {"frame_bytes_mean", sizes.empty() ? 0.0
                                         : std::accumulate(sizes.begin(), sizes.end(), 0.0) /
                                               static_cast<double>(sizes.size())},
      {"frame_bytes_max", sizes.empty() ? 0.0 : *std::max_element(sizes.begin(), sizes.end())},
      {"latency_ms_p50", percentile(latency, 0.5)},
      {"latency_ms_p95", percentile(latency, 0.95)},
      {"latency_ms_max", percentile(latency, 1.0)},
      {"real_time_factor_mean", rtf.empty() ? 0.0
                                            : std::accumulate(rtf.begin(), rtf.end(), 0.0) /
                                                  static_cast<double>(rtf.size())},
      {"real_time_factor_min", rtf.empty() ? 0.0 : *std::min_element(rtf.begin(), rtf.end())},
      {"sim_seconds", sim_span},
      {"vehicles_at_end", state["city"]["vehicles"]}};
  std::printf("%s\n", out.dump().c_str());
  return failed == 0 && bad == 0 ? 0 : 1;
}
