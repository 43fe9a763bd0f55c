export declare function isClose(a: number, b: number, rtol: number, atol: number): boolean;
export declare const floatMatchers: Record<string, (...args: any[]) => { pass: boolean; message: () => string }>;

interface CvxnnFloatMatchers<R = unknown> {
  /** |a − b| ≤ atol + rtol·max(|a|,|b|) */
  toBeCloseRel(expected: number, rtol?: number, atol?: number): R;
  /** elementwise closeness of two array-likes of equal length */
  toAllClose(expected: ArrayLike<number>, opts?: { rtol?: number; atol?: number }): R;
}

declare module 'vitest' {
  interface Matchers<T = any> extends CvxnnFloatMatchers<T> {}
}
