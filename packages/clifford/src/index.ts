export * from './ga.js';
export * from './cross.js';
export * from './dictionaries.js';
