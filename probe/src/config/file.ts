import { readFileSync } from 'node:fs';
import { formatFieldErrors, parseWith, probeConfig, targetConfig } from '@flyprobe/shared';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { SettingsError } from './errors.ts';

const port = z.number().int({ message: 'must be an integer 0-65535' }).min(0).max(65535);
const positiveInt = z.number().int({ message: 'must be a positive integer' }).positive();

/** The optional TOML file (`FLYPROBE_CONFIG`). Keys are camelCase like the wire schema's. */
export const probeFileSchema = z.strictObject({
  probe: z
    .strictObject({
      id: z.string().optional(),
      region: z.string().optional(),
      machineId: z.string().optional(),
      app: z.string().optional(),
    })
    .optional(),
  collector: z.strictObject({ url: z.string().optional(), token: z.string().optional() }).optional(),
  bind: z.string().min(1).optional(),
  resolver: z.string().min(1).optional(),
  spoolDir: z.string().min(1).optional(),
  echo: z
    .strictObject({
      enabled: z.boolean().optional(),
      httpPort: port.optional(),
      tcpPort: port.optional(),
      grpcPort: port.optional(),
      address: z.string().min(1).optional(),
    })
    .optional(),
  metrics: z.strictObject({ port: port.optional() }).optional(),
  scheduler: z.strictObject({ concurrency: positiveInt.max(10_000).optional() }).optional(),
  report: z
    .strictObject({
      intervalMs: z.number().optional(),
      maxBatch: z.number().optional(),
      maxBufferResults: positiveInt.optional(),
      maxBufferBytes: positiveInt.optional(),
      shutdownTimeoutMs: positiveInt.optional(),
    })
    .optional(),
  health: z
    .strictObject({
      degradedLagMs: z.number().positive().optional(),
      windowMs: positiveInt.min(100).optional(),
    })
    .optional(),
  targets: z.array(targetConfig).optional(),
  // Unwrapped from its prefault: an absent section stays absent (a collector refuses a local one).
  mesh: probeConfig.shape.mesh.unwrap().optional(),
  configPollMs: z.number().optional(),
});
export type ProbeFile = z.infer<typeof probeFileSchema>;

/** Reads and validates the TOML file; every error names the file and the field. */
export function readProbeFile(file: string): ProbeFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingsError('FLYPROBE_CONFIG', `cannot read ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseToml(text);
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    throw new SettingsError(file, `invalid TOML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = parseWith(probeFileSchema, doc);
  if (!parsed.ok) throw new SettingsError(file, formatFieldErrors(parsed.errors));
  return parsed.value;
}
