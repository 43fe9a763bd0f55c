import { assertMatrix, assertOption, assertShape, checkOptions, CvxnnError, Matrix, type OptionSpec } from '@cvxnn/linalg';
import { CONV_GEOMETRY_OPTIONS } from './option-specs.js';

/**
 * Shape of one image: height × width × channels. Images are rows of a data matrix, flattened
 * row-major with channels last (HWC): pixel (y, x), channel ch is column (y·W + x)·C + ch.
 *
 * @example
 *   const s: ImageShape = { height: 8, width: 8, channels: 1 };
 */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * Convolution geometry: filter size (square `K` or `[kh, kw]`), stride, zero padding on each side,
 * or `circular` (periodic padding, every shift at stride 1: K = H·W patches, SPEC §4.1).
 *
 * @example
 *   const g: ConvOptions = { kernel: 3, stride: 1, padding: 0 };
 */
export interface ConvOptions {
  kernel: number | [number, number];
  /** default 1 */
  stride?: number;
  /** zero padding on each side, default 0 */
  padding?: number;
  /** periodic boundary (stride 1, no zero padding) */
  circular?: boolean;
}

/** The options `convGeometry` takes, with their types (the compiler keeps the list complete). */
export const CONV_OPTIONS: OptionSpec<ConvOptions> = CONV_GEOMETRY_OPTIONS;

/**
 * The resolved geometry: output grid outH × outW, K = outH·outW patches per image of h = kh·kw·C
 * features each.
 *
 * @example
 *   const g = convGeometry({ height: 8, width: 8, channels: 1 }, { kernel: 3 });
 *   g.patches; // 36
 */
export interface ConvGeometry {
  image: ImageShape;
  kh: number;
  kw: number;
  stride: number;
  padding: number;
  circular: boolean;
  outH: number;
  outW: number;
  /** K: patches per image */
  patches: number;
  /** h: features per patch (kh·kw·C) */
  patchSize: number;
}

const posInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Parse `HxWxC` (or `HxW`, one channel).
 *
 * @example
 *   parseImageShape('28x28x1'); // { height: 28, width: 28, channels: 1 }
 */
export function parseImageShape(spec: string): ImageShape {
  const parts = String(spec).trim().toLowerCase().split(/[x×]/);
  const nums = parts.map((p) => Number(p));
  if ((parts.length !== 2 && parts.length !== 3) || !nums.every(posInt)) {
    throw new CvxnnError('INVALID_OPTION', `image shape '${spec}' must be HxWxC (or HxW) with positive integers, e.g. 8x8x1`);
  }
  return { height: nums[0], width: nums[1], channels: nums[2] ?? 1 };
}

/**
 * Validate an image shape and convolution options and resolve the patch grid. Errors: a
 * non-positive stride, negative padding or a kernel larger than the (padded) image are
 * INVALID_OPTION.
 *
 * @example
 *   convGeometry({ height: 28, width: 28, channels: 1 }, { kernel: 5, stride: 2, padding: 2 }).patches; // 196
 */
export function convGeometry(image: ImageShape, opts: ConvOptions): ConvGeometry {
  assertOption(image !== undefined && posInt(image.height) && posInt(image.width) && posInt(image.channels), `image shape must have positive integer height, width and channels, got ${JSON.stringify(image)}`);
  assertOption(opts !== undefined && opts !== null && opts.kernel !== undefined, 'convGeometry: convolution options need a kernel size');
  checkOptions('convGeometry', opts, CONV_OPTIONS);
  const [kh, kw] = Array.isArray(opts.kernel) ? opts.kernel : [opts.kernel, opts.kernel];
  assertOption(posInt(kh) && posInt(kw), `kernel size must be a positive integer (or [kh, kw]), got ${JSON.stringify(opts.kernel)}`);
  const circular = opts.circular ?? false;
  const stride = opts.stride ?? 1;
  const padding = opts.padding ?? 0;
  assertOption(posInt(stride), `stride must be a positive integer, got ${stride}`);
  assertOption(Number.isInteger(padding) && padding >= 0, `padding must be a non-negative integer, got ${padding}`);
  const { height: H, width: W, channels: C } = image;
  if (circular) {
    assertOption(stride === 1 && padding === 0, `circular convolution uses stride 1 and no zero padding (got stride ${stride}, padding ${padding})`);
    assertOption(kh <= H && kw <= W, `kernel ${kh}×${kw} is larger than the ${H}×${W} image; a circular filter can be at most the image size`);
    return { image: { ...image }, kh, kw, stride: 1, padding: 0, circular, outH: H, outW: W, patches: H * W, patchSize: kh * kw * C };
  }
  assertOption(
    kh <= H + 2 * padding && kw <= W + 2 * padding,
    `kernel ${kh}×${kw} is larger than the ${H}×${W} image${padding ? ` padded to ${H + 2 * padding}×${W + 2 * padding}` : ''}; use a kernel of at most ${Math.min(H, W) + 2 * padding} or more padding`,
  );
  const outH = Math.floor((H + 2 * padding - kh) / stride) + 1;
  const outW = Math.floor((W + 2 * padding - kw) / stride) + 1;
  return { image: { ...image }, kh, kw, stride, padding, circular, outH, outW, patches: outH * outW, patchSize: kh * kw * C };
}

/**
 * Check that the rows of X are images of the geometry's shape (SHAPE_MISMATCH otherwise).
 *
 * @example
 *   assertImages(X, g);
 */
export function assertImages(X: Matrix<Float64Array>, g: ConvGeometry): void {
  const { height: H, width: W, channels: C } = g.image;
  assertShape(
    X.cols === H * W * C,
    `the data have ${X.cols} columns but image shape ${H}x${W}x${C} needs ${H * W * C} (pixels row-major, channels last); check imageShape (CLI: --image-shape)`,
  );
}

/**
 * For each patch k and patch feature f, the image column it reads (−1: zero padding). Patch k is
 * output position (oy, ox) with k = oy·outW + ox; feature f = (dy·kw + dx)·C + ch.
 *
 * @example
 *   const idx = patchIndex(convGeometry({ height: 3, width: 3, channels: 1 }, { kernel: 2 }));
 *   idx[0]; // [0, 1, 3, 4]-th pixels for patch 0
 */
export function patchIndex(g: ConvGeometry): Int32Array {
  const { height: H, width: W, channels: C } = g.image;
  const h = g.patchSize;
  const idx = new Int32Array(g.patches * h);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) {
      const k = oy * g.outW + ox;
      for (let dy = 0; dy < g.kh; dy++) {
        for (let dx = 0; dx < g.kw; dx++) {
          let y = oy * g.stride - g.padding + dy;
          let x = ox * g.stride - g.padding + dx;
          if (g.circular) {
            y %= H;
            x %= W;
          }
          const inside = y >= 0 && y < H && x >= 0 && x < W;
          for (let ch = 0; ch < C; ch++) idx[k * h + (dy * g.kw + dx) * C + ch] = inside ? (y * W + x) * C + ch : -1;
        }
      }
    }
  }
  return idx;
}

/**
 * Options of {@link extractPatches}.
 *
 * @example
 *   const o: PatchOptions = { start: 0, count: 10, scale: 0.25, appendOne: true };
 */
export interface PatchOptions {
  /** first image (default 0) */
  start?: number;
  /** how many images (default: all from start) */
  count?: number;
  /** multiply every entry (average pooling uses 1/K) */
  scale?: number;
  /** append a constant-1 feature to every patch */
  appendOne?: boolean;
  /** a precomputed {@link patchIndex} of the geometry */
  index?: Int32Array;
}

/** The options `extractPatches` takes, with their types (the compiler keeps the list complete). */
export const PATCH_OPTIONS: OptionSpec<PatchOptions> = { start: 'integer', count: 'integer', scale: 'number', appendOne: 'boolean', index: 'numbers' };

/**
 * Options of {@link patchChunks}.
 *
 * @example
 *   const o: PatchChunkOptions = { chunk: 256, scale: 0.25 };
 */
export interface PatchChunkOptions {
  /** images per chunk (default: about 2¹⁸ patch entries) */
  chunk?: number;
  scale?: number;
  appendOne?: boolean;
}

/** The options `patchChunks` takes, with their types (the compiler keeps the list complete). */
export const PATCH_CHUNK_OPTIONS: OptionSpec<PatchChunkOptions> = { chunk: 'integer', scale: 'number', appendOne: 'boolean' };

/**
 * The stacked patch matrix of images `start … start+count−1`: row (i − start)·K + k holds patch k
 * of image i (im2col, sample-major; SPEC §4.1's X_k is the rows k, K + k, 2K + k, …). With
 * `scale` every entry is multiplied (average pooling uses 1/K); with `appendOne` a constant-1
 * feature is appended to every patch (a filter bias inside the group norm).
 *
 * @example
 *   const P = extractPatches(X, convGeometry(shape, { kernel: 3 })); // (n·K) × 9
 */
export function extractPatches(
  X: Matrix<Float64Array>,
  g: ConvGeometry,
  opts: PatchOptions = {},
): Matrix<Float64Array> {
  checkOptions('extractPatches', opts, PATCH_OPTIONS);
  assertMatrix('extractPatches', 'X', X);
  assertImages(X, g);
  const start = opts.start ?? 0;
  const count = opts.count ?? X.rows - start;
  assertOption(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= X.rows, `patch rows ${start}…${start + count} are outside the ${X.rows} images`);
  const idx = opts.index ?? patchIndex(g);
  const K = g.patches;
  const h = g.patchSize;
  const hh = opts.appendOne ? h + 1 : h;
  const s = opts.scale ?? 1;
  const out = Matrix.zeros(count * K, hh);
  const od = out.data;
  for (let i = 0; i < count; i++) {
    const row = X.row(start + i);
    for (let k = 0; k < K; k++) {
      const o = (i * K + k) * hh;
      for (let f = 0; f < h; f++) {
        const c = idx[k * h + f];
        od[o + f] = c >= 0 ? s * row[c] : 0;
      }
      if (opts.appendOne) od[o + h] = 1;
    }
  }
  return out;
}

/**
 * Iterate over the images in chunks of at most `chunk` images, yielding each chunk's stacked
 * patch matrix — memory O(chunk·K·h) however many images there are.
 *
 * @example
 *   for (const { start, patches } of patchChunks(X, g, { chunk: 256 })) use(start, patches);
 */
export function* patchChunks(
  X: Matrix<Float64Array>,
  g: ConvGeometry,
  opts: PatchChunkOptions = {},
): Generator<{ start: number; count: number; patches: Matrix<Float64Array> }> {
  checkOptions('patchChunks', opts, PATCH_CHUNK_OPTIONS);
  assertMatrix('patchChunks', 'X', X);
  assertImages(X, g);
  const chunk = opts.chunk ?? Math.max(1, Math.floor(262144 / Math.max(1, g.patches * g.patchSize)));
  assertOption(Number.isInteger(chunk) && chunk > 0, `chunk must be a positive integer, got ${chunk}`);
  const index = patchIndex(g);
  for (let start = 0; start < X.rows; start += chunk) {
    const count = Math.min(chunk, X.rows - start);
    yield { start, count, patches: extractPatches(X, g, { start, count, scale: opts.scale, appendOne: opts.appendOne, index }) };
  }
}

/**
 * Sum every block of K consecutive rows (global sum pooling of the sample-major stacked rows):
 * (n·K)×c → n×c.
 *
 * @example
 *   poolRows(Matrix.from([[1], [2], [3], [4]]), 2).toArrays(); // [[3], [7]]
 */
export function poolRows(F: Matrix<Float64Array>, K: number, out?: Matrix<Float64Array>): Matrix<Float64Array> {
  assertShape(F.rows % K === 0, `${F.rows} rows are not a multiple of ${K} patches`);
  const n = F.rows / K;
  const c = F.cols;
  const o = out ?? Matrix.zeros(n, c);
  o.data.fill(0);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const r = F.row(i * K + k);
      for (let j = 0; j < c; j++) o.data[i * c + j] += r[j];
    }
  }
  return o;
}

/**
 * The pooling region of every patch position when the rows × cols output grid of patch positions
 * is cut into a `rows` × `cols` grid of near-equal blocks: patch k = (oy, ox) belongs to region
 * ⌊oy·rows/outH⌋·cols + ⌊ox·cols/outW⌋ (row-major regions). Every region holds at least one patch;
 * more regions than patch rows or columns is INVALID_OPTION.
 *
 * @example
 *   patchRegions(convGeometry({ height: 8, width: 8, channels: 1 }, { kernel: 3 }), 2, 2); // 36 entries, 9 per region
 */
export function patchRegions(g: ConvGeometry, rows: number, cols: number): Int32Array {
  assertOption(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1, `pooling regions must be positive integers rows × cols, got ${rows} × ${cols}`);
  assertOption(
    rows <= g.outH && cols <= g.outW,
    `${rows}×${cols} pooling regions need at least ${rows}×${cols} patch positions, but the filters give a ${g.outH}×${g.outW} grid; use at most ${g.outH}×${g.outW} regions`,
  );
  const region = new Int32Array(g.patches);
  for (let oy = 0; oy < g.outH; oy++) {
    for (let ox = 0; ox < g.outW; ox++) region[oy * g.outW + ox] = Math.floor((oy * rows) / g.outH) * cols + Math.floor((ox * cols) / g.outW);
  }
  return region;
}
