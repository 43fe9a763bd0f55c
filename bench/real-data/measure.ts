/**
 * One child process timed the way the real-data benchmarks report it: wall clock here, CPU
 * seconds and peak memory from /usr/bin/time when the machine has it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Run `cmd argv` to completion: its result, wall seconds, CPU seconds and peak MB (undefined without /usr/bin/time). */
export function measured(cmd: string, argv: string[]) {
  const t = performance.now();
  const r = timeBin ? spawnSync(timeBin, ['-f', '__time %U %S %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 }) : spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (performance.now() - t) / 1000;
  const m = /__time ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? '');
  return { r, wall, cpu: m ? Number(m[1]) + Number(m[2]) : undefined, peakMB: m ? Number(m[3]) / 1024 : undefined };
}

/** The last `lines` non-empty lines of a measured run's stderr (without the timing line): its error. */
export function stderrTail(m: ReturnType<typeof measured>, lines: number): string {
  return (m.r.stderr ?? '').split('\n').filter((l) => l && !l.startsWith('__time')).slice(-lines).join(' ');
}
