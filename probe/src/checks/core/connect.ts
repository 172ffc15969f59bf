import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import { resolveHost } from './dns.ts';
import { now, type Timeline } from './timeline.ts';

export interface ConnectTarget {
  host: string;
  port: number;
  resolver?: string;
  tls?: { alpn?: string[]; insecure?: boolean };
}

/** Resolves `promise` unless the timeline aborts first (then rejects with its reason). */
export function within<T>(timeline: Timeline, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, timeline.aborted()]);
}

const ignore = (): void => {};

/**
 * Resolves on `ok` with the time it was emitted (taken in the listener, not after the promise hops that
 * follow), rejects on `error` or an early `close`.
 */
function once(socket: Socket, ok: 'connect' | 'secureConnect'): Promise<number> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(ok, onOk).off('error', onError).off('close', onClose);
    };
    const onOk = (): void => {
      const at = now();
      cleanup();
      resolve(at);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(Object.assign(new Error('connection closed during handshake'), { code: 'ECONNRESET' }));
    };
    socket.on(ok, onOk).on('error', onError).on('close', onClose);
  });
}

/**
 * Opens a fresh connection, timing each step on `timeline`: dns (only when `host` is a name),
 * connect (SYN -> established) and tls (ClientHello -> handshake done). The socket is destroyed on failure.
 */
export async function openConnection(target: ConnectTarget, timeline: Timeline): Promise<Socket | TLSSocket> {
  let address = target.host;
  if (isIP(target.host) === 0) {
    timeline.enter('dns');
    const t = now();
    const resolved = await within(
      timeline,
      resolveHost(target.host, { resolver: target.resolver, signal: timeline.signal }),
    );
    timeline.record('dns', t);
    address = resolved.address;
  }
  timeline.enter('connect');
  const socket = tcpConnect({ host: address, port: target.port, noDelay: true });
  // Node calls connect(2) for an IP address on the next tick and emits 'connectionAttempt' just before it:
  // the clock starts there (SYN sent), not here, so this tick's remaining work is not in the phase.
  let t1 = now();
  socket.once('connectionAttempt', () => {
    t1 = now();
  });
  // Errors are observed by whoever reads the socket; a stray late one must not crash the process.
  socket.on('error', ignore);
  // A failed or timed-out measurement never leaves its connection open.
  timeline.onAbort(() => socket.destroy());
  try {
    const connectedAt = await within(timeline, once(socket, 'connect'));
    timeline.record('connect', t1, connectedAt);
    if (!target.tls) return socket;
    timeline.enter('tls');
    const t2 = now();
    const secure = tlsConnect({
      socket,
      servername: isIP(target.host) === 0 ? target.host : undefined,
      ALPNProtocols: target.tls.alpn,
      rejectUnauthorized: !target.tls.insecure,
    });
    secure.on('error', ignore);
    timeline.onAbort(() => secure.destroy());
    const secureAt = await within(timeline, once(secure, 'secureConnect'));
    timeline.record('tls', t2, secureAt);
    return secure;
  } catch (err) {
    socket.destroy();
    throw err;
  }
}
