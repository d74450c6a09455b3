// The network side of the API: Boost.Beast HTTP/1.1 and WebSocket over Asio. Thin: requests go
// to Api::handle; WebSocket /api/stream sends the hello and then the service's latest frame at
// each client's rate, keeping at most one frame in flight per client (a slow client misses
// frames; the simulation never waits for it).
#pragma once

#include <memory>
#include <string>

#include "citybrain/serve/api.hpp"
#include "citybrain/serve/service.hpp"

namespace citybrain::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see Server::port)
  int threads = 2;
};

// Throws Error (invalid argument) naming --host unless host is an IPv4 or IPv6 address.
void validate_host(const std::string& host);

class Server {
 public:
  // Binds now; throws Error (io) when the address cannot be bound, (invalid argument) for a bad
  // host.
  Server(Api& api, Service& service, const ServerOptions& options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  unsigned short port() const;
  // Serves on options.threads threads until stop().
  void start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace citybrain::serve
