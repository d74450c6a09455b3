// The city map: roads coloured by congestion, vehicles as dots, signals coloured by phase, drawn
// with deck.gl in an orthographic view over the twin's planar metres (no tiles).

import {Deck, OrthographicView, type OrthographicViewState, type PickingInfo} from '@deck.gl/core';
import {PathLayer, ScatterplotLayer} from '@deck.gl/layers';
import type {Bbox, IntersectionProps, Network, RoadProps} from './api';
import type {Frame} from './stream';
import {congestionColor, phaseColor, type Rgba} from './colors';

interface Road {
  props: RoadProps;
  path: [number, number][];
  width: number;
}

interface Junction {
  props: IntersectionProps;
  position: [number, number];
}

// CityFlow's common lane width; the API does not carry lane widths.
const LANE_WIDTH = 4;

/**
 * Shifts a polyline `d` metres to the right of its direction and trims `trim` metres at both ends.
 */
function offsetPath(points: [number, number][], d: number, trim: number): [number, number][] {
  const n = points.length;
  if (n < 2) return points;
  const out: [number, number][] = [];
  for (let i = 0; i < n; ++i) {
    const a = points[Math.max(0, i - 1)];
    const b = points[Math.min(n - 1, i + 1)];
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    out.push([points[i][0] + (dy / len) * d, points[i][1] - (dx / len) * d]);
  }
  return trimPath(out, trim);
}

function trimPath(points: [number, number][], trim: number): [number, number][] {
  let total = 0;
  for (let i = 1; i < points.length; ++i)
    total += Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
  const t = Math.min(trim, total * 0.25);
  if (t <= 0) return points;
  const cut = (pts: [number, number][]): [number, number][] => {
    let left = t;
    for (let i = 1; i < pts.length; ++i) {
      const seg = Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      if (seg > left) {
        const f = left / seg;
        const start: [number, number] = [
          pts[i - 1][0] + (pts[i][0] - pts[i - 1][0]) * f,
          pts[i - 1][1] + (pts[i][1] - pts[i - 1][1]) * f
        ];
        return [start, ...pts.slice(i)];
      }
      left -= seg;
    }
    return pts;
  };
  return cut(cut(points).reverse()).reverse();
}

export interface MapHandlers {
  select(id: string|null): void;
}

export class CityMap {
  private readonly deck: Deck<OrthographicView>;
  private roads: Road[] = [];
  private junctions: Junction[] = [];
  private bbox: Bbox = [0, 0, 1, 1];
  private frame: Frame|null = null;
  private selected: string|null = null;
  private viewState: OrthographicViewState = {target: [0, 0, 0], zoom: 0};

  constructor(
      private readonly container: HTMLDivElement,
      private readonly on: MapHandlers,
  ) {
    this.deck = new Deck<OrthographicView>({
      parent: container,
      views: new OrthographicView({id: 'city', flipY: false}),
      initialViewState: this.viewState,
      controller: {
        scrollZoom: {speed: 0.02, smooth: false},
        doubleClickZoom: true,
        dragPan: true,
        inertia: 250
      },
      onViewStateChange: ({viewState}) => {
        this.viewState = viewState as OrthographicViewState;
        return viewState;
      },
      getCursor: ({isHovering, isDragging}) =>
          (isDragging     ? 'grabbing' :
               isHovering ? 'pointer' :
                            'grab'),
      getTooltip: (info) => this.tooltip(info),
      layers: [],
    });
    new ResizeObserver(() => this.deck.redraw()).observe(container);
    // A click is a press and release without a drag. deck.gl's own tap recogniser also wants the
    // release within 250 ms of the press, which a software-rendered picking pass can exceed.
    let down: [number, number]|null = null;
    container.addEventListener('pointerdown', (e) => {
      down = e.button === 0 ? [e.clientX, e.clientY] : null;
    });
    container.addEventListener('pointerup', (e) => {
      if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 5) return;
      down = null;
      const rect = container.getBoundingClientRect();
      const info = this.deck.pickObject(
          {x: e.clientX - rect.left, y: e.clientY - rect.top, radius: 6, layerIds: ['signals']});
      const junction = info?.object as Junction | undefined;
      if (junction) this.on.select(junction.props.id);
    });
  }

  setNetwork(network: Network): void {
    this.bbox = network.bbox;
    this.roads = [];
    this.junctions = [];
    for (const f of network.features) {
      if (f.properties.kind === 'road' && f.geometry.type === 'LineString') {
        const props = f.properties as RoadProps;
        const half = (props.lanes * LANE_WIDTH) / 2;
        this.roads.push({
          props,
          path: offsetPath(f.geometry.coordinates, half, 14),
          width: props.lanes * LANE_WIDTH * 0.85
        });
      } else if (f.properties.kind === 'intersection' && f.geometry.type === 'Point') {
        this.junctions.push(
            {props: f.properties as IntersectionProps, position: f.geometry.coordinates});
      }
    }
    this.roads.sort((a, b) => a.props.index - b.props.index);
    this.fit();
    this.render();
  }

  setFrame(frame: Frame): void {
    this.frame = frame;
    this.render();
  }

  setSelected(id: string|null): void {
    this.selected = id;
    this.render();
  }

  /** Fits the network's bounding box into the view with a margin. */
  fit(): void {
    const {width, height} = this.container.getBoundingClientRect();
    const [minx, miny, maxx, maxy] = this.bbox;
    const scale =
        Math.min(
            (width || 800) / Math.max(1, maxx - minx), (height || 600) / Math.max(1, maxy - miny)) *
        0.9;
    this.viewState = {target: [(minx + maxx) / 2, (miny + maxy) / 2, 0], zoom: Math.log2(scale)};
    this.deck.setProps({initialViewState: {...this.viewState}});
  }

  /** The page coordinates of an intersection (for tests and keyboard users). */
  screenOf(id: string): [number, number]|null {
    const j = this.junctions.find((x) => x.props.id === id);
    const viewport = this.deck.getViewports()[0];
    if (!j || !viewport) return null;
    const [x, y] = viewport.project(j.position);
    const rect = this.container.getBoundingClientRect();
    return [rect.left + x, rect.top + y];
  }

  /**
   * Pans the view so an intersection hidden under a panel covering `insetLeft` pixels of the
   * map's left side comes to the middle of the rest.
   */
  reveal(id: string, insetLeft: number): void {
    const j = this.junctions.find((x) => x.props.id === id);
    const viewport = this.deck.getViewports()[0];
    if (!j || !viewport) return;
    const [x] = viewport.project(j.position);
    const width = this.container.clientWidth;
    if (x > insetLeft + 30 && x < width - 30) return;
    const dx = (insetLeft + Math.min(160, (width - insetLeft) / 2) - x) / 2 **
        (this.viewState.zoom as number);
    const [tx, ty] = this.viewState.target as [number, number];
    this.viewState = {...this.viewState, target: [tx - dx, ty, 0]};
    this.deck.setProps({initialViewState: {...this.viewState, transitionDuration: 300}});
  }

  get signalised(): IntersectionProps[] {
    return this.junctions.filter((j) => j.props.signal_index >= 0).map((j) => j.props);
  }

  intersection(id: string): IntersectionProps|undefined {
    return this.junctions.find((j) => j.props.id === id)?.props;
  }

  private phaseOf(j: Junction): number {
    const phases = this.frame?.phases;
    if (!phases || j.props.signal_index < 0 || j.props.signal_index >= phases.length) return 255;
    return phases[j.props.signal_index];
  }

  private congestionOf(r: Road): number {
    const c = this.frame?.congestion;
    return c && r.props.index < c.length ? c[r.props.index] / 255 : 0;
  }

  private tooltip(info: PickingInfo): {html: string; className: string}|null {
    if (!info.object) return null;
    if (info.layer?.id === 'roads') {
      const r = info.object as Road;
      const c = this.congestionOf(r);
      return {
        className: 'map-tooltip',
        html: `<b>${r.props.id}</b><br>${r.props.from} → ${r.props.to}<br>${
            r.props.lanes} lanes · ${r.props.length.toFixed(0)} m · ${
            (r.props.speed_limit * 3.6).toFixed(0)} km/h<br>congestion ${(c * 100).toFixed(0)} %`,
      };
    }
    if (info.layer?.id === 'signals') {
      const j = info.object as Junction;
      const p = this.phaseOf(j);
      return {
        className: 'map-tooltip',
        html: `<b>${j.props.id}</b><br>phase ${p === 255 ? '–' : p} of ${
            j.props.phases}<br><i>click for details</i>`,
      };
    }
    return null;
  }

  private render(): void {
    const frame = this.frame;
    const seq = frame?.seq ?? -1;
    const signalised = this.junctions.filter((j) => j.props.signal_index >= 0);
    const plain = this.junctions.filter((j) => j.props.signal_index < 0);
    const selected = this.junctions.filter((j) => j.props.id === this.selected);
    const layers = [
      new PathLayer<Road>({
        id: 'road-casing',
        data: this.roads,
        getPath: (r) => r.path,
        getWidth: (r) => r.width + 2.5,
        widthUnits: 'common',
        widthMinPixels: 2.5,
        capRounded: true,
        jointRounded: true,
        getColor: [22, 31, 48, 255],
      }),
      new PathLayer<Road>({
        id: 'roads',
        data: this.roads,
        getPath: (r) => r.path,
        getWidth: (r) => r.width,
        widthUnits: 'common',
        widthMinPixels: 1.5,
        capRounded: true,
        jointRounded: true,
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 90],
        getColor: (r) => congestionColor(this.congestionOf(r)),
        updateTriggers: {getColor: seq},
      }),
      new ScatterplotLayer<Junction>({
        id: 'junctions',
        data: plain,
        getPosition: (j) => j.position,
        getRadius: 5,
        radiusUnits: 'common',
        radiusMinPixels: 1.5,
        getFillColor: [70, 84, 110, 255],
      }),
      new ScatterplotLayer({
        id: 'vehicles',
        data: {
          length: frame?.vehicles ?? 0,
          attributes: {getPosition: {value: frame?.positions ?? new Float32Array(0), size: 2}},
        },
        getRadius: 2.4,
        radiusUnits: 'common',
        radiusMinPixels: 1.2,
        radiusMaxPixels: 8,
        getFillColor: [236, 244, 255, 230],
        updateTriggers: {getPosition: seq},
      }),
      new ScatterplotLayer<Junction>({
        id: 'signals',
        data: signalised,
        getPosition: (j) => j.position,
        getRadius: 11,
        radiusUnits: 'common',
        radiusMinPixels: 4,
        stroked: true,
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        getLineColor: [11, 18, 32, 255],
        getFillColor: (j): Rgba => phaseColor(this.phaseOf(j)),
        pickable: true,
        autoHighlight: true,
        highlightColor: [255, 255, 255, 120],
        updateTriggers: {getFillColor: seq},
      }),
      new ScatterplotLayer<Junction>({
        id: 'selection',
        data: selected,
        getPosition: (j) => j.position,
        getRadius: 22,
        radiusUnits: 'common',
        radiusMinPixels: 10,
        stroked: true,
        filled: false,
        lineWidthUnits: 'pixels',
        getLineWidth: 2.5,
        getLineColor: [255, 255, 255, 240],
      }),
    ];
    this.deck.setProps({layers});
  }
}
