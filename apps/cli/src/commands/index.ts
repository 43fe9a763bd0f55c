import type { Command } from 'commander';
import type { Io } from '../io.js';
import { register as bench } from './bench.js';
import { register as clifford } from './clifford.js';
import { register as compare } from './compare.js';
import { register as dashboard } from './dashboard.js';
import { register as data } from './data.js';
import { register as demo } from './demo.js';
import { register as fit } from './fit.js';
import { register as patterns } from './patterns.js';
import { register as predict } from './predict.js';
import { register as redex } from './redex.js';

/** Every CLI command; a new command adds one import and one entry here. */
export const commands: Array<(program: Command, io: Io) => void> = [demo, compare, fit, predict, patterns, data, bench, redex, clifford, dashboard];
