/**
 * The benchmark's HTTP client, on a worker thread of its own: a user's GET is sent and its answer decompressed
 * and parsed by another process, not by the collector's event loop, so here it runs beside that loop rather
 * than taking turns with it. Each message `{ url, headers, cells }` is answered with `{ wall, status, count,
 * cells? }`: the time from sending the request to the parsed JSON, measured on this thread; the cells only when
 * asked for (the benchmark compares the last answer), so nothing large crosses back per request. Plain
 * JavaScript: a worker started from a .ts entry would need the loader in its own isolate.
 */
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('http-client.mjs: must run as a worker thread');
const port = parentPort;
port.on('message', async ({ url, headers, cells }) => {
  try {
    const start = performance.now();
    const res = await fetch(url, { headers });
    const body = res.status === 200 ? await res.json() : await res.text();
    const wall = performance.now() - start;
    if (res.status !== 200) {
      port.postMessage({ error: `GET ${new URL(url).pathname}: ${res.status} ${body}` });
      return;
    }
    port.postMessage({ wall, count: body.cells.length, cells: cells ? body.cells : undefined });
  } catch (e) {
    port.postMessage({ error: String(e) });
  }
});
