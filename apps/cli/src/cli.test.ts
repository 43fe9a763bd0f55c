import { describe, expect, it } from 'vitest';
import { run } from '../test/run.js';
import { VERSION } from './index.js';

describe('cvxnn CLI basics', () => {
  it('--version prints the package version', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(VERSION);
  });
  it('--help lists the commands', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/demo/);
  });
  it('an unknown command fails with a non-zero code', async () => {
    const r = await run('no-such-command');
    expect(r.code).not.toBe(0);
  });
  it('demo --json computes masked products whose checksum matches a recomputation', async () => {
    const r = await run('demo', '--n', '50', '--d', '3', '--patterns', '7', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.n).toBe(50);
    expect(j.backend).toBe('ts');
    expect(Number.isFinite(j.checksum)).toBe(true);
  });
  it('bad numeric options give a typed error and exit code 2', async () => {
    const r = await run('demo', '--n', 'abc');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/INVALID_OPTION.*--n/);
  });
});
