// The digital twin: a microscopic simulator with CityFlow's vehicle, intersection and lane-change
// semantics, laid out for speed. Vehicles live in structure-of-arrays slots; each lane and lane
// link keeps its vehicles in position order (front first). A step computes every vehicle's move
// from the current state into buffers, then applies them, so the result does not depend on the
// number of threads. The engine is a value: copying it clones the whole simulation state.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "citybrain/core/ids.hpp"
#include "citybrain/demand/demand.hpp"
#include "citybrain/net/network.hpp"

namespace citybrain {
class ThreadPool;
}

namespace citybrain::sim {

namespace detail {
// The engine's own worker pool: a copy of the engine gets a new pool of the same size.
class PoolHandle {
 public:
  explicit PoolHandle(int threads);
  PoolHandle(const PoolHandle& other);
  PoolHandle& operator=(const PoolHandle& other);
  PoolHandle(PoolHandle&&) noexcept;
  PoolHandle& operator=(PoolHandle&&) noexcept;
  ~PoolHandle();
  ThreadPool* operator->() const { return m_pool.get(); }

 private:
  std::unique_ptr<ThreadPool> m_pool;
};

// A working buffer reused from step to step; not state, so copying the engine leaves it empty.
template <typename T>
struct Scratch : T {
  Scratch() = default;
  Scratch(const Scratch&) : T() {}
  Scratch& operator=(const Scratch&) { return *this; }
  Scratch(Scratch&&) noexcept = default;
  Scratch& operator=(Scratch&&) noexcept = default;
  ~Scratch() = default;
};
}  // namespace detail

struct SimConfig {
  double interval = 1.0;          // seconds per step
  std::uint64_t seed = 0;         // randomness: vehicle priorities and first-lane choice
  bool rl_traffic_light = false;  // false: signals cycle through their phase times
  bool lane_change = false;
  int threads = 1;
  // Below this many running vehicles a step runs on one thread whatever the pool size: waking a
  // thread costs more than it saves. Results are the same either way. Unset: 2048 under CityFlow's
  // rules, 512 under an imported city's (NetworkOptions), where a vehicle's step costs about four
  // times as much.
  std::optional<std::size_t> parallel_threshold = std::nullopt;
  // Trips routed at insertion search with A* and landmark bounds; false: plain Dijkstra, which
  // finds the same routes more slowly (for comparison).
  bool route_landmarks = true;
};

// Index of a vehicle slot. Slots are reused after a vehicle leaves.
using Slot = std::uint32_t;
inline constexpr Slot kNoVehicle = std::numeric_limits<Slot>::max();
// Lanes are drivables [0, lanes); lane link k is drivable lanes + k.
using DrivableId = std::uint32_t;
inline constexpr DrivableId kNoDrivable = std::numeric_limits<DrivableId>::max();

class Engine {
 public:
  Engine(std::shared_ptr<const net::Network> network, std::shared_ptr<const demand::Demand> demand,
         SimConfig config);
  Engine(const Engine& other);
  Engine& operator=(const Engine& other);
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  ~Engine();

  void step();
  double time() const { return static_cast<double>(m_step) * m_config.interval; }
  std::int64_t step_count() const { return m_step; }
  const SimConfig& config() const { return m_config; }
  const net::Network& network() const { return *m_net; }
  const demand::Demand& demand() const { return *m_demand; }
  void set_threads(int threads);

  // Signals. set_phase requires rl_traffic_light (otherwise the cycle owns the signals).
  void set_phase(IntersectionId intersection, std::uint32_t phase);
  std::uint32_t phase(IntersectionId intersection) const { return m_phase[intersection.index()]; }

  // Counts as CityFlow reports them: running vehicles include lane-change shadows.
  std::size_t vehicle_count() const { return m_running; }
  std::size_t waiting_to_enter() const;
  std::size_t vehicles_generated() const { return m_generated; }
  std::size_t vehicles_finished() const { return m_finished_trips; }
  // Of those, the trips that ended before their route's last road: the vehicle's lane had no link
  // towards its next road (CityFlow's rule when it cannot change lanes).
  std::size_t trips_ended_off_route() const { return m_trips_off_route; }
  std::uint64_t vehicle_steps() const { return m_vehicle_steps; }
  // CityFlow's get_average_travel_time() (PROTOCOL.md 3.2).
  double average_travel_time_cityflow() const;
  // SUMO's trip statistics: the mean of (arrival - departure) over the vehicles that arrived, the
  // departure being when a vehicle entered the road (time spent queued to enter is not counted).
  double mean_trip_duration() const {
    return m_finished_trips == 0 ? 0.0
                                 : m_trip_duration_sum / static_cast<double>(m_finished_trips);
  }
  // No flow will release another vehicle.
  bool demand_exhausted() const {
    return m_flow_next == m_flow_order.size() && m_active_flows.empty();
  }
  // Mean travel time (generation to arrival) of the trips finished so far, as CityFlow counts
  // them; 0 before the first.
  double finished_travel_time_mean() const {
    return m_cf_finished == 0 ? 0.0 : m_cf_travel_time / static_cast<double>(m_cf_finished);
  }

  // Per-lane sensing.
  std::uint32_t lane_vehicle_count(LaneId lane) const {
    return static_cast<std::uint32_t>(m_lists[lane.index()].size());
  }
  std::uint32_t lane_waiting_count(LaneId lane) const;  // speed < 0.1 m/s
  // Distance from the lane's end back to the last stopped vehicle's tail (0 when none waits).
  double lane_queue_length(LaneId lane) const;

  // Vehicles on a drivable, front first.
  const std::vector<Slot>& drivable_vehicles(DrivableId d) const { return m_lists[d]; }
  // The drivables with vehicles on them after the last step, in ascending order.
  std::span<const DrivableId> occupied_drivables() const {
    return {m_active.begin(), m_active.end()};
  }
  DrivableId lane_drivable(LaneId lane) const { return lane.value; }
  DrivableId lanelink_drivable(LaneLinkId link) const {
    return static_cast<DrivableId>(m_net->lanes.size()) + link.value;
  }
  bool is_lane(DrivableId d) const { return d < m_net->lanes.size(); }

  // Per-vehicle state by slot (valid for slots listed on a drivable).
  double vehicle_distance(Slot v) const { return m_veh[v].dis; }
  double vehicle_speed(Slot v) const { return m_veh[v].speed; }
  DrivableId vehicle_drivable(Slot v) const { return m_veh[v].drv; }
  bool vehicle_is_shadow(Slot v) const { return m_veh[v].partner_type == 2; }
  int vehicle_lane_change_direction(Slot v) const { return m_aux[v].last_dir; }
  double vehicle_offset(Slot v) const { return m_aux[v].offset; }
  const demand::VehicleType& vehicle_type(Slot v) const { return m_demand->types[m_veh[v].type]; }
  // Identity of the trip a slot carries (stable across lane changes); shadows carry their own.
  std::uint32_t vehicle_trip(Slot v) const { return m_trip[v]; }
  // CityFlow's id: "flow_<flow>_<n>", "manually_pushed_<n>" for pushed vehicles, "_shadow"
  // appended.
  std::string vehicle_name(Slot v) const;
  std::size_t trip_count() const { return m_trip_flow.size(); }
  bool trip_is_shadow(std::uint32_t trip) const { return m_trip_shadow_of[trip] != kNoTrip; }

  // --- Vehicle-level API (Python, server) ---
  // Lookups by CityFlow's vehicle ids and per-vehicle control for front ends
  // (src/sim/vehicle_api.cpp). None of these is on the step's hot path; lookups scan the vehicles.
  // Real vehicles on a lane or lane link (and, with include_waiting, those queued to enter), in
  // priority order as CityFlow lists them; shadows are left out.
  std::vector<Slot> vehicles(bool include_waiting) const;
  // The slot of a CityFlow vehicle id ("flow_3_0", "flow_3_0_shadow", "manually_pushed_0"),
  // running or queued to enter; kNoVehicle when there is none. `running` tells which.
  Slot find_vehicle(const std::string& id, bool* running = nullptr) const;
  // The vehicle ahead on the same drivable as the driving model sees it; a shadow answers for its
  // real vehicle when lane changing. kNoVehicle when none.
  Slot vehicle_leader(Slot v) const;
  // The roads still to drive, the current one first.
  std::span<const RoadId> vehicle_route_ahead(Slot v) const;
  // A speed the vehicle aims for during the next step (collision avoidance still applies).
  void set_vehicle_speed(Slot v, double speed);
  // Reroutes through the anchor roads (shortest paths between them) after the current road.
  // Returns false and keeps the old route when the vehicle is on a lane link, a road is not
  // connected or the vehicle could not follow the new route from its lane.
  bool set_vehicle_route(Slot v, std::span<const RoadId> anchors);
  // Seeds the randomness of vehicles released from now on.
  void set_seed(std::uint64_t seed) { m_config.seed = seed; }
  // Adds a vehicle of `type` through the anchor roads (joined by shortest paths); it queues on its
  // first road now and enters from the next step. Its id is CityFlow's "manually_pushed_<n>".
  // Throws Error (invalid argument) when the anchors cannot be joined.
  Slot push_vehicle(const demand::VehicleType& type, std::span<const RoadId> anchors);
  // Puts a vehicle of one of the demand's types on `lane`, its front `distance` metres from the
  // lane's start, driving at `speed`, on one of the demand's routes whose first road is the lane's
  // road. For what-if twins built from sensor counts (control/lookahead.hpp): place each lane's
  // vehicles front first, before the first step. Throws Error (invalid argument) when the lane is
  // not on the route's first road, cannot lead on along the route, or the vehicle would overlap
  // the one placed ahead of it.
  Slot place_vehicle(VehicleTypeId type, RouteId route, LaneId lane, double distance, double speed);

 private:
  static constexpr std::uint32_t kNoTrip = std::numeric_limits<std::uint32_t>::max();
  // The flow of a vehicle put on a lane by place_vehicle.
  static constexpr std::uint32_t kPlacedFlow = kNoTrip - 1;

  // Step phases, in CityFlow's order.
  void generate();
  void enter_waiting();
  void plan_lane_changes();
  void schedule_lane_changes();
  void compute_speeds();
  void compute_moves();
  template <bool LaneChange>
  void move_vehicle(Slot v, double next_speed);
  void apply_moves();
  void update_vehicles();
  void update_leaders();
  void update_leaders_on(DrivableId d);  // every vehicle on d, front first
  // Writes the occupied drivables of [begin, end) to out in order; returns how many.
  std::size_t compact_occupied(std::size_t begin, std::size_t end, DrivableId* out) const;
  void collect_active();
  void compact_slots();
  static constexpr std::int64_t kCompactEvery = 32;
  void pass_signal_time();

  // Routing. Functions marked [[gnu::pure]] here and below only read the engine: the compute loop
  // that calls them may then keep the engine's array pointers in registers across the calls
  // (J1: 7.8 % fewer instructions per step, with the driving model's helpers inlined).
  [[gnu::pure]] DrivableId next_drivable(DrivableId from, std::uint32_t route_pos, Slot v) const;
  [[gnu::pure]] DrivableId planned(Slot v, int i) const;
  [[gnu::pure]] bool on_valid_lane(Slot v) const;
  bool on_last_road(Slot v) const;
  DrivableId first_lane(std::uint32_t route, std::uint64_t counter) const;
  void refresh_plan(Slot v);

  // Imported cities (NetworkOptions::route_trips): trips are routed when released, as SUMO routes
  // incomplete routes at insertion with its routing device: the fastest path by each road's mean
  // speed over the last 180 s, plus the lane links' length at free speed (route_trips.cpp).
  static constexpr std::uint32_t kLocalRoute = 0x80000000u;  // route ids of the engine's own
  static constexpr std::size_t kSpeedWindow = 180;           // samples, one per step
  std::span<const RoadId> route_of(std::uint32_t route) const {
    if (route & kLocalRoute) {
      const net::Range r = m_local_routes[route & ~kLocalRoute];
      return {m_local_roads.data() + r.begin, r.size()};
    }
    return m_demand->route(RouteId(route));
  }
  void init_trip_routing();
  double effort(std::size_t road) const;
  void init_landmarks();
  void sample_road_speeds();
  std::uint32_t route_trip(std::uint32_t demand_route);
  // Imported cities (NetworkOptions::lane_balance without CityFlow lane changes): SUMO's
  // strategic lanes and keep-clear rule (lane_change.cpp). A vehicle whose lane has no link towards
  // its next road changes lanes on the road instead of ending its trip.
  // For each lane of route[p] (at most 16), how far in metres the route can be followed from its
  // start by links alone, looking at most `max_roads` roads ahead; returns the lanes written.
  void init_route_lookahead();
  std::uint32_t canonical_route(std::uint32_t route);
  const float* route_continuations_kept(std::uint32_t route, std::uint32_t p);
  std::uint32_t route_continuations(std::span<const RoadId> route, std::uint32_t p,
                                    std::uint32_t max_roads, float* out) const;
  DrivableId next_drivable_balanced(const net::Lane& lane, DrivableId from,
                                    std::span<const RoadId> route, std::uint32_t p, Slot v) const;
  // The lanes of route[0] a vehicle may start on (at least one, at most 16).
  std::uint32_t first_lane_candidates(std::span<const RoadId> route, std::uint32_t* out) const;
  void change_to_route_lanes();
  // Vehicle v is new on lane d: how far each lane of the road leads along its route (VehicleAux).
  // True when it may want to change lanes there.
  bool look_along_route(Slot v, DrivableId d);
  void refresh_upstream_fronts();
  // The speed bound of waiting for a lane change and of leaving room for a changing vehicle.
  [[gnu::pure]] double route_lane_speed(Slot v) const;
  double queue_ahead(Slot v) const;
  double space_till_last_standing(DrivableId lane, Slot v, bool* stopped) const;
  [[gnu::pure]] bool sumo_keeps_clear(DrivableId lane, Slot v) const;
  // Moves v to the adjacent lane `target` when the gaps allow; otherwise names in *ask the
  // vehicle on `target` that could make room.
  bool try_route_change(Slot v, DrivableId target, Slot* ask);
  // The vehicle has waited at the end of a lane without a link onward for too long: it takes a
  // neighbouring lane's link.
  [[gnu::pure]] bool gave_up_lane(Slot v) const;

  // Driving model.
  void update_leader_and_gap(Slot v, Slot candidate);
  // Templated on lane changing, so that the per-vehicle loops test the setting at compile time.
  template <bool LaneChange>
  double next_speed(Slot v);
  double car_follow_speed(Slot v) const;
  double intersection_speed(Slot v);
  double stop_before_speed(Slot v, double distance) const;
  // A follower's braking, pre-divided: the car-following formulas divide by it twice per call.
  struct Decel {
    double half_inverse = 0;            // 0.5 / deceleration
    double half_over_half_inverse = 0;  // 0.5 / (0.5 / deceleration), as CityFlow computes it
  };
  // Per vehicle type, values the driving model would otherwise recompute for every vehicle.
  struct TypeConsts {
    Decel max_neg, usual_neg;
    double approach = 0;             // distance from which the intersection matters (m)
    double headway_denominator = 0;  // headway + interval / 2
  };
  TypeConsts type_consts(const demand::VehicleType& type) const;
  void add_type_consts(const demand::VehicleType& type);
  double no_collision_speed(double vl, double dl, double vf, const Decel& df, double gap,
                            double target_gap) const;
  bool is_intersection_related(Slot v) const;
  // The vehicle that claims crossing point `cross` on its link `side` this step, kNoVehicle if
  // none, and in `distance` how far it is from the point (negative once past). Read when a vehicle
  // on the other link asks, so no step writes notices for every point.
  Slot foe_at(const net::Cross& cross, int side, double& distance) const;
  // Whether v may go on past the crossing point lc (of `cross`), where `foe` comes from the other
  // link, foe_distance from the point.
  [[gnu::pure]] bool can_pass(const net::Cross& cross, const net::LinkCross& lc, Slot v, Slot foe,
                              double foe_distance, double distance_to_link_start) const;
  bool can_yield(Slot v, double distance) const;
  int reach_steps(Slot v, double distance, bool turn) const;
  double min_brake_distance(Slot v) const {
    return 0.5 * m_veh[v].speed * m_veh[v].speed / m_demand->types[m_veh[v].type].max_neg_acc;
  }
  bool link_available(std::uint32_t lanelink) const { return m_link_green[lanelink] != 0; }
  // Takes from *room what the vehicles on links into `lane` (other than v) will need; whether
  // there were any.
  bool claim_incoming_room(DrivableId lane, Slot v, double* room) const;
  [[gnu::pure]] bool link_keeps_clear(DrivableId lane, Slot v) const;
  bool phase_has_demand(std::size_t intersection) const;
  void refresh_green(std::size_t intersection);
  [[gnu::pure]] bool lane_can_enter(DrivableId lane, Slot v) const;
  bool lane_available(DrivableId lane, Slot v) const;
  [[gnu::pure]] double yield_speed(Slot v) const;
  void set_delta_distance(Slot v, double delta);

  // Lane changing.
  void make_signal(Slot v);
  bool plans_change(Slot v) const;
  void update_lane_change_neighbours(Slot v);
  void receive_signal(Slot receiver, Slot sender);
  void insert_shadow(Slot v);
  double estimate_gap(Slot v, DrivableId lane) const;
  Slot vehicle_after(DrivableId lane, double dis) const;
  Slot vehicle_before(DrivableId lane, double dis) const;

  // Takes a free slot for the next trip: the `seq`-th vehicle of `flow`, or the shadow of trip
  // `shadow_of` during a lane change (flow and seq 0), kNoTrip otherwise.
  Slot start_trip(std::uint32_t flow, std::uint32_t seq, std::uint32_t shadow_of);
  // Starts the `seq`-th trip of `flow` and queues its vehicle at its route's first lane.
  Slot release_vehicle(std::uint32_t flow, std::uint32_t seq, std::uint32_t type,
                       std::uint32_t route);
  void free_slot(Slot v);
  void resize_slots(std::size_t n);

  std::shared_ptr<const net::Network> m_net;
  std::shared_ptr<const demand::Demand> m_demand;
  SimConfig m_config;
  detail::PoolHandle m_pool;

  // Static per-drivable data.
  std::vector<double> m_drv_length, m_drv_max_speed, m_drv_width;
  std::vector<TypeConsts> m_type_consts;
  std::vector<std::uint32_t> m_link_roadlink;                  // per lane link
  std::vector<std::uint8_t> m_link_turn;                       // per lane link: is a turn
  std::vector<std::pair<DrivableId, DrivableId>> m_link_ends;  // per lane link: from and to lane
  // The drivables with vehicles, ascending; storage sized once so that refreshing it every step
  // writes no memory it does not use.
  struct ActiveList {
    std::vector<DrivableId> ids;
    std::size_t count = 0;
    std::size_t size() const { return count; }
    DrivableId operator[](std::size_t i) const { return ids[i]; }
    const DrivableId* begin() const { return ids.data(); }
    const DrivableId* end() const { return ids.data() + count; }
  };
  ActiveList m_active;
  // The phases over m_active cut each thread's share into pieces that a thread done early may take
  // over: the cost per vehicle varies across a city (a vehicle in a junction looks for a foe at
  // every crossing point ahead).
  static constexpr std::size_t kPieces = 16;
  std::vector<std::size_t> m_active_split;      // per thread, where its share of m_active starts
  std::vector<std::uint32_t> m_active_seen;     // collect_active: vehicles so far in a share
  std::vector<std::size_t> m_share_bounds;      // collect_active: each share's drivables
  std::vector<std::size_t> m_share_counts;      // collect_active: occupied drivables per share
  std::vector<std::uint32_t> m_share_vehicles;  // collect_active: vehicles per share
  std::vector<std::uint8_t> m_link_green;       // per lane link: its signal shows green

  // Dynamic state.
  std::int64_t m_step = 0;
  double m_flow_clock = 0;
  std::vector<std::vector<Slot>> m_lists;    // per drivable, front first
  std::vector<std::uint8_t> m_occupied;      // per drivable: its list is not empty
  std::vector<std::vector<Slot>> m_waiting;  // per lane: vehicles queued to enter
  std::vector<std::uint32_t> m_waiting_head;
  std::vector<std::uint32_t> m_waiting_lanes;  // lanes with a non-empty queue, ascending
  std::vector<std::uint32_t> m_phase;          // per intersection
  std::vector<double> m_phase_remaining;
  std::vector<double> m_phase_elapsed;  // per intersection: time in the current phase (actuated)
  // Per intersection: the next intersection of its signal group, in index order.
  static constexpr std::uint32_t kNoIntersection = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> m_group_next;
  // The intersections whose time pass_signal_time() runs, ascending: signalised ones, but for
  // actuated ones that switch with their group's first intersection.
  std::vector<std::uint32_t> m_timed;
  // Per lane: the lane links that end on it (keep-clear, lane balance), as ranges into m_in_links.
  std::vector<std::uint32_t> m_in_begin, m_in_links;

  struct FlowState {
    double now = 0;
    std::uint32_t count = 0;
  };
  std::vector<FlowState> m_flow_state;
  std::vector<std::uint32_t> m_flow_order;  // flows by start time
  std::size_t m_flow_next = 0;
  std::vector<std::uint32_t> m_active_flows;

  // Trips: one per generated vehicle plus one per lane-change shadow.
  std::vector<std::uint32_t> m_trip_flow, m_trip_seq, m_trip_shadow_of;

  // Vehicle slots. What a step reads for every vehicle sits together in one cache line; what it
  // writes, and what only lane changes and bookkeeping touch, lives beside it.
  struct alignas(64) Vehicle {
    double dis = 0, speed = 0, gap = 0;
    DrivableId drv = kNoDrivable, next_drv = kNoDrivable, prev_drv = kNoDrivable;
    Slot leader = kNoVehicle, blocker = kNoVehicle;
    std::uint32_t type = 0, route = 0, route_pos = 0;
    // The step it entered the lane link it is on; the maximum while on a lane.
    std::int32_t enter_link_step = std::numeric_limits<std::int32_t>::max();
    std::uint8_t has_custom_speed = 0;
    std::uint8_t partner_type = 0;  // 0 none, 1 real with a shadow, 2 shadow
    std::uint8_t changing = 0, lc_finished = 0;
  };
  static_assert(sizeof(Vehicle) == 64);
  // What the compute phase writes, apart from what it reads: a thread writing its vehicles' next
  // state never invalidates the cache lines other threads read their leaders and foes from.
  struct VehicleNext {
    double new_speed = 0, new_dis = 0, raw_speed = 0;
    DrivableId new_drv = kNoDrivable;
    Slot new_blocker = kNoVehicle;
    std::uint8_t moved = 0, ended = 0, aborted = 0, finished_change = 0;
  };
  struct VehicleAux {
    double custom_speed = 0;  // while Vehicle::has_custom_speed
    std::int32_t priority = 0;
    double gen_time = 0, enter_time = 0, offset = 0, last_change_time = 0, leader_gap = 0,
           follower_gap = 0;
    Slot partner = kNoVehicle, target_leader = kNoVehicle, target_follower = kNoVehicle,
         signal_recv = kNoVehicle;
    DrivableId signal_target = kNoDrivable;
    // Imported cities, on the lane LaneView::lane: time spent at its front with no link onward,
    // a lane of the road that leads further (if any), and how far the route can be followed from
    // the start of the lane and of the lanes beside it (-1: no such lane).
    double stuck = 0;
    DrivableId lane_target = kNoDrivable;
    float cont_own = -1, cont_left = -1, cont_right = -1;
    std::uint8_t has_signal = 0;
    std::int8_t signal_dir = 0, last_dir = 0;
  };
  std::vector<Vehicle> m_veh;
  std::vector<VehicleNext> m_next;
  std::vector<VehicleAux> m_aux;
  // Imported cities, read for every vehicle each step (12 bytes, not a line of VehicleAux): the
  // lane it last looked along its route from, whether it may want to change lanes there, and this
  // step a vehicle beside that it leaves room for (set before the compute pass, cleared after).
  struct LaneView {
    DrivableId lane = kNoDrivable;
    Slot coop = kNoVehicle;
    std::uint32_t changer = 0;
  };
  std::vector<LaneView> m_lane_view;
  // Each slot's trip, on its own: a measurement visiting every vehicle each step reads 4 bytes a
  // vehicle rather than a line of VehicleAux.
  std::vector<std::uint32_t> m_trip;
  detail::Scratch<std::vector<Vehicle>> m_veh_scratch;
  detail::Scratch<std::vector<VehicleNext>> m_next_scratch;
  detail::Scratch<std::vector<VehicleAux>> m_aux_scratch;
  detail::Scratch<std::vector<LaneView>> m_lane_view_scratch;
  detail::Scratch<std::vector<std::uint32_t>> m_trip_scratch;
  detail::Scratch<std::vector<Slot>> m_new_slot;
  std::vector<Slot> m_free;
  std::size_t m_slots_used = 0;

  detail::Scratch<std::vector<Slot>> m_lane_change_candidates;
  struct Push {
    double dis;
    std::uint32_t order;
    Slot vehicle;
  };
  detail::Scratch<std::vector<Push>> m_push_buffer;
  detail::Scratch<std::vector<Slot>> m_removed;
  // Per piece of compute_moves: the vehicles that leave their drivable.
  detail::Scratch<std::vector<std::vector<Slot>>> m_leaving;

  std::uint32_t m_priority_counter = 0;
  std::size_t m_running = 0;
  std::size_t m_generated = 0;
  std::size_t m_waiting_total = 0;
  std::size_t m_finished_trips = 0;   // trips that reached their destination
  std::size_t m_trips_off_route = 0;  // finished trips that ended before their last road
  std::size_t m_cf_finished = 0;      // CityFlow's finished count (includes its quirks)
  double m_cf_travel_time = 0;
  double m_trip_duration_sum = 0;  // over finished trips: finish - entry
  double m_pool_gen_time_sum = 0;  // sum of generation times over vehicles in CityFlow's pool
  std::size_t m_pool_size = 0;
  std::uint64_t m_vehicle_steps = 0;
  bool m_refresh_leaders = false;  // vehicles were placed: the front ones look ahead again

  // Trip routing (route_trips.cpp).
  bool m_route_trips = false;
  std::vector<double> m_road_length, m_road_free_speed;  // per road
  std::vector<double> m_speed_ring;                      // kSpeedWindow samples, each of all roads
  std::vector<double> m_speed_sum;                       // per road: the sum of its samples
  std::vector<double> m_effort;  // per road: its length over its mean speed, as routing sees it
  std::size_t m_ring_pos = 0;
  std::vector<std::uint32_t> m_next_begin;  // per road: its successors in m_next_road
  std::vector<std::uint32_t> m_next_road;
  std::vector<double> m_next_cost;  // per successor: crossing the junction at free speed
  // A* with landmarks (ALT): per road, kLandmarks pairs of free-flow travel times (from the
  // landmark to the road's end, from the road's end to the landmark), infinite when unreachable.
  // Free flow is the least a road can cost, so the bound they give never overestimates.
  static constexpr std::size_t kLandmarks = 8;
  std::vector<float> m_landmark_time;
  double m_landmark_margin = 0;  // what float rounding can add to a bound
  std::vector<RoadId> m_local_roads;
  std::vector<net::Range> m_local_routes;
  std::vector<double> m_road_sample_sum;  // per road, zero between steps
  std::vector<std::uint32_t> m_road_sample_count;
  std::vector<std::uint8_t> m_road_unfree;  // per road: its window's samples other than free speed
  std::vector<std::uint8_t> m_road_live;    // per road: in m_live_roads
  std::vector<std::uint32_t> m_live_roads;  // roads with vehicles or an unfree sample, any order
  detail::Scratch<std::vector<std::uint32_t>> m_prev;  // route_trip's search, sized on first use
  detail::Scratch<std::vector<double>> m_dist;         // infinite but at m_reached
  detail::Scratch<std::vector<double>> m_bound;        // at m_reached: the bound to the target
  detail::Scratch<std::vector<std::uint32_t>> m_reached;
  detail::Scratch<std::vector<std::pair<double, std::uint32_t>>> m_heap;
  detail::Scratch<std::vector<RoadId>> m_path;
  std::vector<double> m_detector_dist;  // per lane: an actuated light's loop before the stop line
  bool m_route_lanes = false;           // imported city without CityFlow lane changes
  // The route lookahead's view of the network, packed (lane_change.cpp).
  struct LookaheadRoad {
    std::uint32_t first_lane;
    std::uint32_t lanes;  // at most kMaxLanes
    double length;        // of its first lane
  };
  struct LookaheadLink {
    std::uint32_t to_road;
    std::uint32_t to_index;
  };
  std::vector<LookaheadRoad> m_look_roads;  // per road
  std::vector<std::uint32_t> m_look_begin;  // per lane + 1: its links in m_look_links
  std::vector<LookaheadLink> m_look_links;  // per lane's outgoing lane link, in file order
  std::vector<float> m_look_lane_length;    // per lane
  // route_continuations over the whole lookahead, kept per route position: vehicles with equal
  // routes share one route id for it (m_canon_*: per route, that id, or kUnknownRoute; a hash
  // table over route contents finds it). Per position of the demand's and of the engine's own
  // routes, m_cont_*_at holds the index + 1 of its lanes' values in m_cont_values (0: not yet).
  static constexpr std::uint32_t kUnknownRoute = 0xffffffffu;
  std::vector<std::uint32_t> m_canon_demand, m_canon_local;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> m_route_table;
  std::size_t m_route_table_entries = 0;
  std::vector<std::uint32_t> m_cont_demand_at, m_cont_local_at;
  std::vector<float> m_cont_values;
  detail::Scratch<std::vector<Slot>> m_route_changers;
  detail::Scratch<std::vector<Slot>> m_coop_set;             // vehicles whose LaneView::coop is set
  detail::Scratch<std::vector<DrivableId>> m_changed_lanes;  // this step's lane changes touched
  // Lanes whose last vehicle or load changed this step (entries, lane changes): what upstream
  // front vehicles see when they look ahead.
  detail::Scratch<std::vector<DrivableId>> m_changed_tails;
  // Walking back from m_changed_tails: drivables with the length of empty ones between (-1: one
  // with vehicles, where the walk stops).
  detail::Scratch<std::vector<std::pair<DrivableId, double>>> m_upstream;
  detail::Scratch<std::vector<double>> m_upstream_seen;  // per drivable: shortest such length
  double m_max_approach = 0;  // the longest look ahead for a leader of any vehicle type
};

}  // namespace citybrain::sim
