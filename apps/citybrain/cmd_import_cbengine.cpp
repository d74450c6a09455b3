// citybrain import cbengine, and simulate --cbengine-roadnet/--cbengine-flow: the KDD Cup 2021
// City Brain Challenge's text format.
#include <memory>

#include "citybrain/core/error.hpp"
#include "citybrain/import/cbengine.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {
struct CbengineFiles {
  std::string roadnet, flow;
};
}  // namespace

void add_import_cbengine(CLI::App& import, ImportArgs& args) {
  auto files = std::make_shared<CbengineFiles>();
  auto* f = import.add_subcommand(
      "cbengine", "KDD Cup 2021 City Brain Challenge CBEngine roadnet and flow (text files)");
  f->add_option("--roadnet", files->roadnet, "CBEngine roadnet .txt")->required();
  f->add_option("--flow", files->flow, "CBEngine flow .txt")->required();
  add_import_output_options(*f, args);
  args.formats.push_back(
      {f, [files] { return import::import_cbengine(files->roadnet, files->flow); }});
}

void add_simulate_cbengine(CLI::App& simulate, std::vector<SimulateSource>& sources) {
  auto files = std::make_shared<CbengineFiles>();
  simulate.add_option("--cbengine-roadnet", files->roadnet, "KDD Cup CBEngine roadnet .txt");
  simulate.add_option("--cbengine-flow", files->flow, "KDD Cup CBEngine flow .txt");
  sources.push_back({"--cbengine-roadnet/--cbengine-flow",
                     [files] { return !files->roadnet.empty() || !files->flow.empty(); },
                     [files] {
                       if (files->roadnet.empty() || files->flow.empty()) {
                         throw Error(ErrorCode::kInvalidArgument, "simulate",
                                     "give both --cbengine-roadnet and --cbengine-flow");
                       }
                       return import::import_cbengine(files->roadnet, files->flow);
                     }});
}

}  // namespace citybrain::cli
