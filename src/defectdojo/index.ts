export * from './client';
export * from './statistics';
export * from './prediction';
export * from './sync';
export * from './push';
