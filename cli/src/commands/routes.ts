import { ROUTED_PATHS, type RouteSummary } from '@flyprobe/shared';
import { requireCollector, unwrapList } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { paint } from '../output/ansi.ts';
import { formatAge, toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';

/** "fra 92%, ams 8%": the shares of a region distribution, largest first. */
function shares(dist: Record<string, number>): string {
  return Object.entries(dist)
    .sort((a, b) => b[1] - a[1])
    .map(([code, share]) => `${code} ${Math.round(share * 100)}%`)
    .join(', ');
}

export const routesCommand: Command = {
  summary:
    'show where each probe region enters Fly (edge) and which region serves it (anycast and flycast routes)',
  help: `Usage: flyprobe routes [--target NAME] [--path P] [--window W] [--json]

Per probe region, target and routed path: the current edge and served region, how long it has been
so, and the share of each edge and served region over the window. On anycast the edge is where BGP
catchment delivered the traffic; on flycast it is the fly-proxy that took the private request. A
served region different from the probe's own region is highlighted.

Options:
  --target NAME     only this target
  --path P          ${ROUTED_PATHS.join(' | ')} (default: both)
  --window W        time window such as 15m, 1h, 7d (default 1h)
  --json            print the collector's answer as JSON
${COLLECTOR_HELP}
  -h, --help        show this help`,
  options: {
    target: { type: 'string' },
    path: { type: 'string' },
    window: { type: 'string' },
    json: { type: 'boolean' },
    ...COLLECTOR_OPTIONS,
  },
  async run(args, io) {
    const body = await requireCollector(collectorFlags(args), io.env).get<unknown>('/v1/routes', {
      target: stringOption(args, 'target'),
      path: stringOption(args, 'path'),
      window: stringOption(args, 'window'),
    });
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(body));
      return 0;
    }
    const routes = unwrapList<RouteSummary>(body, 'routes');
    if (routes.length === 0) {
      io.stdout.write('no anycast or flycast samples in the window\n');
      return 0;
    }
    const rows = routes.map((r) => {
      const served = r.current.served ?? '-';
      return [
        paint(r.probeRegion, 'bold', io.color),
        r.target,
        r.path,
        r.protocol,
        r.current.edge ?? '-',
        served === r.probeRegion ? served : paint(served, 'yellow', io.color),
        r.current.since === null ? '-' : formatAge(r.current.since),
        shares(r.edges),
        shares(r.served),
        r.lastChange === null ? 'never' : `${formatAge(r.lastChange)} ago`,
      ];
    });
    const header = [
      'FROM',
      'TARGET',
      'PATH',
      'PROTO',
      'EDGE',
      'SERVED',
      'FOR',
      'EDGES',
      'SERVED BY',
      'LAST CHANGE',
    ];
    io.stdout.write(`${renderTable(header, rows, { color: io.color })}\n`);
    return 0;
  },
};
