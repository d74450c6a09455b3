// The CityFlow side of bench/vs_cityflow.sh: steps a CityFlow engine (one thread) and prints
// vehicle-steps per wall second of stepping as one JSON line, like citybrain_scenario_bench.
// Built by that script against a CityFlow checkout; not part of the citybrain build.
// usage: cityflow_driver CONFIG.json STEPS
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/engine.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s CONFIG.json STEPS\n", argv[0]);
    return 2;
  }
  const long steps = std::atol(argv[2]);
  // Never destroyed: CityFlow's engine can hang in its destructor (a race on its stop flag).
  auto* engine = new CityFlow::Engine(argv[1], 1);
  unsigned long long vehicle_steps = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < steps; ++i) {
    engine->nextStep();
    vehicle_steps += engine->getVehicleCount();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "{\"vehicle_steps\": %llu, \"wall_seconds\": %.4f, \"vehicle_steps_per_second\": %.0f}\n",
      vehicle_steps, seconds, vehicle_steps / seconds);
  std::fflush(stdout);
  std::_Exit(0);
}
