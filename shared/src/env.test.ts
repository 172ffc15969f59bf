import { describe, expect, expectTypeOf, it } from 'vitest';
import { EnvError, type EnvSpec, type EnvValues, envNames, envTable, readEnv } from './env.ts';
import { boolean, intRange, text } from './env-parsers.ts';

const SPEC = {
  port: { name: 'X_PORT', parse: intRange(1, 65535), default: 8080, doc: 'listen port' },
  region: {
    name: ['X_REGION', 'FLY_REGION'],
    parse: text,
    default: undefined as string | undefined,
    doc: 'region',
  },
  verbose: { name: 'X_VERBOSE', parse: boolean, default: false, doc: 'chatty' },
  mesh: { name: 'X_MESH', parse: boolean, default: true, doc: 'mesh on' },
} satisfies EnvSpec;

describe('readEnv', () => {
  it('parses set variables, takes defaults for unset or blank ones, and reads aliases in order', () => {
    expect(readEnv({ X_PORT: ' 9000 ', X_VERBOSE: 'YES', X_MESH: '   ', FLY_REGION: 'fra' }, SPEC)).toEqual({
      port: 9000,
      region: 'fra',
      verbose: true,
      mesh: true,
    });
    expect(readEnv({ X_REGION: 'iad', FLY_REGION: 'fra' }, SPEC).region).toBe('iad');
  });

  it('types each value from its parser and default (checked by pnpm typecheck)', () => {
    expectTypeOf<EnvValues<typeof SPEC>>().toEqualTypeOf<{
      port: number;
      region: string | undefined;
      verbose: boolean;
      mesh: boolean;
    }>();
  });

  it('reports every bad variable at once, each named with its reason, in declaration order', () => {
    let error: unknown;
    try {
      readEnv({ X_MESH: 'maybe', X_PORT: '70000', X_VERBOSE: 'loud', FLY_REGION: 'fra' }, SPEC);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvError);
    const e = error as EnvError;
    expect(e.problems).toEqual([
      { name: 'X_PORT', reason: 'must be an integer 1-65535' },
      { name: 'X_VERBOSE', reason: 'must be true or false' },
      { name: 'X_MESH', reason: 'must be true or false' },
    ]);
    expect(e.message).toBe(
      'X_PORT: must be an integer 1-65535; X_VERBOSE: must be true or false; X_MESH: must be true or false',
    );
  });

  it('names the alias that was actually set', () => {
    const strict = {
      region: { name: ['X_REGION', 'FLY_REGION'], parse: intRange(1, 2), default: 0, doc: '' },
    };
    expect(() => readEnv({ FLY_REGION: 'fra' }, strict)).toThrow(/^FLY_REGION: must be an integer 1-2$/);
  });

  it('lists the names a spec reads, aliases included', () => {
    expect(envNames(SPEC)).toEqual(['X_PORT', 'X_REGION', 'FLY_REGION', 'X_VERBOSE', 'X_MESH']);
  });

  it('renders a spec as a Markdown table, aliases and defaults included', () => {
    expect(envTable(SPEC)).toBe(
      [
        '| variable | default | meaning |',
        '|---|---|---|',
        '| `X_PORT` | `8080` | listen port |',
        '| `X_REGION`, `FLY_REGION` |  | region |',
        '| `X_VERBOSE` | `false` | chatty |',
        '| `X_MESH` | `true` | mesh on |',
      ].join('\n'),
    );
  });
});
