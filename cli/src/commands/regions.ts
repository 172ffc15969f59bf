import { allRegions, collectorApi, type RegionListing, type RegionStatus } from '@flyprobe/shared';
import { CollectorClient, collectorTarget } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption } from '../command.ts';
import { errorMessage } from '../errors.ts';
import { paint, type Style } from '../output/ansi.ts';
import { toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';

/** One catalog region with where the collector says probes and targets run (null: not known). */
interface RegionRow {
  code: string;
  name: string;
  status: RegionStatus;
  replacement: string | null;
  gateway: boolean;
  probes: string[] | null;
  targets: string[] | null;
}

const STATUS_STYLE: Record<RegionStatus, Style> = {
  current: 'green',
  deprecated: 'yellow',
  edge_only: 'cyan',
  unknown: 'gray',
};

export const regionsCommand: Command = {
  summary: 'list Fly regions: status, deprecated codes and replacements, where probes and targets run',
  help: `Usage: flyprobe regions [--collector URL] [--token T] [--json]

Prints the region catalog: current regions (Machines can run there), deprecated codes with the
region that replaces them, and edge-only locations. With a reachable collector it adds the probes and
targets in each region (and codes in use that the catalog does not know).

Options:
${COLLECTOR_HELP}
  --json            print the rows as JSON
  -h, --help        show this help`,
  options: { ...COLLECTOR_OPTIONS, json: { type: 'boolean' } },
  async run(args, io) {
    const rows: RegionRow[] = allRegions().map((r) => ({
      code: r.code,
      name: r.name,
      status: r.status,
      replacement: r.replacement ?? null,
      gateway: r.gateway,
      probes: null,
      targets: null,
    }));
    let note = 'probes/targets: no collector configured (--collector or FLYPROBE_COLLECTOR_URL)';
    const target = collectorTarget(collectorFlags(args), io.env);
    if (target) {
      try {
        const body = await new CollectorClient(target).call(collectorApi.regions);
        mergeCollector(rows, body.regions ?? []);
        note = '';
      } catch (err) {
        note = `probes/targets unknown: ${errorMessage(err)}`;
        io.stderr.write(`flyprobe regions: ${note}\n`);
      }
    }
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson({ regions: rows }));
      return 0;
    }
    const list = (v: string[] | null): string => (v === null ? '-' : v.length === 0 ? '' : v.join(','));
    const table = rows.map((r) => [
      paint(r.code, 'bold', io.color),
      r.name,
      paint(r.status, STATUS_STYLE[r.status], io.color),
      r.replacement ? `use ${r.replacement}` : '',
      r.gateway ? 'yes' : '',
      list(r.probes),
      list(r.targets),
    ]);
    io.stdout.write(
      `${renderTable(['CODE', 'NAME', 'STATUS', 'REPLACED BY', 'GATEWAY', 'PROBES', 'TARGETS'], table, { color: io.color })}\n`,
    );
    if (note) io.stdout.write(`${paint(note, 'dim', io.color)}\n`);
    return 0;
  },
};

function mergeCollector(rows: RegionRow[], regions: RegionListing[]): void {
  for (const row of rows) {
    row.probes = [];
    row.targets = [];
  }
  for (const r of regions) {
    let row = rows.find((x) => x.code === r.code);
    if (!row) {
      row = {
        code: r.code,
        name: r.name,
        status: r.status,
        replacement: r.replacement ?? null,
        gateway: r.gateway,
        probes: [],
        targets: [],
      };
      rows.push(row);
    }
    row.probes = [...r.probes];
    row.targets = [...r.targets];
  }
}
