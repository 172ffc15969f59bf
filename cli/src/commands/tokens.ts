import { CollectorClient, collectorTarget } from '../collector-api/client.ts';
import { COLLECTOR_OPTIONS, collectorFlags } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output/formats.ts';

const ROLES = ['probe', 'read', 'admin'];

interface CreatedToken {
  token: string;
  record: { id: string; role: string; probeId: string | null; name: string | null; createdAt: number };
}

export const tokensCommand: Command = {
  summary: 'create collector tokens (admin): tokens create --role probe|read|admin',
  help: `Usage: flyprobe tokens create --role probe|read|admin [--probe-id ID] [--name NAME] [--json]

Creates a collector token and prints its secret once (only a hash is stored). A probe token may be
bound to one probe id. Needs an admin token: --token, FLYPROBE_TOKEN or FLYPROBE_ADMIN_TOKEN.

Give a probe token to the probe app with: fly secrets set -a <probe app> FLYPROBE_TOKEN=<secret>

Options:
  --role R          probe, read or admin (required)
  --probe-id ID     bind a probe token to this probe id
  --name NAME       a label for the token
  --json            print the secret and the token record as JSON
  --collector URL   collector base URL (FLYPROBE_COLLECTOR_URL)
  --token T         admin token (FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN)
  -h, --help        show this help`,
  positionals: true,
  options: {
    role: { type: 'string' },
    'probe-id': { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    ...COLLECTOR_OPTIONS,
  },
  async run(args, io) {
    const [sub, ...extra] = args.positionals;
    if (sub !== 'create' || extra.length > 0) {
      throw new UsageError(
        sub === undefined
          ? 'missing sub-command: tokens create'
          : `unknown sub-command "${args.positionals.join(' ')}"`,
      );
    }
    const role = stringOption(args, 'role');
    if (!role || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const probeId = stringOption(args, 'probe-id');
    if (probeId !== undefined && role !== 'probe')
      throw new UsageError('--probe-id only applies to --role probe');
    const flags = collectorFlags(args);
    const target = collectorTarget(
      { ...flags, token: flags.token ?? io.env.FLYPROBE_TOKEN ?? io.env.FLYPROBE_ADMIN_TOKEN },
      io.env,
    );
    if (!target) throw new UsageError('no collector: pass --collector URL or set FLYPROBE_COLLECTOR_URL');
    const body: Record<string, string> = { role };
    if (probeId) body.probeId = probeId;
    const name = stringOption(args, 'name');
    if (name) body.name = name;
    const created = await new CollectorClient(target).post<CreatedToken>('/v1/tokens', body);
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(created));
      return 0;
    }
    const bound = created.record.probeId ? ` for probe ${created.record.probeId}` : '';
    io.stderr.write(
      `created ${created.record.role} token ${created.record.id}${bound}; the secret is shown only once:\n`,
    );
    io.stdout.write(`${created.token}\n`);
    return 0;
  },
};
