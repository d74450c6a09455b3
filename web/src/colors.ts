// Colour scales shared by the map, the legend and the intersection panel.

export type Rgba = [number, number, number, number];

const RAMP: [number, [number, number, number]][] = [
  [0.0, [46, 196, 130]],
  [0.35, [168, 214, 72]],
  [0.55, [246, 196, 64]],
  [0.75, [240, 120, 56]],
  [1.0, [220, 38, 64]],
];

/** Congestion 0..1 as free-flow green through amber to jammed red. */
export function congestionColor(c: number): Rgba {
  const x = Math.min(1, Math.max(0, c));
  for (let i = 1; i < RAMP.length; ++i) {
    if (x <= RAMP[i][0]) {
      const [x0, a] = RAMP[i - 1];
      const [x1, b] = RAMP[i];
      const f = (x - x0) / (x1 - x0);
      return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, 255];
    }
  }
  return [...RAMP[RAMP.length - 1][1], 255];
}

// Phase 0 is the yellow / all-red change interval in the benchmark layout; the green phases get
// distinct hues so that neighbouring junctions in the same phase read as one pattern.
const PHASES: [number, number, number][] = [
  [255, 204, 0],
  [56, 189, 248],
  [167, 139, 250],
  [244, 114, 182],
  [52, 211, 153],
  [251, 146, 60],
  [96, 165, 250],
  [232, 121, 249],
  [45, 212, 191],
  [253, 164, 175],
  [190, 242, 100],
  [129, 140, 248],
];

export function phaseColor(phase: number): Rgba {
  if (phase === 255 || phase < 0) return [110, 120, 140, 255];
  if (phase === 0) return [...PHASES[0], 255];
  return [...PHASES[1 + ((phase - 1) % (PHASES.length - 1))], 255];
}

export function css([r, g, b, a]: Rgba): string {
  return `rgba(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)}, ${(a / 255).toFixed(3)})`;
}
