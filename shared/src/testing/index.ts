// Test helpers of every package (`@flyprobe/shared/testing`); never imported by shipped code.
export { freePort } from './free-port.ts';
export { prng } from './prng.ts';
