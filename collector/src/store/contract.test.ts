import { afterAll, describe } from 'vitest';
import { alertsContract } from './testing/contract/alerts.ts';
import { feedContract } from './testing/contract/feed.ts';
import { resultsContract } from './testing/contract/results.ts';
import { retentionContract } from './testing/contract/retention.ts';
import { rollupsContract } from './testing/contract/rollups.ts';
import { routesContract } from './testing/contract/routes.ts';
import { storeHarnesses } from './testing/dialects.ts';

/** The store contract: the same test bodies on every dialect (a dialect that cannot run here says why). */
for (const h of storeHarnesses()) {
  afterAll(() => h.cleanup(), 30_000);
  describe.skipIf(h.skip !== null)(`${h.dialect} store${h.skip ? ` (skipped: ${h.skip})` : ''}`, () => {
    resultsContract(h);
    rollupsContract(h);
    routesContract(h);
    retentionContract(h);
    alertsContract(h);
    feedContract(h);
  });
}
