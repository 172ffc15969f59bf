import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envTable } from '@flyprobe/shared';
import { describe, expect, it } from 'vitest';
import { ECHO_ENV } from '../../cli/src/commands/echo.ts';
import { COLLECTOR_ENV } from '../../collector/src/settings.ts';
import { PROBE_ENV } from '../../probe/src/config/env.ts';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'ENVIRONMENT.md'), 'utf8');

// The tables are rendered from the declared variables, so the page lists exactly what each process reads.
describe('docs/ENVIRONMENT.md', () => {
  it.each([
    ['collector', COLLECTOR_ENV],
    ['probe', PROBE_ENV],
    ['echo', ECHO_ENV],
  ])('carries the %s variables as declared', (_name, spec) => {
    expect(DOC).toContain(envTable(spec));
  });
});
