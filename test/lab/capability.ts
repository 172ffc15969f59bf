import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';

export type LabCapability = { ok: true } | { ok: false; reason: string };

/** Whether this process can build a namespace lab; the reason says what is missing. */
export function labCapability(): LabCapability {
  if (process.platform !== 'linux')
    return { ok: false, reason: `the network lab needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0)
    return { ok: false, reason: 'the network lab needs root (network namespaces, TUN devices, nftables)' };
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return { ok: false, reason: '/dev/net/tun is missing or not read-writable' };
  }
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['nft', ['--version']],
    [pythonCommand(), ['--version']],
    ['flock', ['--version']],
    ['chrt', ['--version']],
  ] as const) {
    try {
      execFileSync(cmd, [...args], { stdio: 'ignore', timeout: 30_000 });
    } catch {
      return { ok: false, reason: `"${cmd}" is not installed or not on PATH` };
    }
  }
  return { ok: true };
}

/** The system python3 when present: version-manager shims on PATH are slow to start on a busy machine. */
export function pythonCommand(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}
