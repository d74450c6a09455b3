// libFuzzer target for the live API's input side: raw bytes parsed as an HTTP request by Beast's
// parser (with the server's limits), then routed, authorised and validated by Api::handle against
// a small live city; the stream's rate query and the frame decoder see the bytes too. Every
// answer must be a JSON error or a success, never a crash.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/serve/api.hpp"
#include "citybrain/serve/frame.hpp"
#include "citybrain/serve/service.hpp"

namespace {

namespace http = boost::beast::http;
using namespace citybrain;

struct Live {
  Live() {
    demand::GridSpec spec;
    spec.rows = 2;
    spec.cols = 2;
    spec.duration = 600;
    demand::GeneratedCity city = demand::generate_grid(spec);
    auto network = std::make_shared<net::Network>(
        net::parse_cityflow_roadnet(city.roadnet_json, "roadnet.json"));
    auto flows = std::make_shared<demand::Demand>(
        demand::parse_cityflow_flow(city.flow_json, "flow.json", *network));
    service = std::make_unique<serve::Service>(network, flows, sim::SimConfig{},
                                               serve::ServiceOptions{}, nullptr);
    for (int k = 0; k < 30; ++k) service->step();
    api = std::make_unique<serve::Api>(*service, "fuzztoken0123456789", "");
  }
  std::unique_ptr<serve::Service> service;
  std::unique_ptr<serve::Api> api;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Live live;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  serve::DecodedFrame frame;
  serve::decode_frame(bytes, frame);

  http::request_parser<http::string_body> parser;
  parser.body_limit(serve::kMaxBodyBytes);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  const auto& req = parser.get();
  serve::Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  if (auto it = req.find(http::field::authorization); it != req.end())
    r.authorization = std::string(it->value());
  r.body = req.body();
  const serve::Response res = live.api->handle(r);
  if (res.status < 200 || res.status >= 600) __builtin_trap();
  if (res.content_type == "application/json" &&
      nlohmann::json::parse(res.text(), nullptr, false).is_discarded())
    __builtin_trap();
  // Holds and switches take effect: step so the runner sees them.
  if (r.method == "PUT") live.service->step();
  try {
    serve::Api::stream_hz(r.target);
  } catch (const citybrain::Error&) {
  }
  return 0;
}
