// A plain-JavaScript consumer of the packed cvxnn packages, run by scripts/pack-consumer.mjs in a
// fresh folder outside the workspace where only the npm-installed tarballs are visible: fit a
// gated-ReLU network by its convex program on a bundled dataset and check the certificate.
import { Matrix } from '@cvxnn/linalg';
import { applyStandardizer, fitStandardizer, loadDataset, signLabels } from '@cvxnn/data';
import { appendOnes, samplePatterns } from '@cvxnn/arrangements';
import { fitConvex, recoverNetwork } from '@cvxnn/group-lasso';
import { accuracy, objective } from '@cvxnn/networks';

const ds = loadDataset('breast_cancer'); // shipped inside @cvxnn/data
const X = appendOnes(applyStandardizer(ds.X, fitStandardizer(ds.X))); // z-score, then the bias column
const Y = Matrix.column(signLabels(ds.y)); // 0/1 → ±1
const { masks, gates } = samplePatterns(X, { count: 50, seed: 0 });
const lambda = 1;
const r = fitConvex(X, Y, { masks, gates }, { model: 'gated-relu', lambda, loss: 'logistic' });

// the recovered network's own (non-convex) objective, computed by @cvxnn/networks, must equal the
// convex optimum: a check by a second code path, not the solver's word
const net = recoverNetwork(r, { appendOne: false });
const networkObjective = objective(net, X, Y, { lambda, loss: 'logistic' });
const summary = {
  data: `${ds.X.rows}×${ds.X.cols}`,
  status: r.status,
  objective: r.objective,
  certificate: r.certificate,
  networkObjective,
  trainAccuracy: accuracy(net, X, Y),
  iterations: r.iterations,
  backend: r.backend,
};
console.log(JSON.stringify(summary));
const problems = [];
if (r.status !== 'optimal') problems.push(`status is '${r.status}', not 'optimal'`);
if (!(r.certificate.value <= 1e-6)) problems.push(`relative gap ${r.certificate.value} > 1e-6`);
if (!(Math.abs(networkObjective - r.objective) <= 1e-6 * Math.abs(r.objective))) problems.push(`network objective ${networkObjective} ≠ convex objective ${r.objective}`);
if (problems.length) {
  console.error(`consumer: ${problems.join('; ')}`);
  process.exit(1);
}
