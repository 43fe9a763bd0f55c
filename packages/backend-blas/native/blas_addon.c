/*
 * cvxnn_blas: the hot products of cvxnn over OpenBLAS (CBLAS), as a plain Node-API addon.
 *
 * Every function is synchronous and reads/writes the caller's typed arrays in place (zero copy):
 * a matrix is passed as (Float64Array data, offset, rowStride), row-major, exactly the fields of
 * @cvxnn/linalg's Matrix. Shapes and options are validated in TypeScript (src/blas.ts) before the
 * call; this file re-checks only what protects memory (the index ranges of every array).
 *
 * Precision: `fp32` (last argument 1) converts the operands to float scratch buffers, runs
 * cblas_sgemm and widens the result; `fp64` calls cblas_dgemm on the caller's buffers directly.
 *
 *   gemm(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, fp32)
 *   maskedForward(X, xOff, ldx, n, d, bits, wordsPerRow, P, U, uOff, ldu, c, F, fOff, ldf, chunkRows, fp32)
 *       F[j,k] = sum_i bit(j,i) * (X U)[j, i*c+k]: one GEMM per row chunk into scratch, then mask
 *       and row sum in one pass over the chunk.
 *   maskedBackward(X, xOff, ldx, n, d, bits, wordsPerRow, P, R, rOff, ldr, c, G, gOff, ldg, chunkRows, fp32)
 *       G[:, i*c+k] = Xᵀ (bit(:,i) * R[:,k]): S = M∘R once per row chunk, then one GEMM Xᵀ·S
 *       accumulating into G (beta = 1 after the first chunk).
 *   setThreads(k) / getThreads() / config()
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenBLAS extensions (declared by OpenBLAS's cblas.h; repeated so another CBLAS header fails to link, not to compile silently) */
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);

#define CHECK(call)                                                       \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error(env, "INTERNAL", "cvxnn_blas: N-API call failed: " #call); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

#define FAIL(msg)                          \
  do {                                     \
    napi_throw_range_error(env, "SHAPE_MISMATCH", msg); \
    return NULL;                           \
  } while (0)

typedef struct {
  void *data;
  size_t length; /* elements */
  int is_f32;
} arr_t;

static int get_f64_array(napi_env env, napi_value v, arr_t *out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off) != napi_ok) return 0;
  if (type != napi_float64_array) return 0;
  out->data = data;
  out->length = length;
  out->is_f32 = 0;
  return 1;
}

static int get_u32_array(napi_env env, napi_value v, uint32_t **data, size_t *length) {
  napi_typedarray_type type;
  void *p;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, length, &p, &ab, &off) != napi_ok) return 0;
  if (type != napi_uint32_array) return 0;
  *data = (uint32_t *)p;
  return 1;
}

static int get_i64(napi_env env, napi_value v, int64_t *out) { return napi_get_value_int64(env, v, out) == napi_ok; }
static int get_f64(napi_env env, napi_value v, double *out) { return napi_get_value_double(env, v, out) == napi_ok; }
static int get_bool(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return 0;
  *out = b ? 1 : 0;
  return 1;
}

/* Does a rows×cols row-major block at (off, ld) lie inside an array of `len` elements? */
static int fits(size_t len, int64_t off, int64_t ld, int64_t rows, int64_t cols) {
  if (off < 0 || rows < 0 || cols < 0 || ld < 0) return 0;
  if (rows == 0 || cols == 0) return 1;
  if (rows > 1 && ld < cols) return 0;
  /* last element index: off + (rows-1)*ld + cols-1 */
  int64_t last = off + (rows - 1) * ld + cols - 1;
  return last >= 0 && (uint64_t)last < (uint64_t)len;
}

/* Copy a rows×cols block (row stride ld) into a contiguous float array. */
static void to_f32(const double *src, int64_t ld, int64_t rows, int64_t cols, float *dst) {
  for (int64_t i = 0; i < rows; i++) {
    const double *s = src + i * ld;
    float *d = dst + i * cols;
    for (int64_t j = 0; j < cols; j++) d[j] = (float)s[j];
  }
}

static napi_value argv_get(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, "INVALID_OPTION", "cvxnn_blas: wrong number of arguments");
    return NULL;
  }
  return argv[0];
}

/* ------------------------------------------------------------------ gemm */

static napi_value Gemm(napi_env env, napi_callback_info info) {
  napi_value a[17];
  if (!argv_get(env, info, 17, a)) return NULL;
  int ta, tb, f32;
  int64_t m, n, k, aOff, lda, bOff, ldb, cOff, ldc;
  double alpha, beta;
  arr_t A, B, C;
  if (!get_bool(env, a[0], &ta) || !get_bool(env, a[1], &tb) || !get_i64(env, a[2], &m) || !get_i64(env, a[3], &n) ||
      !get_i64(env, a[4], &k) || !get_f64(env, a[5], &alpha) || !get_f64_array(env, a[6], &A) || !get_i64(env, a[7], &aOff) ||
      !get_i64(env, a[8], &lda) || !get_f64_array(env, a[9], &B) || !get_i64(env, a[10], &bOff) || !get_i64(env, a[11], &ldb) ||
      !get_f64(env, a[12], &beta) || !get_f64_array(env, a[13], &C) || !get_i64(env, a[14], &cOff) || !get_i64(env, a[15], &ldc) ||
      !get_bool(env, a[16], &f32)) {
    napi_throw_type_error(env, "INVALID_OPTION", "cvxnn_blas.gemm: bad argument types");
    return NULL;
  }
  int64_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
  if (!fits(A.length, aOff, lda, ar, ac) || !fits(B.length, bOff, ldb, br, bc) || !fits(C.length, cOff, ldc, m, n))
    FAIL("cvxnn_blas.gemm: a matrix does not fit its buffer");
  if (m == 0 || n == 0) return NULL;
  double *Cp = (double *)C.data + cOff;
  if (k == 0) { /* C = beta*C */
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) Cp[i * ldc + j] = beta == 0 ? 0 : beta * Cp[i * ldc + j];
    return NULL;
  }
  /* a leading dimension must be >= the row length even for one-row matrices */
  if (lda < ac) lda = ac;
  if (ldb < bc) ldb = bc;
  if (ldc < n) ldc = n;
  if (!f32) {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,
                (double *)A.data + aOff, (int)lda, (double *)B.data + bOff, (int)ldb, beta, Cp, (int)ldc);
    return NULL;
  }
  float *af = malloc(sizeof(float) * (size_t)(ar * ac));
  float *bf = malloc(sizeof(float) * (size_t)(br * bc));
  float *cf = malloc(sizeof(float) * (size_t)(m * n));
  if (!af || !bf || !cf) {
    free(af); free(bf); free(cf);
    napi_throw_error(env, "OUT_OF_MEMORY", "cvxnn_blas.gemm: cannot allocate the fp32 scratch buffers");
    return NULL;
  }
  to_f32((double *)A.data + aOff, lda, ar, ac, af);
  to_f32((double *)B.data + bOff, ldb, br, bc, bf);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, 1.0f, af,
              (int)ac, bf, (int)bc, 0.0f, cf, (int)n);
  for (int64_t i = 0; i < m; i++) {
    double *c = Cp + i * ldc;
    const float *s = cf + i * n;
    if (beta == 0)
      for (int64_t j = 0; j < n; j++) c[j] = alpha * (double)s[j];
    else
      for (int64_t j = 0; j < n; j++) c[j] = alpha * (double)s[j] + beta * c[j];
  }
  free(af); free(bf); free(cf);
  return NULL;
}

/* ------------------------------------------------------------ masked products */

typedef struct {
  arr_t X; int64_t xOff, ldx, n, d;
  uint32_t *bits; size_t bitsLen; int64_t wpr, P;
  arr_t V; int64_t vOff, ldv; /* U (forward) or R (backward) */
  int64_t c;
  arr_t O; int64_t oOff, ldo; /* F (forward) or G (backward) */
  int64_t chunk;
  int f32;
} masked_args;

static int parse_masked(napi_env env, napi_callback_info info, masked_args *s, const char *name) {
  napi_value a[17];
  if (!argv_get(env, info, 17, a)) return 0;
  if (!get_f64_array(env, a[0], &s->X) || !get_i64(env, a[1], &s->xOff) || !get_i64(env, a[2], &s->ldx) || !get_i64(env, a[3], &s->n) ||
      !get_i64(env, a[4], &s->d) || !get_u32_array(env, a[5], &s->bits, &s->bitsLen) || !get_i64(env, a[6], &s->wpr) ||
      !get_i64(env, a[7], &s->P) || !get_f64_array(env, a[8], &s->V) || !get_i64(env, a[9], &s->vOff) || !get_i64(env, a[10], &s->ldv) ||
      !get_i64(env, a[11], &s->c) || !get_f64_array(env, a[12], &s->O) || !get_i64(env, a[13], &s->oOff) || !get_i64(env, a[14], &s->ldo) ||
      !get_i64(env, a[15], &s->chunk) || !get_bool(env, a[16], &s->f32)) {
    char msg[128];
    snprintf(msg, sizeof msg, "cvxnn_blas.%s: bad argument types", name);
    napi_throw_type_error(env, "INVALID_OPTION", msg);
    return 0;
  }
  if (s->n < 0 || s->d < 0 || s->P < 0 || s->c < 1 || s->chunk < 1 || s->wpr != (s->P + 31) / 32 || (uint64_t)(s->n * s->wpr) > s->bitsLen) {
    napi_throw_range_error(env, "SHAPE_MISMATCH", "cvxnn_blas: inconsistent masked-product shapes");
    return 0;
  }
  return 1;
}

/* 0/1 multipliers of every byte value, bit b of the byte at position b (compile-time tables). */
#define B8(i) {((i) >> 0) & 1, ((i) >> 1) & 1, ((i) >> 2) & 1, ((i) >> 3) & 1, ((i) >> 4) & 1, ((i) >> 5) & 1, ((i) >> 6) & 1, ((i) >> 7) & 1}
#define R4(i) B8(i), B8((i) + 1), B8((i) + 2), B8((i) + 3)
#define R16(i) R4(i), R4((i) + 4), R4((i) + 8), R4((i) + 12)
#define R64(i) R16(i), R16((i) + 16), R16((i) + 32), R16((i) + 48)
static const double LUT_D[256][8] = {R64(0), R64(64), R64(128), R64(192)};
static const float LUT_F[256][8] = {R64(0), R64(64), R64(128), R64(192)};

/* Unpack 32 mask bits into 0/1 multipliers. */
static inline void unpack32(uint32_t w, double *m) {
  memcpy(m, LUT_D[w & 255u], sizeof LUT_D[0]);
  memcpy(m + 8, LUT_D[(w >> 8) & 255u], sizeof LUT_D[0]);
  memcpy(m + 16, LUT_D[(w >> 16) & 255u], sizeof LUT_D[0]);
  memcpy(m + 24, LUT_D[w >> 24], sizeof LUT_D[0]);
}
static inline void unpack32f(uint32_t w, float *m) {
  memcpy(m, LUT_F[w & 255u], sizeof LUT_F[0]);
  memcpy(m + 8, LUT_F[(w >> 8) & 255u], sizeof LUT_F[0]);
  memcpy(m + 16, LUT_F[(w >> 16) & 255u], sizeof LUT_F[0]);
  memcpy(m + 24, LUT_F[w >> 24], sizeof LUT_F[0]);
}

static napi_value MaskedForward(napi_env env, napi_callback_info info) {
  masked_args s;
  if (!parse_masked(env, info, &s, "maskedForward")) return NULL;
  const int64_t n = s.n, d = s.d, P = s.P, c = s.c, pc = P * c, wpr = s.wpr;
  if (!fits(s.X.length, s.xOff, s.ldx, n, d) || !fits(s.V.length, s.vOff, s.ldv, d, pc) || !fits(s.O.length, s.oOff, s.ldo, n, c))
    FAIL("cvxnn_blas.maskedForward: a matrix does not fit its buffer");
  if (n == 0) return NULL;
  double *F = (double *)s.O.data + s.oOff;
  if (d == 0 || P == 0) {
    for (int64_t j = 0; j < n; j++) for (int64_t k = 0; k < c; k++) F[j * s.ldo + k] = 0;
    return NULL;
  }
  const int64_t rows = s.chunk < n ? s.chunk : n;
  const double *X = (const double *)s.X.data + s.xOff;
  const double *U = (const double *)s.V.data + s.vOff;
  int64_t ldx = s.ldx < d ? d : s.ldx, ldu = s.ldv < pc ? pc : s.ldv;
  double *T = NULL, *acc = NULL;
  float *Tf = NULL, *Xf = NULL, *Uf = NULL;
  if (s.f32) {
    Tf = malloc(sizeof(float) * (size_t)(rows * pc));
    Xf = malloc(sizeof(float) * (size_t)(rows * d));
    Uf = malloc(sizeof(float) * (size_t)(d * pc));
  } else {
    T = malloc(sizeof(double) * (size_t)(rows * pc));
  }
  acc = malloc(sizeof(double) * (size_t)c);
  if ((s.f32 && (!Tf || !Xf || !Uf)) || (!s.f32 && !T) || !acc) {
    free(T); free(Tf); free(Xf); free(Uf); free(acc);
    napi_throw_error(env, "OUT_OF_MEMORY", "cvxnn_blas.maskedForward: cannot allocate the row-chunk buffer; lower maxChunkElements");
    return NULL;
  }
  if (s.f32) to_f32(U, ldu, d, pc, Uf);
  double mb[32];
  float mf[32];
  for (int64_t r0 = 0; r0 < n; r0 += rows) {
    const int64_t nr = (n - r0) < rows ? (n - r0) : rows;
    if (s.f32) {
      to_f32(X + r0 * ldx, ldx, nr, d, Xf);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nr, (int)pc, (int)d, 1.0f, Xf, (int)d, Uf, (int)pc, 0.0f, Tf, (int)pc);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nr, (int)pc, (int)d, 1.0, X + r0 * ldx, (int)ldx, U, (int)ldu, 0.0, T, (int)pc);
    }
    for (int64_t j = 0; j < nr; j++) {
      const uint32_t *bw = s.bits + (r0 + j) * wpr;
      double *Fj = F + (r0 + j) * s.ldo;
      if (c == 1) {
        double sum = 0;
        if (s.f32) {
          const float *t = Tf + j * pc;
          float fsum[32] = {0};
          for (int64_t w = 0; w < wpr; w++) {
            const int64_t i0 = w * 32, cnt = (P - i0) < 32 ? (P - i0) : 32;
            if (!bw[w]) continue;
            unpack32f(bw[w], mf);
            if (cnt == 32) for (int b = 0; b < 32; b++) fsum[b] += mf[b] * t[i0 + b];
            else for (int b = 0; b < cnt; b++) fsum[b] += mf[b] * t[i0 + b];
          }
          for (int b = 0; b < 32; b++) sum += fsum[b];
        } else {
          const double *t = T + j * pc;
          double dsum[32] = {0};
          for (int64_t w = 0; w < wpr; w++) {
            const int64_t i0 = w * 32, cnt = (P - i0) < 32 ? (P - i0) : 32;
            if (!bw[w]) continue;
            unpack32(bw[w], mb);
            if (cnt == 32) for (int b = 0; b < 32; b++) dsum[b] += mb[b] * t[i0 + b];
            else for (int b = 0; b < cnt; b++) dsum[b] += mb[b] * t[i0 + b];
          }
          for (int b = 0; b < 32; b++) sum += dsum[b];
        }
        Fj[0] = sum;
      } else {
        for (int64_t k = 0; k < c; k++) acc[k] = 0;
        for (int64_t i = 0; i < P; i++) {
          if (!((bw[i >> 5] >> (i & 31)) & 1u)) continue;
          if (s.f32) { const float *t = Tf + j * pc + i * c; for (int64_t k = 0; k < c; k++) acc[k] += t[k]; }
          else { const double *t = T + j * pc + i * c; for (int64_t k = 0; k < c; k++) acc[k] += t[k]; }
        }
        for (int64_t k = 0; k < c; k++) Fj[k] = acc[k];
      }
    }
  }
  free(T); free(Tf); free(Xf); free(Uf); free(acc);
  return NULL;
}

static napi_value MaskedBackward(napi_env env, napi_callback_info info) {
  masked_args s;
  if (!parse_masked(env, info, &s, "maskedBackward")) return NULL;
  const int64_t n = s.n, d = s.d, P = s.P, c = s.c, pc = P * c, wpr = s.wpr;
  if (!fits(s.X.length, s.xOff, s.ldx, n, d) || !fits(s.V.length, s.vOff, s.ldv, n, c) || !fits(s.O.length, s.oOff, s.ldo, d, pc))
    FAIL("cvxnn_blas.maskedBackward: a matrix does not fit its buffer");
  if (d == 0 || pc == 0) return NULL;
  double *G = (double *)s.O.data + s.oOff;
  const int64_t ldg = s.ldo < pc ? pc : s.ldo;
  if (n == 0) {
    for (int64_t i = 0; i < d; i++) for (int64_t j = 0; j < pc; j++) G[i * ldg + j] = 0;
    return NULL;
  }
  const int64_t rows = s.chunk < n ? s.chunk : n;
  const double *X = (const double *)s.X.data + s.xOff;
  const double *R = (const double *)s.V.data + s.vOff;
  const int64_t ldx = s.ldx < d ? d : s.ldx, ldr = s.ldv;
  double *S = NULL;
  float *Sf = NULL, *Xf = NULL, *Gf = NULL;
  if (s.f32) {
    Sf = malloc(sizeof(float) * (size_t)(rows * pc));
    Xf = malloc(sizeof(float) * (size_t)(rows * d));
    Gf = malloc(sizeof(float) * (size_t)(d * pc));
  } else {
    S = malloc(sizeof(double) * (size_t)(rows * pc));
  }
  if ((s.f32 && (!Sf || !Xf || !Gf)) || (!s.f32 && !S)) {
    free(S); free(Sf); free(Xf); free(Gf);
    napi_throw_error(env, "OUT_OF_MEMORY", "cvxnn_blas.maskedBackward: cannot allocate the row-chunk buffer; lower maxChunkElements");
    return NULL;
  }
  double mb[32];
  float mf[32];
  for (int64_t r0 = 0; r0 < n; r0 += rows) {
    const int64_t nr = (n - r0) < rows ? (n - r0) : rows;
    /* S = M ∘ R for this chunk */
    for (int64_t j = 0; j < nr; j++) {
      const uint32_t *bw = s.bits + (r0 + j) * wpr;
      const double *rj = R + (r0 + j) * ldr;
      if (c == 1) {
        if (s.f32) {
          float *sr = Sf + j * pc;
          const float rv = (float)rj[0];
          for (int64_t w = 0; w < wpr; w++) {
            const int64_t i0 = w * 32, cnt = (P - i0) < 32 ? (P - i0) : 32;
            unpack32f(bw[w], mf);
            for (int b = 0; b < cnt; b++) sr[i0 + b] = mf[b] * rv;
          }
        } else {
          double *sr = S + j * pc;
          const double rv = rj[0];
          for (int64_t w = 0; w < wpr; w++) {
            const int64_t i0 = w * 32, cnt = (P - i0) < 32 ? (P - i0) : 32;
            unpack32(bw[w], mb);
            for (int b = 0; b < cnt; b++) sr[i0 + b] = mb[b] * rv;
          }
        }
      } else {
        for (int64_t i = 0; i < P; i++) {
          const int on = (bw[i >> 5] >> (i & 31)) & 1u;
          if (s.f32) { float *sr = Sf + j * pc + i * c; for (int64_t k = 0; k < c; k++) sr[k] = on ? (float)rj[k] : 0.0f; }
          else { double *sr = S + j * pc + i * c; for (int64_t k = 0; k < c; k++) sr[k] = on ? rj[k] : 0.0; }
        }
      }
    }
    if (s.f32) {
      to_f32(X + r0 * ldx, ldx, nr, d, Xf);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)pc, (int)nr, 1.0f, Xf, (int)d, Sf, (int)pc, r0 == 0 ? 0.0f : 1.0f, Gf, (int)pc);
    } else {
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)pc, (int)nr, 1.0, X + r0 * ldx, (int)ldx, S, (int)pc, r0 == 0 ? 0.0 : 1.0, G, (int)ldg);
    }
  }
  if (s.f32)
    for (int64_t i = 0; i < d; i++) for (int64_t j = 0; j < pc; j++) G[i * ldg + j] = (double)Gf[i * pc + j];
  free(S); free(Sf); free(Xf); free(Gf);
  return NULL;
}

/* ------------------------------------------------------------------ threads */

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  napi_value a[1];
  int64_t k;
  if (!argv_get(env, info, 1, a)) return NULL;
  if (!get_i64(env, a[0], &k) || k < 1) {
    napi_throw_range_error(env, "INVALID_OPTION", "cvxnn_blas.setThreads: threads must be a positive integer");
    return NULL;
  }
  openblas_set_num_threads((int)k);
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &v));
  return v;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  const char *s = openblas_get_config();
  CHECK(napi_create_string_utf8(env, s ? s : "OpenBLAS", NAPI_AUTO_LENGTH, &v));
  return v;
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, Gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maskedForward", NULL, MaskedForward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maskedBackward", NULL, MaskedBackward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, Config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
