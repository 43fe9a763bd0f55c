/**
 * The OpenBLAS backends `blas` (fp64, cblas_dgemm) and `blas-fp32` (cblas_sgemm, fp64 in and out).
 * The addon reads and writes the callers' Float64Array buffers in place (offset and row stride
 * passed through, so strided views cost no copy in fp64):
 * - gemm: one cblas_?gemm with the transposes, alpha, beta and the output's stride;
 * - maskedForward: per row chunk, one GEMM T = X_chunk·U into a chunk buffer, then mask and row
 *   sum in the same native pass;
 * - maskedBackward: per row chunk, S = M∘R once, then one GEMM G += X_chunkᵀ·S.
 * Memory beyond the inputs: one chunk buffer of at most `maxChunkElements` (and, in fp32, float
 * copies of X's chunk and of U or G). Group norms and the prox step are the TypeScript kernels
 * (O(d·P), not a bottleneck).
 */
import { assertFiniteGemm, assertFiniteInput, assertOption, checkOptions, createCpuBackend, Matrix, validateGemm, validateMaskedBackward, validateMaskedForward, type Backend, type GemmOptions, type OptionSpec, type PatternMasks, type Precision } from '@cvxnn/linalg';
import { defaultBlasThreads, loadBlasAddon } from './addon.js';

/**
 * Options of `createBlasBackend`.
 *
 * @example
 *   const b = createBlasBackend({ precision: 'fp32', threads: 2 });
 */
export interface BlasBackendOptions {
  /** 'fp64' (default, dgemm) or 'fp32' (sgemm; inputs rounded to float, results widened) */
  precision?: Precision;
  /**
   * OpenBLAS threads (process-wide in OpenBLAS; set before every product when it differs).
   * Default: OpenBLAS's own choice when the addon loaded, i.e. OPENBLAS_NUM_THREADS, else every core.
   */
  threads?: number;
  /** largest n×P·c row-chunk buffer of one masked-product call, in elements (default 2¹⁶) */
  maxChunkElements?: number;
  /** the .node file to load; default `CVXNN_BLAS_ADDON` or the package's node-gyp output */
  addonPath?: string;
}

/** The options `createBlasBackend` takes, with their types (the compiler keeps the list complete). */
export const BLAS_BACKEND_OPTIONS: OptionSpec<BlasBackendOptions> = { precision: '"fp64"|"fp32"', threads: 'integer', maxChunkElements: 'integer', addonPath: 'string' };

/** Default row-chunk size of the masked products, in elements of the chunk buffer (512 KB in fp64: it stays in L2 between the GEMM and the mask pass). */
export const BLAS_DEFAULT_CHUNK_ELEMENTS = 1 << 16;

const f64 = (m: Matrix<Float64Array>): Matrix<Float64Array> => (m.data instanceof Float64Array ? m : (m as unknown as Matrix<Float32Array>).toFloat64());

/**
 * Create an OpenBLAS backend. Throws `BACKEND_UNAVAILABLE` with a one-line reason when the addon
 * is not built or cannot load, so `resolveBackend('auto')` falls back.
 *
 * @example
 *   const blas = createBlasBackend();                       // fp64
 *   const fast = createBlasBackend({ precision: 'fp32' });  // fp32, reported as such
 *   const F = blas.maskedForward(X, PatternMasks.fromGates(X, G), U);
 */
export function createBlasBackend(opts: BlasBackendOptions = {}): Backend {
  checkOptions('createBlasBackend', opts, BLAS_BACKEND_OPTIONS);
  const precision = opts.precision ?? 'fp64';
  assertOption(precision === 'fp64' || precision === 'fp32', `precision must be 'fp64' or 'fp32', got '${String(precision)}'`);
  const { threads } = opts;
  assertOption(threads === undefined || (Number.isInteger(threads) && threads >= 1), `threads must be a positive integer, got ${threads}`);
  const maxChunk = opts.maxChunkElements ?? BLAS_DEFAULT_CHUNK_ELEMENTS;
  assertOption(Number.isInteger(maxChunk) && maxChunk >= 1, `maxChunkElements must be a positive integer, got ${maxChunk}`);
  const addon = loadBlasAddon(opts.addonPath);
  const fp32 = precision === 'fp32';
  const cpu = createCpuBackend();
  // OpenBLAS's thread count is process-wide: set ours before each product when another backend changed it
  const want = threads ?? defaultBlasThreads(addon);
  const useThreads = (): void => {
    if (addon.getThreads() !== want) addon.setThreads(want);
  };
  useThreads();
  const chunkRows = (n: number, width: number) => Math.max(1, Math.min(n, Math.floor(maxChunk / Math.max(1, width))));
  const output = (o: Matrix<Float64Array>, what: string) => {
    assertOption(o.data instanceof Float64Array, `${what}: the output matrix must hold a Float64Array`);
    return o;
  };
  const version = addon.config().trim();

  return {
    name: fp32 ? 'blas-fp32' : 'blas',
    precision,
    description: `${version} (CBLAS via N-API addon, ${fp32 ? 'sgemm, fp32' : 'dgemm, fp64'}, ${want} threads)`,

    gemm(a: Matrix<Float64Array>, b: Matrix<Float64Array>, o: GemmOptions = {}): Matrix<Float64Array> {
      const { transA = false, transB = false, alpha = 1, beta = 0 } = o;
      // shapes and options as every backend checks them (linalg's validateGemm, same messages);
      // empty and alpha = 0 products are the TypeScript kernel's
      const { m, n, k } = validateGemm(a, b, o);
      if (m === 0 || n === 0 || k === 0 || alpha === 0) return cpu.gemm(a, b, o);
      const A = f64(a);
      const B = f64(b);
      // NaN/±Infinity are refused where they enter, as by the TypeScript kernels
      assertFiniteGemm(A, B, o);
      const C = o.out ? output(o.out, 'gemm') : Matrix.zeros(m, n);
      useThreads();
      addon.gemm(transA, transB, m, n, k, alpha, A.data, A.offset, A.stride, B.data, B.offset, B.stride, beta, C.data, C.offset, C.stride, fp32);
      return C;
    },

    maskedForward(X: Matrix<Float64Array>, M: PatternMasks, U: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      const c = validateMaskedForward(X, M, U, out);
      const n = X.rows;
      const p = M.p;
      if (n === 0 || p === 0 || X.cols === 0) return cpu.maskedForward(X, M, U, out);
      const x = f64(X);
      const u = f64(U);
      const F = out ? output(out, 'maskedForward') : Matrix.zeros(n, c);
      useThreads();
      addon.maskedForward(x.data, x.offset, x.stride, n, x.cols, M.bits, M.wordsPerRow, p, u.data, u.offset, u.stride, c, F.data, F.offset, F.stride, chunkRows(n, p * c), fp32);
      return F;
    },

    maskedBackward(X: Matrix<Float64Array>, M: PatternMasks, R: Matrix<Float64Array>, out?: Matrix<Float64Array>): Matrix<Float64Array> {
      validateMaskedBackward(X, M, R, out);
      const c = R.cols;
      const n = X.rows;
      const d = X.cols;
      const p = M.p;
      if (n === 0 || p === 0 || d === 0 || c === 0) return cpu.maskedBackward(X, M, R, out);
      const x = f64(X);
      const r = f64(R);
      const G = out ? output(out, 'maskedBackward') : Matrix.zeros(d, p * c);
      useThreads();
      addon.maskedBackward(x.data, x.offset, x.stride, n, d, M.bits, M.wordsPerRow, p, r.data, r.offset, r.stride, c, G.data, G.offset, G.stride, chunkRows(n, p * c), fp32);
      return G;
    },

    groupNorms: (U, c, o) => cpu.groupNorms(U, c, o),
    groupSoftThreshold: (U, t, c, o) => cpu.groupSoftThreshold(U, t, c, o),
  };
}
