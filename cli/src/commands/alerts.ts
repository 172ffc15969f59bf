import { ALERT_STATES, type AlertState, alertsRoutes } from '@flyprobe/shared';
import { requireCollector } from '../collector-api/client.ts';
import { COLLECTOR_HELP, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { paint, type Style } from '../output/ansi.ts';
import { causesCell } from '../output/causes.ts';
import { formatAge, toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';

const SEVERITY_STYLE: Record<string, Style> = { critical: 'red', warning: 'yellow', info: 'cyan' };
const STATE_STYLE: Record<AlertState, Style> = { firing: 'red', pending: 'yellow', resolved: 'green' };
/** Labels every alert carries as columns already. */
const SHOWN_ELSEWHERE = new Set(['rule', 'severity']);

export const alertsCommand: Command = {
  summary: 'list alerts (misrouting, asymmetry, resets, loss, flapping, latency, restarts)',
  help: `Usage: flyprobe alerts [--state ${ALERT_STATES.join('|')}] [--rule R] [--region R] [--json]

CAUSES lists what the collector's cause sources know about each alert's region and window (Machine
exits and OOM kills, Fly status incidents, CPU and memory pressure); --json has their full text.

Options:
  --state S         only alerts in this state
  --rule R          only this rule (misroute, asymmetry, resets, loss, flapping, latency, restart,
                    probe_degraded)
  --region R        only alerts about this region
  --json            print the collector's answer as JSON
${COLLECTOR_HELP}
  -h, --help        show this help`,
  options: {
    state: { type: 'string' },
    rule: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'boolean' },
    ...COLLECTOR_OPTIONS,
  },
  async run(args, io) {
    const state = stringOption(args, 'state');
    if (state !== undefined && !(ALERT_STATES as readonly string[]).includes(state)) {
      throw new UsageError(`--state must be one of ${ALERT_STATES.join(', ')}`);
    }
    const body = await requireCollector(collectorFlags(args), io.env).call(alertsRoutes().listAlerts, {
      query: { state, rule: stringOption(args, 'rule'), region: stringOption(args, 'region') },
    });
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(body));
      return 0;
    }
    if (body.alerts.length === 0) {
      io.stdout.write(state ? `no ${state} alerts\n` : 'no alerts\n');
      return 0;
    }
    const rows = body.alerts.map((a) => [
      a.id,
      paint(a.state, STATE_STYLE[a.state], io.color),
      paint(a.severity, SEVERITY_STYLE[a.severity], io.color),
      a.rule,
      Object.entries(a.labels)
        .filter(([k]) => !SHOWN_ELSEWHERE.has(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
      `${formatAge(a.firedAt ?? a.startsAt)} ago`,
      a.acknowledgedAt === null ? '' : `acked by ${a.acknowledgedBy ?? '?'}`,
      a.summary,
      causesCell(a.causes),
    ]);
    const header = ['ID', 'STATE', 'SEVERITY', 'RULE', 'LABELS', 'SINCE', 'ACK', 'SUMMARY', 'CAUSES'];
    io.stdout.write(`${renderTable(header, rows, { color: io.color })}\n`);
    return 0;
  },
};
