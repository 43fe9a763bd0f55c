/// <reference types="@cvxnn/vitest-preset/matchers" />
