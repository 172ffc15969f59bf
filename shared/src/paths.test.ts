import { describe, expect, it } from 'vitest';
import { isRoutedPath, ROUTED_PATHS } from './paths.ts';
import { formatFieldErrors, PATHS, parseWith, targetConfig } from './schema/index.ts';

describe('network paths', () => {
  it('has flycast on the wire between private and mesh, routed by fly-proxy like anycast', () => {
    expect(PATHS).toEqual(['anycast', 'pinned', 'private', 'flycast', 'mesh']);
    expect(ROUTED_PATHS).toEqual(['anycast', 'flycast']);
    expect(PATHS.filter(isRoutedPath)).toEqual(['anycast', 'flycast']);
  });

  it('makes flycast opt-in per target and requires app or flycastHost for it', () => {
    const plain = parseWith(targetConfig, { name: 'web', app: 'web-app', host: 'web.fly.dev' });
    expect(plain.ok && plain.value.paths).toEqual(['anycast', 'pinned', 'private']);
    expect(parseWith(targetConfig, { name: 'web', app: 'web-app', paths: ['flycast'] }).ok).toBe(true);
    expect(parseWith(targetConfig, { name: 'db', flycastHost: 'db.flycast', paths: ['flycast'] }).ok).toBe(
      true,
    );
    const missing = parseWith(targetConfig, {
      name: 'db',
      host: 'db.fly.dev',
      paths: ['anycast', 'flycast'],
    });
    expect(missing.ok ? '' : formatFieldErrors(missing.errors)).toBe(
      'flycastHost: required for the flycast path when app is not set (the default is <app>.flycast)',
    );
    const empty = parseWith(targetConfig, { name: 'db', app: 'db', flycastHost: '', paths: ['flycast'] });
    expect(empty.ok ? '' : formatFieldErrors(empty.errors)).toMatch(/^flycastHost: /);
  });
});
