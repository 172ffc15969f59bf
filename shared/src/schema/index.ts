export * from './batch.ts';
export * from './common.ts';
export * from './config.ts';
export * from './echo.ts';
export * from './errors.ts';
export * from './heartbeat.ts';
export * from './identity.ts';
export * from './result.ts';
