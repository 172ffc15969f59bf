// The collector's test harness: a running collector, HTTP calls, tokens, wire fixtures and polling.
export { startTestCollector, type TestCollector, type TestCollectorOptions } from './collector.ts';
export { batch, heartbeat, probeIdentity, result, TEST_APP } from './fixtures.ts';
export { type CallInit, type CallResult, call } from './http.ts';
export { ADMIN_SECRET, createToken, probeToken, READ_SECRET } from './tokens.ts';
export { until } from './until.ts';
