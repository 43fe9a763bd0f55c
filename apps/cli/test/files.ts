import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@cvxnn/linalg';

/**
 * A fresh temporary folder and a writer of files in it, for the CLI tests.
 *
 * @example
 *   const t = tempFiles('cvxnn-x-');
 *   const csv = t.write('a.csv', 'x,y\n1,2\n');
 */
export function tempFiles(prefix: string): { dir: string; write(name: string, content: string | Buffer): string; path(name: string): string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    write: (name, content) => {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    path: (name) => path.join(dir, name),
  };
}

/**
 * Rows of a seeded table: d normal features (2·N(0,1) + 1 + offset) and a label from `label`.
 *
 * @example
 *   const rows = gaussianRows(40, 2, (x) => (x[0] > 1 ? 'yes' : 'no'));
 */
export function gaussianRows(n: number, d: number, label: (x: number[]) => string, seed = 1, offset = 0): string[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const x = Array.from({ length: d }, () => 2 * rng.normal() + 1 + offset);
    return [...x.map((v) => v.toFixed(6)), label(x)];
  });
}

/**
 * CSV text of a header and rows.
 *
 * @example
 *   csv(['a', 'y'], [['1', 'yes']]); // 'a,y\n1,yes\n'
 */
export function csv(header: string[] | null, rows: string[][], sep = ',', eol = '\n'): string {
  return [...(header ? [header.join(sep)] : []), ...rows.map((r) => r.join(sep))].join(eol) + eol;
}
