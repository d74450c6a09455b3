// Reading an OpenStreetMap extract with libosmium: node locations, signal nodes, highway ways and
// turn restrictions, kept as plain records so the network builder never sees libosmium types.
#include <cstring>
#include <exception>
#include <osmium/handler.hpp>
#include <osmium/io/any_compression.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/io/reader.hpp>
#include <osmium/io/xml_input.hpp>
#include <osmium/visitor.hpp>

#include "citybrain/core/error.hpp"
#include "import/osm_detail.hpp"

namespace citybrain::import::osm_detail {

namespace {

std::string tag(const osmium::TagList& tags, const char* key) {
  const char* v = tags.get_value_by_key(key);
  return v ? std::string(v) : std::string();
}

class Collector : public osmium::handler::Handler {
 public:
  explicit Collector(RawData& data) : m_data(data) {}

  void node(const osmium::Node& n) {
    const osmium::Location loc = n.location();
    if (!loc.valid()) return;
    m_data.nodes[n.id()] = {loc.lon(), loc.lat()};
    const char* hw = n.tags().get_value_by_key("highway");
    if (hw && std::strcmp(hw, "traffic_signals") == 0) m_data.signals.insert(n.id());
  }

  void way(const osmium::Way& w) {
    const osmium::TagList& t = w.tags();
    if (!t.has_key("highway")) return;
    RawWay way;
    way.id = w.id();
    way.nodes.reserve(w.nodes().size());
    for (const osmium::NodeRef& ref : w.nodes()) way.nodes.push_back(ref.ref());
    WayTags& g = way.tags;
    g.highway = tag(t, "highway");
    g.service = tag(t, "service");
    g.access = tag(t, "access");
    g.motor_vehicle = tag(t, "motor_vehicle");
    g.motorcar = tag(t, "motorcar");
    g.area = tag(t, "area");
    g.oneway = tag(t, "oneway");
    g.junction = tag(t, "junction");
    g.lanes = tag(t, "lanes");
    g.lanes_forward = tag(t, "lanes:forward");
    g.lanes_backward = tag(t, "lanes:backward");
    g.maxspeed = tag(t, "maxspeed");
    m_data.ways.push_back(std::move(way));
  }

  void relation(const osmium::Relation& r) {
    const osmium::TagList& t = r.tags();
    const char* type = t.get_value_by_key("type");
    if (!type || std::strcmp(type, "restriction") != 0) return;
    RawRestriction rr;
    rr.id = r.id();
    rr.value = tag(t, "restriction");
    if (rr.value.empty()) rr.value = tag(t, "restriction:motorcar");
    const std::string except = tag(t, "except");
    rr.except_motorcar = except.find("motorcar") != std::string::npos;
    for (const osmium::RelationMember& m : r.members()) {
      const char* role = m.role();
      if (std::strcmp(role, "from") == 0 && m.type() == osmium::item_type::way) {
        rr.from_ways.push_back(m.ref());
      } else if (std::strcmp(role, "to") == 0 && m.type() == osmium::item_type::way) {
        rr.to_ways.push_back(m.ref());
      } else if (std::strcmp(role, "via") == 0) {
        if (m.type() == osmium::item_type::node) {
          rr.via_nodes.push_back(m.ref());
        } else {
          ++rr.via_ways;
        }
      }
    }
    m_data.restrictions.push_back(std::move(rr));
  }

 private:
  RawData& m_data;
};

RawData read(const osmium::io::File& file, const std::string& name) {
  RawData data;
  try {
    osmium::io::Reader reader(file, osmium::osm_entity_bits::nwr, osmium::io::read_meta::no);
    Collector collector(data);
    osmium::apply(reader, collector);
    reader.close();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kInvalidInput, name,
                std::string("not a readable OpenStreetMap extract: ") + e.what() +
                    " (expected OSM XML or PBF)");
  }
  return data;
}

}  // namespace

RawData read_osm_file(const std::string& path, const std::string& name) {
  return read(osmium::io::File(path), name);
}

RawData read_osm_buffer(const char* data, std::size_t size, const std::string& format,
                        const std::string& name) {
  return read(osmium::io::File(data, size, format), name);
}

}  // namespace citybrain::import::osm_detail
