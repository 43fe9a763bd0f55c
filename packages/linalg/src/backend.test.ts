import { describe, expect, it } from 'vitest';
import { getBackend, KERNEL_NAMES, listBackends, registerBackend, resolveBackend, setBackend, type Backend } from './backend.js';
import { createCpuBackend } from './cpu.js';
import { CvxnnError } from './errors.js';

/** A backend that is the CPU backend under another name (what a real accelerated backend looks like). */
function renamed(name: string): Backend {
  return { ...createCpuBackend(), name, description: `test backend ${name}` };
}

async function codeOfAsync(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return e instanceof CvxnnError ? e.code : `not a CvxnnError: ${String(e)}`;
  }
  return undefined;
}

// Vitest isolates test files, so this file's registrations do not leak into other files.
describe('backend registry', () => {
  it('the TypeScript backend is registered and active by default, with every named kernel', () => {
    expect(listBackends()).toContain('ts');
    const b = getBackend();
    expect(b.name).toBe('ts');
    expect(b.precision).toBe('fp64');
    for (const k of KERNEL_NAMES) expect(typeof b[k]).toBe('function');
  });

  it("resolveBackend('auto') takes the highest priority that initialises, with one notice per failure", async () => {
    let goodCalls = 0;
    registerBackend('t-broken-sync', () => {
      throw new Error('native addon missing\nsecond line of a long stack');
    }, 30);
    registerBackend('t-broken-async', async () => {
      throw new Error('no GPU found');
    }, 20);
    registerBackend('t-good', async () => {
      goodCalls++;
      return renamed('t-good');
    }, 10);
    registerBackend('t-low', () => renamed('t-low'), 5);
    expect(listBackends().slice(0, 4)).toEqual(['t-broken-sync', 't-broken-async', 't-good', 't-low']);

    const r = await resolveBackend('auto');
    expect(r.backend.name).toBe('t-good');
    expect(r.notices).toEqual([
      "backend 't-broken-sync' unavailable: native addon missing",
      "backend 't-broken-async' unavailable: no GPU found",
    ]);
    // the instance is cached: the factory ran once
    await resolveBackend('t-good');
    expect(goodCalls).toBe(1);
    // by name, a failing backend is an error naming the cause
    expect(await codeOfAsync(() => resolveBackend('t-broken-async'))).toBe('BACKEND_UNAVAILABLE');
    await expect(resolveBackend('t-broken-async')).rejects.toThrow(/no GPU found/);
  });

  it('an unknown name is BACKEND_UNAVAILABLE and lists the registered ones', async () => {
    expect(await codeOfAsync(() => resolveBackend('cuda-magic'))).toBe('BACKEND_UNAVAILABLE');
    await expect(resolveBackend('cuda-magic')).rejects.toThrow(/unknown backend 'cuda-magic'; registered: .*ts/);
  });

  it('setBackend switches what getBackend returns; re-registering a name replaces its factory', async () => {
    const r = await setBackend('t-low');
    expect(r.backend.name).toBe('t-low');
    expect(getBackend().name).toBe('t-low');
    registerBackend('t-low', () => ({ ...renamed('t-low'), description: 'second factory' }), 5);
    const again = await resolveBackend('t-low');
    expect(again.backend.description).toBe('second factory');
    await setBackend('ts');
    expect(getBackend().name).toBe('ts');
  });

  it("'auto' with no backend that initialises is BACKEND_UNAVAILABLE with every reason", async () => {
    for (const name of listBackends()) {
      registerBackend(name, () => {
        throw new Error(`${name} is off`);
      });
    }
    const err = await resolveBackend('auto').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CvxnnError);
    expect((err as CvxnnError).code).toBe('BACKEND_UNAVAILABLE');
    expect((err as CvxnnError).message).toMatch(/'ts' unavailable: ts is off/);
    expect((err as CvxnnError).message).toMatch(/'t-good' unavailable: t-good is off/);
    registerBackend('ts', createCpuBackend, 0);
  });
});
