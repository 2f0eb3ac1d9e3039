import { describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { HADIR_VERSION } from './version';

describe('HADIR_VERSION', () => {
  it('matches the version in package.json', () => {
    expect(HADIR_VERSION).toBe(pkg.version);
  });
});
