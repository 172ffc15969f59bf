/**
 * Preloaded into a benchmarked process (`node --import <this file> ...`): samples process.memoryUsage() every
 * 250 ms and, when the process exits, writes the sample with the highest RSS and the V8 heap spaces at that
 * moment as JSON to the file named by FLYPROBE_BENCH_MEMORY_FILE, with the heap of the process's worker thread
 * (the SQLite writer's isolate, whose memory is part of the same RSS) as last sampled. Plain JavaScript, so it
 * needs no loader in the process it measures; the timer is unref'd and never keeps the process alive.
 */
import { writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.FLYPROBE_BENCH_MEMORY_FILE;
if (!file) throw new Error('peak-memory.mjs: FLYPROBE_BENCH_MEMORY_FILE is not set');
let peak;
let worker;
/** The worker's heap as last sampled (its statistics arrive asynchronously): total and used bytes. */
let workerHeap;
process.on('worker', (w) => {
  worker = w;
});
const sample = () => {
  worker?.getHeapStatistics().then(
    (h) => {
      workerHeap = { total: h.total_heap_size, used: h.used_heap_size };
    },
    () => undefined, // the worker exited meanwhile
  );
  const memory = process.memoryUsage();
  if (peak && memory.rss <= peak.memory.rss) return;
  const spaces = {};
  for (const s of getHeapSpaceStatistics()) spaces[s.space_name] = s.space_size;
  peak = { memory, spaces, workerHeap };
};
setInterval(sample, 250).unref();
process.once('exit', () => {
  sample();
  writeFileSync(file, JSON.stringify(peak));
});
