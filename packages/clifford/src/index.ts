export * from './ga.js';
export * from './cross.js';
