import { dataLoss, type LambdaSelection, type LambdaSelectOptions, selectLambdaPath } from '@cvxnn/group-lasso';
import type { PatternSet } from '@cvxnn/arrangements';
import { assertOption, assertShape, type Backend, getBackend, type Matrix } from '@cvxnn/linalg';
import { cnnPredict, outputScore, poolingScale } from './model.js';
import { convOptionsOf } from './option-specs.js';
import { assertImages, convGeometry, extractPatches, patchRegions } from './patches.js';
import { cnnPatternSet, type ConvexCnnOptions, type ConvexCnnResult, fitConvexCnn, pooledFeatures, pooledLambdaMax, recoverCnn } from './pooled.js';

/**
 * Result of {@link selectCnnLambda}: group-lasso's {@link LambdaSelection} (chosen λ, table,
 * folds, solves) with the certified CNN refit as `result`.
 *
 * @example
 *   const { lambda, table, result } = selectCnnLambda(X, Y, opts, { folds, score: 'accuracy' });
 */
export type CnnLambdaSelection = Omit<LambdaSelection, 'result'> & { result: ConvexCnnResult };

/**
 * Choose the convex CNN's λ by validation along a warm-started λ path from λ_max — group-lasso's
 * {@link selectLambdaPath} (folds, geometric grid, patience, time shares, refit), with the CNN as
 * the formulation: the pattern set (convolutional gates) is drawn once on all training images,
 * each fold fits on its other images with those gates' masks of its patches, every point
 * warm-started from the last (`warmStart` of {@link fitConvexCnn}), and is scored by the recovered
 * CNN's accuracy (or MSE) on the fold's images; the chosen λ is refit on all images and certified.
 * `opts.timeLimit` bounds the whole call.
 *
 * @example
 *   const sel = selectCnnLambda(X, Y, { imageShape, kernel: 3, model: 'gated-relu', loss: 'cross-entropy', regions: [2, 2] }, { folds, score: 'accuracy' });
 *   sel.lambda; sel.result.certificate.value;
 */
export function selectCnnLambda(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: Omit<ConvexCnnOptions, 'lambda' | 'warmStart'>, sel: LambdaSelectOptions): CnnLambdaSelection {
  assertOption(opts !== null && typeof opts === 'object' && opts.imageShape !== undefined, 'selectCnnLambda needs the fit options (imageShape, kernel, model, …) without lambda');
  assertOption(!('lambda' in opts) || (opts as { lambda?: unknown }).lambda === undefined, 'selectCnnLambda chooses λ itself; leave lambda out of the options');
  const K = convGeometry(opts.imageShape, convOptionsOf(opts)).patches;
  const backend = opts.backend ?? getBackend();
  const { ps, source, given, lambdaMax } = pathSetup(X, Y, opts, backend);
  const patchRows = (images: number[]) => {
    const out = new Int32Array(images.length * K);
    images.forEach((i, t) => {
      for (let k = 0; k < K; k++) out[t * K + k] = i * K + k;
    });
    return out;
  };
  const sel_ = selectLambdaPath<ConvexCnnResult>(
    {
      lambdaMax,
      onRows(tr, va) {
        const Xtr = X.selectRows(tr);
        const Ytr = Y.selectRows(tr);
        const Xva = X.selectRows(va);
        const Yva = Y.selectRows(va);
        const foldPatterns = { ...ps, masks: ps.masks.rows(patchRows(tr)) };
        return {
          fit: (lambda, warm, timeLimit) => fitConvexCnn(Xtr, Ytr, { ...opts, lambda, patterns: foldPatterns, warmStart: warm, timeLimit }),
          score: (r) => outputScore(cnnPredict(recoverCnn(r), Xva, undefined, backend), Yva, sel.score),
        };
      },
      refit: (lambda, warm, timeLimit) => fitConvexCnn(X, Y, { ...opts, lambda, patterns: ps, warmStart: warm, timeLimit }),
    },
    opts.timeLimit ?? Infinity,
    sel,
  );
  // the refit was given the pattern set; say where it came from, as a direct fit does
  if (sel_.result.patternSource.startsWith(given)) sel_.result.patternSource = source + sel_.result.patternSource.slice(given.length);
  return sel_;
}

/**
 * What the search needs once, on all training images: the pattern set (and how a direct fit would
 * describe it, and how a fit given it does) and λ_max from the pooled features. A function of its
 * own so that the stacked patches and Φ (gigabytes at Fashion-MNIST size) are garbage before the
 * fold fits build their own.
 */
function pathSetup(X: Matrix<Float64Array>, Y: Matrix<Float64Array>, opts: Omit<ConvexCnnOptions, 'lambda' | 'warmStart'>, backend: Backend): { ps: PatternSet; source: string; given: string; lambdaMax: number } {
  const geometry = convGeometry(opts.imageShape, convOptionsOf(opts));
  assertImages(X, geometry);
  assertShape(Y.rows === X.rows, `X has ${X.rows} images but the targets have ${Y.rows} rows; pass one target row per image`);
  const K = geometry.patches;
  const patches = extractPatches(X, geometry, { scale: poolingScale(geometry, opts.pooling ?? 'sum'), appendOne: opts.bias ?? false });
  const { ps, source } = cnnPatternSet(patches, X.rows, K, opts.patterns, opts.seed);
  const given = cnnPatternSet(patches, X.rows, K, ps).source;
  const [rows, cols] = opts.regions ?? [1, 1];
  const R = rows * cols;
  const Phi = pooledFeatures(patches, ps.masks, K, R > 1 ? { patch: patchRegions(geometry, rows, cols), count: R } : undefined);
  const loss = dataLoss(opts.loss ?? 'squared', opts.scale ?? 'sum', Y);
  const R0 = new Float64Array(X.rows * Y.cols);
  loss.valueAndGrad(new Float64Array(X.rows * Y.cols), R0);
  return { ps, source, given, lambdaMax: pooledLambdaMax(Phi, R0, patches.cols, R * ps.masks.p, Y.cols, backend) };
}
