import { describe, expect, it } from 'vitest';
import { FlyRegionStopper, type MachinesControl } from './fly-stopper.ts';

/** A MachinesControl that records calls and plays the Machines API's state changes. */
function recording(machines: Array<{ id: string; region: string; state: string }>, reach = true) {
  const calls: string[] = [];
  const control: MachinesControl = {
    list: async () => machines,
    acquireLease: async (_app, id) => {
      calls.push(`lease ${id}`);
      return `nonce-${id}`;
    },
    releaseLease: async (_app, id, nonce) => void calls.push(`release ${id} ${nonce}`),
    stop: async (_app, id, nonce) => void calls.push(`stop ${id} ${nonce}`),
    start: async (_app, id, nonce) => void calls.push(`start ${id} ${nonce}`),
    waitForState: async (_app, id, { state }) => {
      calls.push(`wait ${id} ${state}`);
      return reach;
    },
  };
  return { calls, control };
}

const opts = { app: 'web', region: 'nrt', force: false, leaseSeconds: 300, waitSeconds: 60 };
const FLEET = [
  { id: 'a', region: 'nrt', state: 'started' },
  { id: 'b', region: 'nrt', state: 'started' },
  { id: 'c', region: 'sin', state: 'started' },
];

describe('the Machines API region stopper', () => {
  it('leases every Machine first, stops and starts them with the nonce, waits for each state, then releases', async () => {
    const { calls, control } = recording(FLEET);
    const s = new FlyRegionStopper(control, opts);
    expect(await s.describe()).toBe('2 Machine(s) of web: a, b');
    await s.stop();
    await s.start();
    await s.release();
    expect(calls).toEqual([
      'lease a',
      'lease b',
      'stop a nonce-a',
      'stop b nonce-b',
      'wait a stopped',
      'wait b stopped',
      'start a nonce-a',
      'start b nonce-b',
      'wait a started',
      'wait b started',
      'release a nonce-a',
      'release b nonce-b',
    ]);
  });

  it('fails naming the Machine that did not stop in time, and still releases its lease', async () => {
    const { calls, control } = recording(FLEET, false);
    const s = new FlyRegionStopper(control, opts);
    await expect(s.stop()).rejects.toThrow('Machine a did not reach "stopped" within 60 s');
    await s.release();
    expect(calls.filter((c) => c.startsWith('release'))).toEqual(['release a nonce-a', 'release b nonce-b']);
  });
});
