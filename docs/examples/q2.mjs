// Writes q2.csv (docs/sdp.md): 60 rows of x ~ N(0, I₄) with targets y₁ = 2x₀² − x₁² and
// y₂ = x₀x₁, plus 0.01·N(0, 1) noise, seed 0. Run: node docs/examples/q2.mjs > docs/examples/q2.csv
// (from the repository root, after `pnpm build`).
import { Rng } from '../../packages/linalg/dist/index.js';

const rng = new Rng(0);
const lines = ['x0,x1,x2,x3,y1,y2'];
for (let t = 0; t < 60; t++) {
  const x = rng.normalArray(4);
  const y1 = 2 * x[0] ** 2 - x[1] ** 2 + 0.01 * rng.normal();
  const y2 = x[0] * x[1] + 0.01 * rng.normal();
  lines.push([...x, y1, y2].map((v) => v.toFixed(6)).join(','));
}
console.log(lines.join('\n'));
