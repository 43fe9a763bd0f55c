import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CvxnnError } from '@cvxnn/linalg';
import { loadDataset } from './bundled.js';
import { loadIdx, parseIdx } from './idx.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvxnn-idx-'));

/** Write an IDX file by the format's definition: 00 00 type ndim, big-endian u32 dims, data. */
function idx(file: string, type: number, dims: number[], data: number[], gzip = false): string {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const buf = Buffer.alloc(4 + 4 * dims.length + data.length * size);
  buf[2] = type;
  buf[3] = dims.length;
  dims.forEach((v, k) => buf.writeUInt32BE(v, 4 + 4 * k));
  const o = 4 + 4 * dims.length;
  data.forEach((v, k) => {
    if (type === 8) buf.writeUInt8(v, o + k);
    else if (type === 9) buf.writeInt8(v, o + k);
    else if (type === 11) buf.writeInt16BE(v, o + 2 * k);
    else if (type === 12) buf.writeInt32BE(v, o + 4 * k);
    else if (type === 13) buf.writeFloatBE(v, o + 4 * k);
    else buf.writeDoubleBE(v, o + 8 * k);
  });
  const p = path.join(dir, file);
  writeFileSync(p, gzip ? gzipSync(buf) : buf);
  return p;
}

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CvxnnError);
    return { code: (e as CvxnnError).code, message: (e as Error).message };
  }
  throw new Error('expected a CvxnnError');
}

// 3 images of 2×3 pixels, labels 7, 2, 7
const pixels = [0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60];
const imgs = idx('tiny-images-idx3-ubyte', 8, [3, 2, 3], pixels);
const labs = idx('tiny-labels-idx1-ubyte', 8, [3], [7, 2, 7]);

describe('loadIdx', () => {
  it('flattens images row-major and divides by 255 by default', () => {
    const ds = loadIdx(imgs, labs);
    expect(ds.X.rows).toBe(3);
    expect(ds.X.cols).toBe(6);
    expect(Array.from(ds.X.data)).toAllClose(pixels.map((p) => p / 255), { rtol: 1e-15, atol: 0 });
    expect(ds.classes).toEqual(['2', '7']);
    expect(Array.from(ds.y)).toEqual([1, 0, 1]);
    expect(ds.task).toBe('binary');
    expect(ds.featureNames[5]).toBe('p5');
  });
  it('normalize: false keeps raw bytes; limit keeps the first images', () => {
    const ds = loadIdx(imgs, labs, { normalize: false, limit: 2 });
    expect(Array.from(ds.X.data)).toEqual(pixels.slice(0, 12));
    expect(Array.from(ds.y)).toEqual([1, 0]);
    expect(codeOf(() => loadIdx(imgs, labs, { limit: 0 })).code).toBe('INVALID_OPTION');
  });
  it('reads gzip files the same as raw ones', () => {
    const gi = idx('tiny-images-idx3-ubyte.gz', 8, [3, 2, 3], pixels, true);
    const gl = idx('tiny-labels-idx1-ubyte.gz', 8, [3], [7, 2, 7], true);
    const a = loadIdx(gi, gl);
    expect(Array.from(a.X.data)).toAllClose(pixels.map((p) => p / 255), { rtol: 1e-15, atol: 0 });
    expect(Array.from(a.y)).toEqual([1, 0, 1]);
  });
  it('decodes the other element types big-endian', () => {
    expect(Array.from({ length: 2 }, (_, k) => parseIdx(Buffer.from([0, 0, 9, 1, 0, 0, 0, 2, 0xff, 0x05]), 't').get(k))).toEqual([-1, 5]);
    const i16 = idx('i16', 11, [2, 1], [-300, 1000]);
    expect(Array.from(loadIdx(i16).X.data)).toEqual([-300, 1000]);
    const i32 = idx('i32', 12, [1, 2], [-70000, 123456]);
    expect(Array.from(loadIdx(i32).X.data)).toEqual([-70000, 123456]);
    const f32 = idx('f32', 13, [1, 2], [0.5, -2.25]);
    expect(Array.from(loadIdx(f32).X.data)).toEqual([0.5, -2.25]);
    const f64 = idx('f64', 14, [1, 1], [Math.PI]);
    expect(loadIdx(f64).X.data[0]).toBe(Math.PI);
  });
  it('without labels: y is zeros', () => {
    const ds = loadIdx(imgs);
    expect(Array.from(ds.y)).toEqual([0, 0, 0]);
  });
  it('validates magic number, sizes and the label count', () => {
    const badMagic = path.join(dir, 'bad');
    writeFileSync(badMagic, Buffer.from([1, 2, 8, 1, 0, 0, 0, 1, 5]));
    expect(codeOf(() => loadIdx(badMagic)).message).toMatch(/bad IDX magic number 01 02 08 01/);
    const badType = path.join(dir, 'badtype');
    writeFileSync(badType, Buffer.from([0, 0, 7, 1, 0, 0, 0, 1, 5]));
    expect(codeOf(() => loadIdx(badType)).code).toBe('PARSE_ERROR');
    const truncated = path.join(dir, 'trunc');
    writeFileSync(truncated, Buffer.from([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3]));
    expect(codeOf(() => loadIdx(truncated)).message).toMatch(/2×2 of unsigned byte need 16 bytes, but the file has 15/);
    const short = path.join(dir, 'short');
    writeFileSync(short, Buffer.from([0, 0]));
    expect(codeOf(() => loadIdx(short)).code).toBe('PARSE_ERROR');
    const fewLabels = idx('few-labels', 8, [2], [1, 2]);
    const e = codeOf(() => loadIdx(imgs, fewLabels));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toMatch(/2 labels but .* has 3 images/);
    expect(codeOf(() => loadIdx(labs)).code).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => loadIdx(imgs, imgs)).code).toBe('SHAPE_MISMATCH');
    expect(codeOf(() => loadIdx(path.join(dir, 'nope'))).code).toBe('IO_ERROR');
    const badGz = path.join(dir, 'bad.gz');
    writeFileSync(badGz, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(codeOf(() => loadIdx(badGz)).code).toBe('PARSE_ERROR');
  });
  it('loadDataset dispatches -ubyte paths and finds the paired labels file', () => {
    const ds = loadDataset(imgs);
    expect(ds.X.rows).toBe(3);
    expect(ds.classes).toEqual(['2', '7']);
  });
});
