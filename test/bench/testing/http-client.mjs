/**
 * The benchmark's HTTP client, on a worker thread of its own: a user's GET is sent and its answer decompressed
 * and parsed by another process, not by the collector's event loop, so here it runs beside that loop rather
 * than taking turns with it. Each message `{ url, headers, cells }` is answered with `{ wall, status, count,
 * cells? }`: the time from sending the request to the parsed JSON, measured on this thread; the cells only when
 * asked for (the benchmark compares the last answer), so nothing large crosses back per request. Plain
 * JavaScript: a worker started from a .ts entry would need the loader in its own isolate.
 *
 * node:http on a keep-alive agent, as lean as curl: Node's fetch (undici's web streams, a decompression stream)
 * cost this thread ~2-3 ms a request, which is the client's cost, not the collector's answer.
 */
import { Agent, get } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';

if (!parentPort) throw new Error('http-client.mjs: must run as a worker thread');
const port = parentPort;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** The answer's status and body bytes, decompressed as its Content-Encoding says. */
function fetchBytes(url, headers) {
  return new Promise((resolve, reject) => {
    get(url, { headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode, text: body.toString('utf8') });
      });
    }).on('error', reject);
  });
}

port.on('message', async ({ url, headers, cells }) => {
  try {
    const start = performance.now();
    const { status, text } = await fetchBytes(url, headers);
    const body = status === 200 ? JSON.parse(text) : text;
    const wall = performance.now() - start;
    if (status !== 200) {
      port.postMessage({ error: `GET ${new URL(url).pathname}: ${status} ${body}` });
      return;
    }
    port.postMessage({ wall, count: body.cells.length, cells: cells ? body.cells : undefined });
  } catch (e) {
    port.postMessage({ error: String(e) });
  }
});
