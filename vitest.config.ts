import { defineConfig } from 'vitest/config';

// One Vitest run over every package and app; each project has its own vitest.config.ts
// built from the shared preset in tooling/vitest-preset.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tooling/vitest-preset/vitest.config.js'],
  },
});
