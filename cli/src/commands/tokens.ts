import { collectorApi, ROLES, type Role, type TokenRequest } from '@flyprobe/shared';
import { CollectorClient } from '../collector-api/client.ts';
import { adminTarget, COLLECTOR_OPTIONS } from '../collector-api/options.ts';
import { type Command, flagOption, stringOption } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output/formats.ts';
import { sanitize } from '../output/sanitize.ts';

const EXPIRY_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--expires`: a lifetime (`90m`, `12h`, `30d`) becomes epoch ms; a date-time goes to the collector to check. */
function expiresAt(text: string, now: number): number | string {
  const m = /^(\d{1,6})([mhd])$/.exec(text);
  return m?.[1] && m[2] ? now + Number(m[1]) * (EXPIRY_UNITS[m[2]] ?? 0) : text;
}

export const tokensCommand: Command = {
  summary: 'create collector tokens (admin): tokens create --role probe|read|admin',
  help: `Usage: flyprobe tokens create --role probe|read|admin [--probe-id ID --app APP --region R]
                              [--expires 30d|RFC3339] [--name NAME] [--json]

Creates a collector token and prints its secret once (only a hash is stored). A probe token is bound
to one probe: it may only send results as that probe id, app and region (flyprobe deploy mints one per
Machine). Unbound probe tokens exist only when the collector runs with FLYPROBE_ALLOW_UNBOUND_PROBES=1
(local and lab runs). Needs an admin token: --token, FLYPROBE_TOKEN or FLYPROBE_ADMIN_TOKEN.

Options:
  --role R          probe, read or admin (required)
  --probe-id ID     the probe id a probe token speaks for (with --app and --region)
  --app APP         the Fly app the probe runs in
  --region R        the region the probe runs in
  --expires E       refuse the token after a lifetime (90m, 12h, 30d) or at an RFC 3339 time
  --name NAME       a label for the token
  --json            print the token as JSON: {id, secret, role, probeId, app, region, name,
                    expiresAt, createdAt}; "secret" is the token to hand over
  --collector URL   collector base URL (FLYPROBE_COLLECTOR_URL)
  --token T         admin token (FLYPROBE_TOKEN, else FLYPROBE_ADMIN_TOKEN)
  -h, --help        show this help`,
  positionals: true,
  options: {
    role: { type: 'string' },
    'probe-id': { type: 'string' },
    app: { type: 'string' },
    region: { type: 'string' },
    expires: { type: 'string' },
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
    if (!role || !(ROLES as readonly string[]).includes(role))
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const binding = {
      probeId: stringOption(args, 'probe-id'),
      app: stringOption(args, 'app'),
      region: stringOption(args, 'region'),
    };
    const given = Object.values(binding).filter((v) => v !== undefined).length;
    if (given > 0 && role !== 'probe')
      throw new UsageError('--probe-id, --app and --region only apply to --role probe');
    if (given > 0 && given < 3) throw new UsageError('--probe-id, --app and --region go together');
    const target = adminTarget(args, io.env);
    if (!target) throw new UsageError('no collector: pass --collector URL or set FLYPROBE_COLLECTOR_URL');
    const body: TokenRequest = { role: role as Role, ...binding };
    const name = stringOption(args, 'name');
    if (name) body.name = name;
    const expires = stringOption(args, 'expires');
    if (expires) body.expiresAt = expiresAt(expires, Date.now());
    const created = await new CollectorClient(target).call(collectorApi.createToken, { body });
    if (flagOption(args, 'json')) {
      io.stdout.write(toJson(created));
      return 0;
    }
    const bound = created.probeId ? ` for probe ${created.probeId} (${created.app}, ${created.region})` : '';
    const until = created.expiresAt ? `, expires ${new Date(created.expiresAt).toISOString()}` : '';
    io.stderr.write(
      sanitize(
        `created ${created.role} token ${created.id}${bound}${until}; the secret is shown only once:\n`,
      ),
    );
    io.stdout.write(`${sanitize(created.secret)}\n`);
    return 0;
  },
};
