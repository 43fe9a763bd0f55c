import { validateRun as shared } from '@cvxnn/run-format';
import { describe, expect, it } from 'vitest';
import { parseRun, validateRun } from './format';

// The validator itself is tested in packages/run-format; here: the page reads through it.
describe('the dashboard reads runs through @cvxnn/run-format', () => {
  const run = { cvxnnRun: 1, kind: 'fit', createdAt: '2026-11-30T00:00:00.000Z', options: {}, environment: {}, data: { n: 2 }, history: [{ iteration: 0, timeSeconds: 0, objective: 1, certificate: null }] };
  it('is the shared validator, and names a bad field by its path', () => {
    expect(validateRun).toBe(shared);
    expect(parseRun(JSON.stringify(run)).history).toHaveLength(1);
    expect(() => parseRun(JSON.stringify({ ...run, history: [{ iteration: 'x', timeSeconds: 0, objective: 1, certificate: 1 }] }), 'r.json')).toThrow(
      'r.json is not a valid cvxnn run (format 1): run.history[0].iteration: expected a number, got the string "x"',
    );
  });
});
