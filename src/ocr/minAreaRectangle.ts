/**
 * The smallest rectangle, in any orientation, around a set of points (what OpenCV's
 * minAreaRect gives PaddleOCR): the convex hull, then, for each of its edges, the rectangle
 * with a side along that edge; one of them is the smallest (rotating calipers' theorem).
 */

export interface Point {
  x: number;
  y: number;
}

export interface OrientedRectangle {
  centre: Point;
  /** Unit vector along the first side; the second side is perpendicular to it. */
  axis: Point;
  /** Length of the side along `axis`. */
  length: number;
  /** Length of the other side. */
  breadth: number;
}

/** The convex hull, counter-clockwise in a y-up frame (Andrew's monotone chain); collinear points are dropped. */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (sorted.length < 3) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const half = (ordered: readonly Point[]): Point[] => {
    const chain: Point[] = [];
    for (const p of ordered) {
      while (chain.length >= 2 && cross(chain[chain.length - 2]!, chain[chain.length - 1]!, p) <= 0) chain.pop();
      chain.push(p);
    }
    chain.pop(); // the last point starts the other half
    return chain;
  };
  return [...half(sorted), ...half([...sorted].reverse())];
}

/** The smallest-area rectangle holding every point; undefined for no points. */
export function minAreaRectangle(points: readonly Point[]): OrientedRectangle | undefined {
  const hull = convexHull(points);
  if (hull.length === 0) return undefined;
  if (hull.length === 1) return { centre: { ...hull[0]! }, axis: { x: 1, y: 0 }, length: 0, breadth: 0 };
  let best: OrientedRectangle | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const from = hull[i]!;
    const to = hull[(i + 1) % hull.length]!;
    const size = Math.hypot(to.x - from.x, to.y - from.y);
    if (size === 0) continue;
    const u = { x: (to.x - from.x) / size, y: (to.y - from.y) / size };
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of hull) {
      const along = p.x * u.x + p.y * u.y;
      const across = p.y * u.x - p.x * u.y; // along v = (-u.y, u.x)
      if (along < minU) minU = along;
      if (along > maxU) maxU = along;
      if (across < minV) minV = across;
      if (across > maxV) maxV = across;
    }
    const area = (maxU - minU) * (maxV - minV);
    // Strictly smaller only: of equal rectangles, the first edge's (an upright one for upright text) is kept.
    if (area < bestArea - 1e-9) {
      bestArea = area;
      const midU = (minU + maxU) / 2;
      const midV = (minV + maxV) / 2;
      best = {
        centre: { x: u.x * midU - u.y * midV, y: u.y * midU + u.x * midV },
        axis: u,
        length: maxU - minU,
        breadth: maxV - minV,
      };
    }
  }
  return best;
}
