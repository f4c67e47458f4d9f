export * from './errors.js';
export * from './envelope.js';
export * from './frames.js';
export * from './channels.js';
export * from './limits.js';
export * from './json-pointer.js';
export * from './raw-json.js';
