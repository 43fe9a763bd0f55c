/**
 * The option types of this package's public calls, for `checkOptions` of `@cvxnn/linalg`
 * (not exported from the index). The compiler keeps each list equal to its interface's keys.
 */
import type { OptionSpec } from '@cvxnn/linalg';
import type { NuclearNormOptions, TraceNormOptions } from './prox.js';
import type { RedexLayerOptions, RedexNetworkOptions } from './redex.js';
import type { SdpOptions } from './sdp.js';

export const TRACE_NORM_OPTIONS: OptionSpec<TraceNormOptions> = { lambda1: 'number', lambda2: 'number', tol: 'number', maxIterations: 'number', warmStart: 'matrix', timeLimit: 'number' };

export const NUCLEAR_NORM_OPTIONS: OptionSpec<NuclearNormOptions> = TRACE_NORM_OPTIONS;

export const SDP_OPTIONS: OptionSpec<SdpOptions> = {
  tol: 'number',
  maxIterations: 'number',
  mu: 'number',
  relaxation: 'number',
  adaptive: 'boolean',
  scale: 'boolean',
  warmStart: 'object',
  timeLimit: 'number',
};

/** the options of one layer other than its warm start (a network has none) */
const LAYER_COMMON: OptionSpec<Omit<RedexLayerOptions, 'warmStart'>> = {
  lambda1: 'number',
  lambda2: 'number',
  width: 'number',
  solver: '"auto"|"prox"|"admm"',
  tol: 'number',
  maxIterations: 'number',
  rho: 'number',
  relaxation: 'number',
  timeLimit: 'number',
};

export const REDEX_LAYER_OPTIONS: OptionSpec<RedexLayerOptions> = { ...LAYER_COMMON, warmStart: 'object' };

export const REDEX_NETWORK_OPTIONS: OptionSpec<RedexNetworkOptions> = { ...LAYER_COMMON, outputs: 'numbers', appendOne: 'boolean', intermediateTargets: 'function', layerOptions: 'array' };
