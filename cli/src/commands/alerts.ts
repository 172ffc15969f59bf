import { requireCollector, unwrapList } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { paint, type Style } from '../output/ansi.ts';
import { formatAge, toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';

/** The alert fields the table shows; the collector may send more (evidence), kept in --json. */
interface AlertRow {
  id?: string | number;
  rule?: string;
  state?: string;
  severity?: string;
  labels?: Record<string, string>;
  summary?: string;
  startsAt?: number;
  firedAt?: number;
  openedAt?: number;
  resolvedAt?: number | null;
}

const SEVERITY_STYLE: Record<string, Style> = { critical: 'red', warning: 'yellow', info: 'cyan' };
const STATES = ['firing', 'resolved'];

export const alertsCommand: Command = {
  summary: 'list alerts (misrouting, asymmetry, resets, flapping, latency, restarts)',
  help: `Usage: flyprobe alerts [--state firing|resolved] [--json]

Options:
  --state S         only alerts in this state
  --json            print the collector's answer as JSON
${COLLECTOR_HELP}
  -h, --help        show this help`,
  options: { state: { type: 'string' }, json: { type: 'boolean' }, ...COLLECTOR_OPTIONS },
  async run(args, io) {
    const state = stringOption(args, 'state');
    if (state !== undefined && !STATES.includes(state))
      throw new UsageError(`--state must be one of ${STATES.join(', ')}`);
    const body = await requireCollector(collectorFlags(args), io.env).get<unknown>('/v1/alerts', { state });
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(body));
      return 0;
    }
    const alerts = unwrapList<AlertRow>(body, 'alerts');
    if (alerts.length === 0) {
      io.stdout.write(state ? `no ${state} alerts\n` : 'no alerts\n');
      return 0;
    }
    const rows = alerts.map((a) => {
      const since = a.startsAt ?? a.firedAt ?? a.openedAt;
      return [
        String(a.id ?? ''),
        a.state === 'firing' ? paint('firing', 'red', io.color) : (a.state ?? ''),
        paint(a.severity ?? '', SEVERITY_STYLE[a.severity ?? ''], io.color),
        a.rule ?? '',
        Object.entries(a.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        since === undefined ? '' : `${formatAge(since)} ago`,
        a.summary ?? '',
      ];
    });
    const header = ['ID', 'STATE', 'SEVERITY', 'RULE', 'LABELS', 'SINCE', 'SUMMARY'];
    io.stdout.write(`${renderTable(header, rows, { color: io.color })}\n`);
    return 0;
  },
};
