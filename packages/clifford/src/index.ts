export * from './ga.js';
export * from './cross.js';
export * from './dictionaries.js';
export * from './lasso.js';
export * from './recover.js';
export * from './exact.js';
export * from './fit.js';
