import type { ProbeListing } from '@flyprobe/shared';
import { requireCollector, unwrapList } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption } from '../command.ts';
import { paint } from '../output/ansi.ts';
import { formatAge, toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';

export const probesCommand: Command = {
  summary: 'list probes known to the collector with their last heartbeat',
  help: `Usage: flyprobe probes [--collector URL] [--token T] [--json]

Lists every probe that reported to the collector: region, Machine, version, when it was last seen,
whether it is online and whether it reports itself degraded.

Options:
${COLLECTOR_HELP}
  --json            print the collector's answer as JSON
  -h, --help        show this help`,
  options: { ...COLLECTOR_OPTIONS, json: { type: 'boolean' } },
  async run(args, io) {
    const body = await requireCollector(collectorFlags(args), io.env).get<unknown>('/v1/probes');
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(body));
      return 0;
    }
    const probes = unwrapList<ProbeListing>(body, 'probes');
    if (probes.length === 0) {
      io.stdout.write('no probes have reported yet\n');
      return 0;
    }
    const rows = probes.map((p) => [
      p.probeId,
      p.region,
      p.machineId,
      p.version,
      `${formatAge(p.lastSeen)} ago`,
      p.online === undefined
        ? ''
        : p.online
          ? paint('online', 'green', io.color)
          : paint('offline', 'red', io.color),
      p.degraded ? paint(`degraded: ${p.degradedReason ?? '?'}`, 'yellow', io.color) : '',
      p.echoAddress ?? '',
    ]);
    const header = ['PROBE', 'REGION', 'MACHINE', 'VERSION', 'LAST SEEN', 'STATUS', 'HEALTH', 'ECHO'];
    io.stdout.write(`${renderTable(header, rows, { color: io.color })}\n`);
    return 0;
  },
};
