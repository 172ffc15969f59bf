import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@flyprobe/shared/testing';
import pg from 'pg';

/**
 * A real PostgreSQL server for tests and benchmarks: FLYPROBE_TEST_PG_URL when CI started one (.ci/run),
 * else a throwaway cluster (initdb into a temp dir, postgres on a loopback port, removed at stop). As root,
 * initdb and postgres run as the `postgres` user (initdb refuses root).
 */
export interface TestPostgres {
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where Debian installs the server binaries (the newest major version), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(options: { durable?: boolean } = {}): string | null {
  if (process.env.FLYPROBE_TEST_PG_URL && !options.durable) return null;
  if (!postgresBinDir()) return 'PostgreSQL server not installed (apt-get install postgresql; .ci/run does)';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a postgres user to run the server as';
    }
  }
  return null;
}

/** Runs a server binary, as the postgres user when we are root. */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

async function waitReady(url: string, child: ChildProcess | undefined, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child && child.exitCode !== null) throw new Error(`postgres exited: ${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`postgres did not accept connections within 30 s: ${log()}`);
}

/**
 * Starts (or attaches to) a server. `durable: false` (tests) turns fsync off for speed; benchmarks keep the
 * default durability so their figures mean what a deployment gets.
 */
export async function startTestPostgres(options: { durable?: boolean } = {}): Promise<TestPostgres> {
  // CI's shared server runs with fsync off: fine for tests, not for figures.
  const external = options.durable ? undefined : process.env.FLYPROBE_TEST_PG_URL;
  let adminUrl: string;
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  if (external) {
    adminUrl = external;
  } else {
    const bin = postgresBinDir();
    if (!bin) throw new Error(postgresUnavailable() ?? 'PostgreSQL not found');
    dir = mkdtempSync(join(tmpdir(), 'flyprobe-pg-'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const data = join(dir, 'data');
    const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    execFileSync(initCmd, initArgs, { stdio: 'pipe' });
    const port = await freePort();
    const settings = [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=64MB',
      ...(options.durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ];
    const [cmd, args] = asPostgres(join(bin, 'postgres'), ['-D', data, '-p', String(port), ...settings]);
    let output = '';
    child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    child.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitReady(adminUrl, child, () => output);
  }
  const created: string[] = [];
  return {
    async createDatabase(name: string) {
      const db = `${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${db}`);
      } finally {
        await admin.end();
      }
      created.push(db);
      const u = new URL(adminUrl);
      u.pathname = `/${db}`;
      return u.toString();
    },
    async stop() {
      if (external) {
        // A shared server outlives the test file: drop what this file created.
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        for (const db of created)
          await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
        await admin.end();
        return;
      }
      if (child && child.exitCode === null) {
        child.kill('SIGINT'); // fast shutdown
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child?.kill('SIGKILL');
            resolve();
          }, 10_000);
          child?.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
