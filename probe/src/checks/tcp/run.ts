import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Check } from '../core/check.ts';
import { openConnection, within } from '../core/connect.ts';
import { echoFromJson, servedBy } from '../core/echo-info.ts';
import { CheckFailure } from '../core/failure.ts';
import { failedOutput, resultBase } from '../core/result.ts';
import { now, Timeline } from '../core/timeline.ts';
import type { TcpSpec } from './spec.ts';

/** Longest echo answer line accepted (nonce + echo JSON); more is a protocol violation. */
const MAX_LINE_BYTES = 4096;

/**
 * Reads one `\n`-terminated line. A clean close before it is `eof`; a reset surfaces as the socket's
 * ECONNRESET error.
 */
function readLine(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) {
        cleanup();
        resolve(buf.subarray(0, nl).toString('utf8').replace(/\r$/, ''));
      } else if (buf.length > MAX_LINE_BYTES) {
        cleanup();
        reject(new CheckFailure('protocol', `echo line longer than ${MAX_LINE_BYTES} bytes`, 'echo'));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new CheckFailure('eof', 'connection closed before the echo came back', 'echo'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(new CheckFailure('eof', 'connection closed before the echo came back', 'echo'));
    };
    socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/**
 * TCP: connect, then one echo round trip on the open socket. Line protocol (see echo/tcp-echo.ts):
 * the probe writes `<nonce>\n`; the answer is `<nonce>\n` from a plain echo server, or
 * `<nonce> <echo JSON>\n` from a flyprobe echo server. latencyMs = write -> answer line read.
 */
export const tcpCheck: Check<TcpSpec> = {
  protocol: 'tcp',
  async run(spec, signal) {
    const timeline = new Timeline({ totalMs: spec.timeoutMs, limits: spec.phaseTimeoutMs, signal });
    const nonce = randomBytes(12).toString('hex');
    let socket: Socket | undefined;
    try {
      socket = await openConnection({ host: spec.host, port: spec.port, resolver: spec.resolver }, timeline);
      timeline.enter('echo');
      const line = readLine(socket);
      const t = now();
      socket.write(`${nonce}\n`);
      const answer = await within(timeline, line);
      timeline.record('echo', t);
      const [echoed, ...rest] = answer.split(' ');
      if (echoed !== nonce)
        throw new CheckFailure('protocol', 'echo answer does not carry the nonce sent', 'echo');
      timeline.finish();
      const echo = rest.length ? echoFromJson(rest.join(' ')) : undefined;
      return {
        ...resultBase(spec, 'tcp', timeline.startedAt),
        latencyMs: timeline.phases.echo,
        phases: { ...timeline.phases },
        outcome: 'ok',
        ...(echo?.edgeRegion ? { edgeRegion: echo.edgeRegion } : {}),
        ...servedBy(echo),
      };
    } catch (err) {
      timeline.finish();
      return failedOutput(spec, 'tcp', timeline, err);
    } finally {
      socket?.destroy();
    }
  },
};
