import { describe, expect, it } from 'vitest';
import { parseHubJoinLink } from './hub-join-link';

describe('the hub console’s pairing link', () => {
  it('gives the address, the code and the fingerprint', () => {
    const fp = 'AB:CD:' + '01:'.repeat(29) + 'EF';
    const link = `hadir://join?${new URLSearchParams({ hub: 'https://hub.example:5020', code: 'ABCDE-FGHJK', fingerprint: fp })}`;
    expect(parseHubJoinLink(`  ${link}\n`)).toEqual({
      hubUrl: 'https://hub.example:5020',
      code: 'ABCDE-FGHJK',
      fingerprint: fp,
    });
  });

  it('takes a link without a fingerprint, and refuses what is not a pairing link', () => {
    expect(parseHubJoinLink('hadir://join?hub=http%3A%2F%2F10.0.0.5%3A5020&code=ABCDE-FGHJK')).toEqual({
      hubUrl: 'http://10.0.0.5:5020',
      code: 'ABCDE-FGHJK',
      fingerprint: null,
    });
    expect(parseHubJoinLink('https://hub.example:5020')).toBeNull();
    expect(parseHubJoinLink('hadir://join?hub=ftp%3A%2F%2Fx&code=A')).toBeNull();
    expect(parseHubJoinLink('hadir://join?hub=https%3A%2F%2Fx')).toBeNull();
  });
});
