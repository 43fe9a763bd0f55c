{
  "targets": [
    {
      "target_name": "cvxnn_blas",
      "sources": ["blas_addon.c"],
      "include_dirs": ["<!@(node -p \"process.env.CVXNN_CBLAS_INCLUDE || ''\")"],
      "libraries": ["<!@(node -p \"process.env.CVXNN_BLAS_LIBS || '-lopenblas'\")"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
