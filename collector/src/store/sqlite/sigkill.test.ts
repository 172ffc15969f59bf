import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rollupSamples, tempDir } from '../testing/fixtures.ts';
import { openSqliteStore } from './sqlite-store.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const ROOT = join(import.meta.dirname, '../../../..');
const ACKS_BEFORE_KILL = 40;

describe('durability', { timeout: 60_000 }, () => {
  it('keeps every acknowledged result exactly once and every committed alert after a SIGKILL, with rollups rebuilt', async () => {
    const path = tmp.db('sigkill');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '..', 'testing', 'sigkill-child.ts'), path],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acked: number[] = [];
    const alerts: string[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no ${ACKS_BEFORE_KILL} acks in time; stderr: ${stderr}`)),
          45_000,
        );
        let buffered = '';
        child.stdout.on('data', (d: Buffer) => {
          buffered += d.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            if (line.startsWith('alert ')) {
              alerts.push(line.slice('alert '.length));
              continue;
            }
            const [, first, last] = line.split(' ').map(Number);
            for (let s = first!; s <= last!; s++) acked.push(s);
            if (acked.length >= ACKS_BEFORE_KILL * 50) {
              clearTimeout(timer);
              // Killed mid-stream: the child is between or inside transactions, with rollups partly unflushed.
              child.kill('SIGKILL');
              resolve();
            }
          }
        });
        child.on('exit', (code) => {
          clearTimeout(timer);
          if (acked.length < ACKS_BEFORE_KILL * 50)
            reject(new Error(`child exited ${code} early: ${stderr}`));
        });
      });
      await new Promise((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
      );
      expect(child.signalCode).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }

    const store = await openSqliteStore({ path });
    const rows = store.db.prepare('SELECT seq, count(*) AS n FROM results GROUP BY seq').all() as {
      seq: number;
      n: number;
    }[];
    const stored = new Map(rows.map((r) => [r.seq, r.n]));
    expect(acked.filter((s) => stored.get(s) !== 1)).toEqual([]);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(alerts.length).toBeGreaterThan(0);
    const storedAlerts = new Set(
      (store.db.prepare('SELECT id FROM alerts').pluck().all() as string[]).map(String),
    );
    expect(alerts.filter((id) => !storedAlerts.has(id))).toEqual([]);
    // Every stored result (acked or committed just before the kill) is in the rollups exactly once.
    expect(await rollupSamples(store)).toBe(rows.length);
    await store.close();
  });
});
