import { expect } from 'vitest';
import { floatMatchers } from './matchers.js';

expect.extend(floatMatchers);
