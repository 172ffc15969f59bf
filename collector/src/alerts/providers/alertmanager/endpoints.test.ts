import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../redact-url.ts';
import { parseAlertmanagerUrls } from './endpoints.ts';

describe('Alertmanager URL lists', () => {
  it('splits replicas on commas and whitespace and takes basic auth out of the URL', () => {
    expect(
      parseAlertmanagerUrls('http://am-0:9093/, https://ops:p%40ss@am-1:9093\nhttp://am-2:9093'),
    ).toEqual({
      endpoints: [
        { url: 'http://am-0:9093' },
        { url: 'https://am-1:9093', basicAuth: { username: 'ops', password: 'p@ss' } },
        { url: 'http://am-2:9093' },
      ],
    });
  });

  it('names the URL that is wrong', () => {
    expect(parseAlertmanagerUrls('http://ok:9093,ftp://am:21')).toEqual({
      problem: 'URL 2 must be an http or https URL',
    });
    expect(parseAlertmanagerUrls('http://ok:9093 nope')).toEqual({ problem: 'URL 2 is not an absolute URL' });
    expect(parseAlertmanagerUrls(' , ')).toEqual({ problem: 'must list at least one URL' });
    expect(parseAlertmanagerUrls(Array(17).fill('http://a').join(','))).toEqual({
      problem: 'lists 17 URLs, at most 16 are allowed',
    });
  });

  it('redacts every replica for display', () => {
    expect(redactUrl('https://ops:secret@am-1:9093, http://am-2:9093/?token=abc', 'alertmanager')).toBe(
      'https://redacted@am-1:9093/,http://am-2:9093/?token=redacted',
    );
  });
});
