import { collectorApi, type TargetsResponse } from '@flyprobe/shared';
import { CollectorClient, requireCollector } from '../collector-api/client.ts';
import { adminTarget, COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { toJson } from '../output/formats.ts';
import { renderTable } from '../output/table.ts';
import { readTargetsFile } from '../targets/targets-file.ts';

const SUBCOMMANDS = ['list', 'validate', 'apply'];

export const targetsCommand: Command = {
  summary: 'list, validate or apply the targets probes measure (targets list|validate FILE|apply FILE)',
  help: `Usage: flyprobe targets list [--json]
       flyprobe targets validate FILE
       flyprobe targets apply FILE [--dry-run]

list      prints the collector's target list and revision (GET /v1/targets, read token).
validate  checks FILE without contacting the collector: every field, with the collector's own rules;
          each problem is one line naming the field ([0].http.port: ...). Exit 1 when invalid.
apply     validates FILE, then replaces the collector's whole target list with it
          (PUT /v1/targets, admin token) and prints the new revision; probes pick it up on their next
          config poll. --dry-run validates only.

FILE is TOML ([[targets]] tables) or JSON (an array, or {"targets": [...]} as "targets list --json"
prints it). Every field is described in docs/TARGETS.md.

Options:
  --json            list: print the collector's answer as JSON
  --dry-run         apply: validate and change nothing
  --collector URL   collector base URL (FLYPROBE_COLLECTOR_URL)
  --token T         read token for list; admin token for apply (FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN)
  -h, --help        show this help`,
  positionals: true,
  options: { json: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, ...COLLECTOR_OPTIONS },
  async run(args, io) {
    const [sub, file, ...extra] = args.positionals;
    if (sub === undefined || !SUBCOMMANDS.includes(sub))
      throw new UsageError(
        sub === undefined
          ? 'missing sub-command: targets list|validate|apply'
          : `unknown sub-command "${sub}"`,
      );
    if (sub === 'list') {
      if (file !== undefined) throw new UsageError('targets list takes no file');
      const answer = await requireCollector(collectorFlags(args), io.env).call(collectorApi.getTargets);
      if (flagOption(args, 'json')) io.stdout.write(toJson(answer));
      else io.stdout.write(`${renderTargets(answer, io.color)}\n`);
      return 0;
    }
    if (file === undefined || extra.length > 0) throw new UsageError(`targets ${sub} takes one FILE`);
    const parsed = await readTargetsFile(file);
    if (!parsed.ok) {
      for (const e of parsed.errors)
        io.stderr.write(`${file}: ${e.field ? `${e.field}: ` : ''}${e.message}\n`);
      return 1;
    }
    const names = parsed.targets.map((t) => t.name).join(', ');
    if (sub === 'validate' || flagOption(args, 'dry-run')) {
      io.stdout.write(`${file}: ${parsed.targets.length} target(s) valid (${names || 'none'})\n`);
      return 0;
    }
    const target = adminTarget(args, io.env);
    if (!target) throw new CliError('no collector: pass --collector URL or set FLYPROBE_COLLECTOR_URL', 2);
    const applied = await new CollectorClient(target).call(collectorApi.putTargets, {
      body: parsed.targets,
    });
    io.stdout.write(
      `applied ${applied.targets.length} target(s) (${names || 'none'}); revision ${applied.revision}\n`,
    );
    return 0;
  },
};

function renderTargets(answer: TargetsResponse, color: boolean): string {
  if (answer.targets.length === 0) return `no targets (revision ${answer.revision})`;
  const rows = answer.targets.map((t) => [
    t.name,
    t.host ?? '-',
    t.app ?? '-',
    t.regions.length > 0 ? t.regions.join(',') : t.app ? '(discovered)' : '-',
    t.paths.join(','),
    t.protocols.join(','),
    `${t.intervalMs / 1000}s`,
  ]);
  const table = renderTable(['NAME', 'HOST', 'APP', 'REGIONS', 'PATHS', 'PROTOCOLS', 'EVERY'], rows, {
    color,
  });
  return `${table}\nrevision ${answer.revision}`;
}
