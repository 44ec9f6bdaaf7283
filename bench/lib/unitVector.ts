/** Fills `out` with a random direction, uniform on the sphere (Gaussian components, Box–Muller), normalised. */
export function randomUnitVector(out: Float32Array, random: () => number): Float32Array {
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    const value = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
    out[i] = value;
    norm += value * value;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * scale;
  return out;
}
