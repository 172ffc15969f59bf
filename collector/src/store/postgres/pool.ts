import pg from 'pg';

/** int8 (BIGINT: ids, millisecond times, counts) as a JS number: every value here stays below 2^53. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

export type Pool = pg.Pool;
export type Client = pg.PoolClient;
/** What queries run on: the pool (autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'>;

export function openPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types,
    // A hung database must fail a request rather than stall it; leases renew well inside this.
    statement_timeout: 30_000,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'flyprobe-collector',
  });
  // An idle client losing its connection (server restart) is dropped by the pool; without a listener the
  // 'error' event would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `fn` in one transaction on one pooled client; rolls back and rethrows on error. */
export async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
