import { selectBackend } from './src/backends.js';
import { setBackend, Matrix } from '@cvxnn/linalg';
import { applyStandardizer, fitStandardizer, loadDataset, oneHot } from '@cvxnn/data';
import { fitConvexCnn, recoverCnn, cnnPredict, outputScore } from '@cvxnn/cnn';
const [n, P, RR, lam, tl, stride, pad] = process.argv.slice(2).map(Number);
const { backend } = await selectBackend('auto'); await setBackend(backend.name);
const dir = '/usr/share/datasets/fashion-mnist/';
const t0 = performance.now();
const tr = loadDataset(dir + 'train-images-idx3-ubyte.gz'); const te = loadDataset(dir + 't10k-images-idx3-ubyte.gz');
const s = fitStandardizer(tr.X); const c = tr.classes!.length;
let Xtr = applyStandardizer(tr.X, s); let Ytr = oneHot(tr.y, c);
if (n < Xtr.rows) { Xtr = new Matrix(n, Xtr.cols, Xtr.data.slice(0, n * Xtr.cols)); Ytr = new Matrix(n, c, Ytr.data.slice(0, n * c)); }
const Xte = applyStandardizer(te.X, s); const Yte = oneHot(te.y, c);
console.error('loaded', ((performance.now() - t0) / 1000).toFixed(1));
const r = fitConvexCnn(Xtr, Ytr, { imageShape: { height: 28, width: 28, channels: 1 }, kernel: 5, stride, padding: pad, model: 'gated-relu', lambda: lam, loss: 'cross-entropy', patterns: P, regions: [RR, RR], tol: 1e-6, timeLimit: tl, backend,
  onProgress: (p) => { if (p.iteration % 100 === 0) console.error(p.iteration, p.certificate.toExponential(2), ((performance.now() - t0) / 1000).toFixed(0)); } });
const cnn = recoverCnn(r);
console.log(JSON.stringify({ n, P, RR, lam, stride, pad, status: r.status, gap: r.certificate.value, it: r.iterations, solve: r.timeSeconds.toFixed(0), wall: ((performance.now() - t0) / 1000).toFixed(0), neurons: r.activeNeurons, lmax: r.lambdaMax, train: outputScore(cnnPredict(cnn, Xtr), Ytr, 'accuracy'), test: outputScore(cnnPredict(cnn, Xte), Yte, 'accuracy'), rssGB: (process.memoryUsage().rss / 1e9).toFixed(2) }));
