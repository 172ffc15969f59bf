export * from './alerts-api.ts';
export * from './api.ts';
export * from './fly-headers.ts';
export * from './geo.ts';
export * from './host-port.ts';
export * from './proto.ts';
export * from './regions.ts';
export * from './schema/index.ts';
