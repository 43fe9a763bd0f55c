#!/usr/bin/env python3
"""Run pilancilab/scnn on a cvxnn problem directory and print ONE JSON object.

This is cvxnn's own driver for the scnn baseline (ICML 2022, "Fast Convex Optimization for
Two-Layer ReLU Networks"). scnn itself is never part of this repository: it is imported from
PYTHONPATH, from $SCNN_SRC / $LAB_SRC, or extracted at run time from a local git mirror (see
README.md beside this file).

Usage:
    /usr/bin/python3 bench/scnn/run_scnn.py DIR --model gated|relu [--threads 2]
        [--dtype float64|float32] [--weights-out FILE] [--lambda 0.01] [--check]

DIR holds meta.json ({n, d, P, lambda, scale: "mean"}) and little-endian float64 files
X.f64 (n x d, row-major), y.f64 (n) and G.f64 (d x P gates, row-major); or, as written by
../shared/bench/make_scnn_problem.py, data.csv (header, label last) and gates.csv (d x P), with
lambda from --lambda (default 0.01) and the 'mean' scale.

--model gated  : scnn.models.ConvexGatedReLU(G) + solvers.RFISTA (scnn's default solver for it)
--model relu   : scnn.models.ConvexReLU(G)      + solvers.AL     (scnn's default solver for it)
Both with regularizers.NeuronGL1(lambda), scnn's default tolerances and iteration limits, on
exactly the gates G (patterns D_i = 1[X g_i > 0]), and with unitize_data=False so that scnn
solves the same problem as cvxnn (scnn's default unitizes the columns of X, which changes both
the patterns and the penalty).

The objective printed is recomputed here in numpy from the returned weights, in scnn's 1/(2n)
convention:  1/(2n) ||sum_i D_i X u_i - y||^2 + lambda sum_i ||u_i||  (gated), and
1/(2n) ||sum_i D_i X (v_i - w_i) - y||^2 + lambda sum_i (||v_i|| + ||w_i||)  (ReLU),
with constraintViolation = max over i, j of (-(2 D_i - I) X v_i)_j^+ and the same for w_i.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import types

FORMAT = "cvxnn-scnn-problem/1"
DEFAULT_MIRRORS = {
    "scnn": "/work/.mirror/pilancilab+scnn/repo",
    "lab": "/work/.mirror/aaronpmishkin+lab/repo",
}


class DriverError(Exception):
    """A bad problem directory or an unusable environment; printed as {"error": ...}, exit 2."""


# --------------------------------------------------------------------------------------------
# Environment: threads must be fixed before numpy/torch load their BLAS.
# --------------------------------------------------------------------------------------------


def pin_threads(threads: int) -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = str(threads)


def _git_head(git_dir: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "--git-dir", git_dir, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _extract_mirror(name: str, git_dir: str) -> tuple[str, str]:
    """Extract HEAD of a local bare mirror into a cache dir once; return (src dir, commit)."""
    commit = _git_head(git_dir)
    if commit is None:
        raise DriverError(f"{git_dir} is not a readable git directory")
    root = os.path.join(tempfile.gettempdir(), f"cvxnn-{name}-{commit[:12]}")
    src = os.path.join(root, "src")
    if not os.path.isdir(os.path.join(src, name)):
        os.makedirs(root, exist_ok=True)
        archive = subprocess.run(["git", "--git-dir", git_dir, "archive", "HEAD"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", root], input=archive.stdout, check=True)
    return src, commit


def locate_sources() -> dict:
    """Make `import scnn` and `import lab` work; return where each came from."""
    origin: dict = {}
    for name, env in (("scnn", "SCNN_SRC"), ("lab", "LAB_SRC")):
        path = os.environ.get(env)
        if path:
            if not os.path.isdir(os.path.join(path, name)):
                raise DriverError(f"${env}={path} has no '{name}/' package directory; point it at scnn's or lab's src/")
            sys.path.insert(0, path)
            origin[name] = {"source": f"${env}", "path": path}
            continue
        try:
            __import__(name)
            origin[name] = {"source": "PYTHONPATH", "path": os.path.dirname(os.path.dirname(sys.modules[name].__file__))}
            continue
        except ImportError:
            pass
        git_dir = os.environ.get(f"{env}_GIT", DEFAULT_MIRRORS[name])
        if os.path.isdir(git_dir):
            src, commit = _extract_mirror(name, git_dir)
            sys.path.insert(0, src)
            origin[name] = {"source": "mirror", "path": src, "commit": commit}
        else:
            raise DriverError(
                f"cannot import '{name}': set ${env} to its src/ directory or add it to PYTHONPATH (see bench/scnn/README.md)"
            )
    # commits of the sources actually used, where a git mirror tells them
    for name in ("scnn", "lab"):
        if "commit" not in origin[name]:
            git_dir = os.environ.get(f"{'SCNN' if name == 'scnn' else 'LAB'}_SRC_GIT", DEFAULT_MIRRORS[name])
            if os.path.isdir(git_dir):
                origin[name]["mirrorCommit"] = _git_head(git_dir)
    return origin


def install_fallbacks() -> dict:
    """scnn imports cvxpy unconditionally (only its CVXPY solvers use it) and lab imports
    opt_einsum. Where either is missing, put a small stand-in in sys.modules:
    cvxpy -> a module whose attributes are inert placeholders (the CVXPY code paths are never
    run here); opt_einsum -> contract() via numpy.einsum / torch.einsum with path optimisation.
    Reported in the JSON so a run with stand-ins is never mistaken for one without."""
    used: dict = {}
    try:
        import cvxpy  # noqa: F401

        used["cvxpy"] = getattr(sys.modules["cvxpy"], "__version__", "installed")
    except ImportError:
        stub = types.ModuleType("cvxpy")

        class _Placeholder:  # used only in annotations and class bodies of scnn's CVXPY solvers
            def __init__(self, *args, **kwargs):
                raise RuntimeError("cvxpy is not installed; this driver never runs scnn's CVXPY solvers")

        stub.__getattr__ = lambda attr: _Placeholder  # type: ignore[attr-defined]
        sys.modules["cvxpy"] = stub
        used["cvxpy"] = "absent (inert stand-in; CVXPY solvers unused)"
    try:
        import opt_einsum

        used["opt_einsum"] = getattr(opt_einsum, "__version__", "installed")
        return used
    except ImportError:
        pass
    # a pure-Python wheel imports straight from the .whl (zipimport): $OPT_EINSUM_WHEEL, or a
    # wheel in a local wheel cache
    wheels = [os.environ["OPT_EINSUM_WHEEL"]] if os.environ.get("OPT_EINSUM_WHEEL") else []
    for cache in ("/opt/pypi/files",):
        if os.path.isdir(cache):
            wheels += sorted(os.path.join(cache, f) for f in os.listdir(cache) if f.startswith("opt_einsum-") and f.endswith(".whl"))
    for wheel in wheels:
        sys.path.insert(0, wheel)
        try:
            import opt_einsum

            used["opt_einsum"] = f"{getattr(opt_einsum, '__version__', 'installed')} (from {wheel})"
            return used
        except ImportError:
            sys.path.remove(wheel)
    # last resort: a stand-in with the same contraction-order idea (slower on some kernels)
    import numpy as np

    oe = types.ModuleType("opt_einsum")

    def contract(subscripts, *operands, backend="numpy", **kwargs):
        if backend == "torch":
            import torch

            return torch.einsum(subscripts, *operands)
        return np.einsum(subscripts, *operands, optimize="greedy")

    oe.contract = contract  # type: ignore[attr-defined]
    sys.modules["opt_einsum"] = oe
    used["opt_einsum"] = "absent (stand-in: numpy.einsum optimize='greedy')"
    return used


# --------------------------------------------------------------------------------------------
# Problem files
# --------------------------------------------------------------------------------------------


def read_csv_problem(directory: str, lam: float):
    """A directory written by ../shared/bench/make_scnn_problem.py: data.csv (header row, label
    last) and gates.csv (d x P, no header); lambda from --lambda, scale 'mean'."""
    import numpy as np

    data = np.loadtxt(os.path.join(directory, "data.csv"), delimiter=",", skiprows=1, ndmin=2)
    G = np.loadtxt(os.path.join(directory, "gates.csv"), delimiter=",", ndmin=2)
    X, y = np.ascontiguousarray(data[:, :-1]), np.ascontiguousarray(data[:, -1])
    n, d, P = X.shape[0], X.shape[1], G.shape[1]
    if G.shape[0] != d:
        raise DriverError(f"gates.csv has {G.shape[0]} rows, data.csv has d = {d} feature columns")
    if not (np.all(np.isfinite(data)) and np.all(np.isfinite(G))):
        raise DriverError("data.csv or gates.csv contains NaN or Inf")
    if not (lam > 0):
        raise DriverError(f"lambda must be > 0, got {lam}")
    meta = {"format": "csv (data.csv + gates.csv)", "name": os.path.basename(os.path.normpath(directory)),
            "n": n, "d": d, "P": P, "lambda": lam, "scale": "mean"}
    return meta, X, y, G, lam


def read_problem(directory: str, csv_lambda: float = 0.01):
    import numpy as np

    meta_path = os.path.join(directory, "meta.json")
    if not os.path.isfile(meta_path):
        if all(os.path.isfile(os.path.join(directory, f)) for f in ("data.csv", "gates.csv")):
            return read_csv_problem(directory, csv_lambda)
        raise DriverError(
            f"{directory} has no meta.json (nor data.csv + gates.csv); write it with bench/scnn/make_problem.ts"
        )
    with open(meta_path) as f:
        meta = json.load(f)
    for key in ("n", "d", "P", "lambda"):
        if key not in meta:
            raise DriverError(f"meta.json lacks '{key}'")
    n, d, P, lam = int(meta["n"]), int(meta["d"]), int(meta["P"]), float(meta["lambda"])
    if meta.get("scale", "mean") != "mean":
        raise DriverError(f"meta.json scale is '{meta.get('scale')}'; scnn only solves the 'mean' (1/(2n)) scale")
    if not (lam > 0):
        raise DriverError(f"lambda must be > 0, got {lam}")

    def load(name: str, count: int, shape):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            raise DriverError(f"{path} is missing")
        arr = np.fromfile(path, dtype="<f8")
        if arr.size != count:
            raise DriverError(f"{name} holds {arr.size} float64 values, meta.json implies {count}")
        if not np.all(np.isfinite(arr)):
            raise DriverError(f"{name} contains NaN or Inf")
        return arr.reshape(shape)

    X = load("X.f64", n * d, (n, d))
    y = load("y.f64", n, (n,))
    G = load("G.f64", d * P, (d, P))
    return meta, X, y, G, lam


# --------------------------------------------------------------------------------------------
# Independent evaluation of the returned weights (numpy, float64)
# --------------------------------------------------------------------------------------------


def evaluate(X, y, G, lam, U=None, V=None, W=None) -> dict:
    """Objective in the 1/(2n) convention and ReLU cone-constraint violations.
    U, V, W are P x d (row i = the weights of pattern i)."""
    import numpy as np

    n = X.shape[0]
    D = (X @ G > 0).astype(np.float64)  # n x P
    if U is not None:
        pred = np.sum(D * (X @ U.T), axis=1)
        penalty = lam * float(np.sum(np.linalg.norm(U, axis=1)))
        active = int(np.sum(np.linalg.norm(U, axis=1) > 0))
        out = {}
    else:
        XV, XW = X @ V.T, X @ W.T  # n x P
        pred = np.sum(D * (XV - XW), axis=1)
        nv, nw = np.linalg.norm(V, axis=1), np.linalg.norm(W, axis=1)
        penalty = lam * float(np.sum(nv) + np.sum(nw))
        active = int(np.sum(nv > 0) + np.sum(nw > 0))
        S = 2 * D - 1  # (2 D_i - I) as signs, n x P
        viol_v = float(np.max(np.maximum(-S * XV, 0), initial=0.0))
        viol_w = float(np.max(np.maximum(-S * XW, 0), initial=0.0))
        out = {"constraintViolation": max(viol_v, viol_w), "constraintViolationV": viol_v, "constraintViolationW": viol_w}
    r = pred - y
    data_term = float(r @ r) / (2 * n)
    return {"objective": data_term + penalty, "dataTerm": data_term, "penalty": penalty, "activeNeurons": active, **out}


def gate_indices(G, G_used):
    """Column j of G_used is a copy of column order[j] of G (scnn copies the gates it keeps)."""
    import numpy as np

    index = {G[:, j].tobytes(): j for j in range(G.shape[1] - 1, -1, -1)}  # first occurrence wins
    order = []
    for k in range(G_used.shape[1]):
        j = index.get(np.ascontiguousarray(G_used[:, k]).tobytes())
        if j is None:
            raise DriverError("scnn returned a gate that is not among the given ones")
        order.append(j)
    return np.array(order, dtype=np.int64)


# --------------------------------------------------------------------------------------------
# The scnn run
# --------------------------------------------------------------------------------------------


def run(args) -> dict:
    pin_threads(args.threads)
    # the problem is checked before scnn is looked for, so a bad directory is reported as such
    meta, X, y, G, lam = read_problem(args.dir, args.lam)
    origin = locate_sources()
    fallbacks = install_fallbacks()

    import numpy as np
    n, d, P = X.shape[0], X.shape[1], G.shape[1]

    import torch

    torch.set_num_threads(args.threads)
    blas = None
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(args.threads)
        blas = [
            {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads", "threading_layer")}
            for info in threadpoolctl.threadpool_info()
        ]
    except ImportError:
        pass

    import scnn  # noqa: F401
    from scnn.metrics import Metrics
    from scnn.models import ConvexGatedReLU, ConvexReLU
    from scnn.regularizers import NeuronGL1
    from scnn.solvers import AL, RFISTA
    from scnn.private.interface import (
        build_internal_model,
        build_metrics_tuple,
        build_optimizer,
        get_logger,
        process_data,
        set_device,
        update_public_metrics,
    )

    if args.model == "gated":
        model = ConvexGatedReLU(G, c=1)
        solver = RFISTA(model)
        solver_info = {"name": "R-FISTA", "maxIters": solver.max_iters, "tol": solver.tol}
    else:
        model = ConvexReLU(G, c=1)
        solver = AL(model)
        solver_info = {
            "name": "AL",
            "maxPrimalIters": solver.max_primal_iters,
            "maxDualIters": solver.max_dual_iters,
            "tol": solver.tol,
            "constraintTol": solver.constraint_tol,
            "delta": solver.delta,
        }
    regularizer = NeuronGL1(lam)
    metrics = Metrics()  # scnn's default: objective, grad_norm, time every 25 iterations

    # The steps of scnn.optimize.optimize_model, with unitize_data=False and the solve timed alone.
    logger = get_logger("scnn", False, False, None)
    t_setup = time.perf_counter()
    set_device("cpu", args.dtype, 778)
    (Xt, yt), (Xs, ys), _ = process_data(X, y, None, None, False, model.bias)
    internal_model = build_internal_model(model, regularizer, Xt)
    opt_procedure = build_optimizer(solver, regularizer, metrics)
    metrics_tuple = build_metrics_tuple(metrics)
    setup_seconds = time.perf_counter() - t_setup

    with contextlib.redirect_stdout(sys.stderr):
        t0 = time.perf_counter()
        exit_status, internal_model, internal_metrics = opt_procedure(
            logger, internal_model, lambda m: m, (Xt, yt), (Xs, ys), metrics_tuple
        )
        solve_seconds = time.perf_counter() - t0
    public_metrics = update_public_metrics(metrics, internal_metrics)

    import lab

    weights = np.asarray(lab.to_np(internal_model.weights), dtype=np.float64)
    # scnn drops duplicate and all-zero patterns and reorders the rest (np.unique); map its
    # weights back onto the given gates (dropped gates get zero weights) so that the evaluation
    # below is of the problem as given, with D_i recomputed here from G.
    G_used = np.asarray(lab.to_np(internal_model.U), dtype=np.float64)
    order = gate_indices(G, G_used)
    p_used = G_used.shape[1]
    if args.model == "gated":
        U = np.zeros((P, d))
        U[order] = weights.reshape(p_used, d)  # (c=1, p_used, d)
        ev = evaluate(X, y, G, lam, U=U)
        flat = U
    else:
        V, W = np.zeros((P, d)), np.zeros((P, d))
        V[order] = weights[0].reshape(p_used, d)  # (2, c=1, p_used, d)
        W[order] = weights[1].reshape(p_used, d)
        ev = evaluate(X, y, G, lam, V=V, W=W)
        flat = np.concatenate([V, W], axis=0)
    if args.weights_out:
        flat.astype("<f8").tofile(args.weights_out)

    iterations = {k: int(v) for k, v in exit_status.items() if k in ("iterations", "outer_iterations", "total_inner_iterations")}
    scnn_last = {}
    for key in ("objective", "grad_norm"):
        vals = getattr(public_metrics, key, None)
        if vals is not None and len(vals) > 0:
            scnn_last[key] = float(np.asarray(vals)[-1])

    return {
        "tool": "scnn",
        "problem": meta.get("name"),
        "n": n,
        "d": d,
        "P": P,
        "lambda": lam,
        "scale": "mean",
        "patternsUsed": p_used,
        "model": "gated-relu" if args.model == "gated" else "relu",
        "solver": solver_info,
        **ev,
        "timeSeconds": solve_seconds,
        "setupSeconds": setup_seconds,
        "success": bool(exit_status.get("success", False)),
        **iterations,
        "scnnReported": scnn_last,
        "scnnVersion": getattr(sys.modules.get("scnn"), "__version__", None) or _pyproject_version(origin["scnn"]["path"]),
        "sources": origin,
        "fallbacks": fallbacks,
        "dtype": args.dtype,
        "unitizeData": False,
        "threads": {"requested": args.threads, "torch": torch.get_num_threads(), "blas": blas},
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__},
        "note": "scnn on CPU runs on lab's numpy backend, so its BLAS threads are the ones that count",
    }


def _pyproject_version(src_dir: str) -> str | None:
    path = os.path.join(os.path.dirname(src_dir), "pyproject.toml")
    try:
        with open(path) as f:
            for line in f:
                if line.strip().startswith("version"):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return None


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Run scnn on a cvxnn problem directory; prints one JSON object.")
    p.add_argument("dir", nargs="?", help="problem directory (meta.json, X.f64, y.f64, G.f64)")
    p.add_argument("--model", choices=["gated", "relu"], default="gated")
    p.add_argument("--threads", type=int, default=2, help="BLAS and torch threads (default 2, as the cvxnn run)")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--lambda", dest="lam", type=float, default=0.01,
                   help="lambda for a data.csv + gates.csv directory (default 0.01; meta.json directories carry their own)")
    p.add_argument("--weights-out", help="write the returned weights as little-endian float64 (P x d; ReLU: V then W)")
    p.add_argument("--check", action="store_true", help="only check that scnn imports; print its origin as JSON")
    args = p.parse_args(argv)
    try:
        if args.threads < 1:
            raise DriverError(f"--threads must be >= 1, got {args.threads}")
        if args.check:
            pin_threads(args.threads)
            origin = locate_sources()
            fallbacks = install_fallbacks()
            import scnn.optimize  # noqa: F401  (pulls in every module the runs use)

            print(json.dumps({"ok": True, "sources": origin, "fallbacks": fallbacks}))
            return 0
        if not args.dir:
            raise DriverError("a problem directory is required (or --check)")
        print(json.dumps(run(args)))
        return 0
    except DriverError as e:
        print(json.dumps({"error": str(e)}))
        return 2
    except ImportError as e:
        print(json.dumps({"error": f"scnn is not importable: {e}; see bench/scnn/README.md"}))
        return 3


if __name__ == "__main__":
    sys.exit(main())
