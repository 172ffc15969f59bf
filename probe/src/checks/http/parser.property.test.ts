import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { malformedResponse, validResponse } from '../testing/http-responses.ts';
import { type Script, type ScriptedServer, scriptedServer } from '../testing/scripted-server.ts';
import { specFor } from '../testing/spec.ts';
import { expectValidOnWire } from '../testing/wire.ts';
import { httpCheck } from './run.ts';

/*
 * The HTTP/1.x parser against generated responses served by a real TCP server that writes them split
 * at random byte boundaries with small pauses. Seeded, so a failure replays; every case is bounded by
 * the check's own time limit, and none may reach it.
 */
let script: Script | undefined;
let server: ScriptedServer;
beforeAll(async () => {
  server = await scriptedServer(() => {
    if (!script) throw new Error('no script for this request');
    return script;
  });
});
afterAll(() => server.close());

const RUNS = { seed: 17, numRuns: 150 };

describe('http/1.x parser, generated responses', () => {
  it('reports status, the headers it reads and the body size exactly as sent', async () => {
    await fc.assert(
      fc.asyncProperty(validResponse, async (c) => {
        script = c.script;
        const out = await httpCheck.run(
          specFor(httpCheck, server.port, { target: 'prop', expectStatus: [c.status], timeoutMs: 5000 }),
        );
        expectValidOnWire(out);
        expect(out.outcome, out.errorMessage).toBe('ok');
        expect(out.httpStatus).toBe(c.status);
        expect(out.bytes).toBe(c.bodyBytes);
        expect(out.edgeRegion).toBe(c.edgeRegion);
        // The body bytes are kept for JSON answers: the echo inside is read back whole.
        expect(out.servedRegion).toBe(c.servedRegion);
        expect(out.servedMachine).toBe(c.servedRegion ? 'm-prop' : undefined);
        expect(out.phases.ttfb).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('fails a malformed or cut-short response naming the reason, never hanging or crashing', async () => {
    await fc.assert(
      fc.asyncProperty(malformedResponse, async (c) => {
        script = c.script;
        const out = await httpCheck.run(specFor(httpCheck, server.port, { target: 'prop', timeoutMs: 5000 }));
        expectValidOnWire(out);
        expect(out.outcome, out.errorMessage).toBe(c.outcome);
        expect(out.failedPhase).toBe(c.phase);
        expect(out.errorMessage).toMatch(c.reason);
        expect(out.httpStatus).toBeUndefined();
      }),
      RUNS,
    );
  });
});
