/**
 * The node executable's pages in a process, per mapping (ELF segment), from /proc/<pid>/smaps: how much is
 * resident and how much of it the process touched since `clearReferenced` (the kernel's accessed bits). File
 * pages are mapped on first touch and then 64 KiB around it (fault-around), and stay mapped until memory runs
 * short, so what was read once at start-up (the dynamic symbol table, the embedded snapshot, built-in JS
 * sources, ICU data) counts in RSS as long as the process lives. The referenced figure is what the probe
 * keeps using. Accessed bits live in each process's page table, but smaps also counts a page whose shared
 * page-cache entry was marked accessed by any process; other node processes running the same file make
 * it read high, so the measured probe runs a private copy of the executable (`privateNodeCopy`).
 */
import { copyFileSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BinaryMapping {
  /** Which part of the executable, by the mapping's place and permissions in the ELF layout. */
  part: string;
  rss: number;
  referenced: number;
}

/** The segments of a linked executable in load order (ld's default layout, as node's release build has). */
function part(perms: string, readOnlyIndex: number): string {
  if (perms.includes('w')) return 'data (.data, .got)';
  if (perms.includes('x')) return 'code (.text: V8, its compilers, embedded builtins, OpenSSL, ICU, ...)';
  return readOnlyIndex === 0
    ? 'ELF headers and dynamic symbols (.dynsym, .dynstr, .gnu.hash)'
    : 'read-only data (.rodata: ICU data, snapshot, built-in JS sources; .eh_frame)';
}

/** Resident and referenced bytes of each mapping of the process's executable, merged by part. */
export function binaryMappings(pid: number): BinaryMapping[] {
  const exe = readlinkSync(`/proc/${pid}/exe`);
  const parts = new Map<string, BinaryMapping>();
  let current: BinaryMapping | undefined;
  let readOnly = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      current = undefined;
      if (mapping[2] !== exe) continue;
      const perms = mapping[1] ?? '';
      const name = part(perms, readOnly);
      if (!perms.includes('w') && !perms.includes('x')) readOnly++;
      current = parts.get(name) ?? { part: name, rss: 0, referenced: 0 };
      parts.set(name, current);
      continue;
    }
    if (!current) continue;
    const field = /^(Rss|Referenced):\s+(\d+) kB/.exec(line);
    if (field?.[1] === 'Rss') current.rss += Number(field[2]) * 1024;
    if (field?.[1] === 'Referenced') current.referenced += Number(field[2]) * 1024;
  }
  return [...parts.values()];
}

/** Clears the accessed bits of every page of the process (clear_refs 1); RSS stays as it is. */
export function clearReferenced(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '1');
}

/** RssAnon, RssFile (/proc/<pid>/status) and PSS (smaps_rollup) in bytes. */
export function rssKinds(pid: number): { anon: number; file: number; pss: number } {
  const kb = (text: string, key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { anon: kb(status, 'RssAnon'), file: kb(status, 'RssFile'), pss: kb(rollup, 'Pss') };
}

/** Copies the running node executable into `dir` (same bytes, its own page cache) and returns its path. */
export function privateNodeCopy(dir: string): string {
  const copy = join(dir, 'node');
  copyFileSync(process.execPath, copy);
  return copy;
}
