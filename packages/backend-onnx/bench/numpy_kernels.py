"""numpy/OpenBLAS reference for the cvxnn kernel benchmark.

Computes the same three products as `cvxnn bench kernels` at the same sizes, fp64 and fp32:
  gemm          X (n×d) · U (d×P)
  mask-forward  F = rowsum(M ∘ (X·U))      (one GEMM, then mask and row sum)
  mask-backward G = Xᵀ · (M ∘ r)           (mask once, then one GEMM)
and prints one JSON object {numpy, blas, results: [{backend, kernel, precision, gflops, ms}]}.
Usage: python3 numpy_kernels.py N D P
The caller runs it with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (see the env notes).
"""
import io
import json
import os
import sys
import time
from contextlib import redirect_stdout

import numpy as np


def blas_info():
    try:
        from threadpoolctl import threadpool_info  # type: ignore

        return threadpool_info()
    except ImportError:
        buf = io.StringIO()
        with redirect_stdout(buf):
            try:
                np.show_config()
            except Exception as e:  # pragma: no cover
                print(repr(e))
        return {"show_config": buf.getvalue()[-1500:], "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")}


# CVXNN_BENCH_CLOCK=cpu times each call in process CPU time (all threads) instead of wall time
CLOCK = time.process_time if os.environ.get("CVXNN_BENCH_CLOCK") == "cpu" else time.perf_counter


def median_ms(fn, min_time=1.0, min_samples=5, max_samples=200):
    fn()
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_samples or (time.perf_counter() - start < min_time and len(times) < max_samples):
        t0 = CLOCK()
        fn()
        times.append((CLOCK() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    n, d, p = (int(a) for a in sys.argv[1:4])
    rng = np.random.default_rng(0)
    results = []
    for prec, dt in (("fp64", np.float64), ("fp32", np.float32)):
        X = rng.standard_normal((n, d)).astype(dt)
        U = rng.standard_normal((d, p)).astype(dt)
        M = (rng.random((n, p)) < 0.5).astype(dt)
        r = rng.standard_normal((n, 1)).astype(dt)
        T = np.empty((n, p), dtype=dt)
        S = np.empty((n, p), dtype=dt)

        def gemm():
            np.matmul(X, U, out=T)

        def fwd():
            np.matmul(X, U, out=T)
            np.multiply(T, M, out=T)
            return T.sum(axis=1)

        def bwd():
            np.multiply(M, r, out=S)
            return X.T @ S

        flops = 2.0 * n * d * p
        for kernel, fn in (("gemm", gemm), ("mask-forward", fwd), ("mask-backward", bwd)):
            ms = median_ms(fn)
            results.append({"backend": "numpy", "kernel": kernel, "precision": prec, "gflops": flops / (ms / 1000) * 1e-9, "ms": ms})
    print(json.dumps({"numpy": np.__version__, "blas": blas_info(), "results": results}))


if __name__ == "__main__":
    main()
