import { collectorApi, MATRIX_METRICS, PATHS, PROTOCOLS } from '@flyprobe/shared';
import { requireCollector } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toCsv, toJson } from '../output/formats.ts';
import { renderMatrix } from '../output/matrix-table.ts';

function oneOf(
  args: Parameters<Command['run']>[0],
  name: string,
  allowed: readonly string[],
): string | undefined {
  const v = stringOption(args, name);
  if (v !== undefined && !allowed.includes(v))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return v;
}

export const matrixCommand: Command = {
  summary: 'print the region x region latency matrix for a target (coloured table, --csv, --json)',
  help: `Usage: flyprobe matrix --target NAME [--path P] [--protocol P] [--metric M] [--window W] [--csv|--json]

Rows are probe regions, columns the regions that served (anycast, flycast), were forced (pinned),
reached privately or peered (mesh). Latency cells are coloured by inflation over the fibre floor.

Options:
  --target NAME     target name (required)
  --path P          ${PATHS.join(' | ')} (default anycast)
  --protocol P      ${PROTOCOLS.join(' | ')} (default http)
  --metric M        ${MATRIX_METRICS.join(' | ')} (default p50)
  --window W        time window such as 15m, 1h, 7d (default 15m)
  --samples         show the sample count in each cell
  --csv             one line per cell: from,to,value,samples,floor_ms,inflation
  --json            the collector's MatrixResponse
${COLLECTOR_HELP}
  -h, --help        show this help`,
  options: {
    target: { type: 'string' },
    path: { type: 'string' },
    protocol: { type: 'string' },
    metric: { type: 'string' },
    window: { type: 'string' },
    samples: { type: 'boolean' },
    csv: { type: 'boolean' },
    json: { type: 'boolean' },
    ...COLLECTOR_OPTIONS,
  },
  async run(args, io) {
    const target = stringOption(args, 'target');
    if (!target) throw new UsageError('--target is required');
    if (flagOption(args, 'csv') && flagOption(args, 'json'))
      throw new UsageError('choose one of --csv and --json');
    const query = {
      target,
      path: oneOf(args, 'path', PATHS),
      protocol: oneOf(args, 'protocol', PROTOCOLS),
      metric: oneOf(args, 'metric', MATRIX_METRICS),
      window: stringOption(args, 'window'),
    };
    const m = await requireCollector(collectorFlags(args), io.env).call(collectorApi.matrix, { query });
    if (flagOption(args, 'json')) io.stdout.write(toJson(m));
    else if (flagOption(args, 'csv')) {
      io.stdout.write(
        toCsv(
          ['from', 'to', 'value', 'samples', 'floor_ms', 'inflation'],
          m.cells.map((c) => [c.from, c.to, c.value, c.samples, c.floorMs, c.inflation]),
        ),
      );
    } else io.stdout.write(`${renderMatrix(m, { color: io.color, samples: flagOption(args, 'samples') })}\n`);
    return 0;
  },
};
