import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// A static app: relative asset paths (served by `cvxnn dashboard` under any prefix), everything
// bundled (no CDN). The page needs only CvxnnError from @cvxnn/linalg, so the bundle takes that
// one module (the package's index also pulls in Node-only worker code).
export default defineConfig({
  base: './',
  resolve: { alias: { '@cvxnn/linalg': fileURLToPath(new URL('../../packages/linalg/src/errors.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
});
