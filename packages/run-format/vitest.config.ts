import { definePackageConfig } from '@cvxnn/vitest-preset';

export default definePackageConfig('run-format');
