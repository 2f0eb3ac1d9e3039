import { describe, expect, it } from 'vitest';
import { requestKey } from './auth';
import {
  allowedHostNames,
  configFromEnv,
  DEFAULT_RATE_LIMIT,
  defaultServerConfig,
  formatAddress,
  hostHeaderName,
  isLoopbackAddress,
  isLoopbackHost,
} from './config';
import { classifyError, httpStatusOf } from './http-errors';
import { RateLimiter } from './rate-limit';

describe('server settings', () => {
  it('defaults to 127.0.0.1:5010, 10 MB uploads, legacy routes off', () => {
    expect(defaultServerConfig()).toMatchObject({
      host: '127.0.0.1',
      port: 5010,
      uploadLimitBytes: 10 * 1024 * 1024,
      legacyRoutes: false,
      uploadsDir: null,
      legacyAntispoofPort: null,
      rateLimit: DEFAULT_RATE_LIMIT,
    });
  });

  it('reads HADIR_* variables and refuses bad values', () => {
    const c = configFromEnv({
      HADIR_HOST: '0.0.0.0',
      HADIR_PORT: '8080',
      HADIR_LEGACY_ROUTES: '1',
      HADIR_UPLOADS_DIR: '/srv/uploads',
      HADIR_LEGACY_ANTISPOOF_PORT: '5009',
      HADIR_ALLOWED_HOSTS: 'kiosk.lan,Front-Desk',
      HADIR_UPLOAD_LIMIT_MB: '2.5',
      HADIR_MAX_PIXELS: '1000000',
      HADIR_RATE_LIMIT: '5/10',
    });
    expect(c).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      legacyRoutes: true,
      uploadsDir: '/srv/uploads',
      legacyAntispoofPort: 5009,
      allowedHosts: ['kiosk.lan', 'Front-Desk'],
      uploadLimitBytes: 2.5 * 1024 * 1024,
      maxPixels: 1_000_000,
      rateLimit: { perSecond: 5, burst: 10 },
    });
    expect(configFromEnv({ HADIR_RATE_LIMIT: '0' }).rateLimit).toBeNull();
    expect(configFromEnv({ HADIR_LEGACY_ROUTES: '0' }).legacyRoutes).toBe(false);
    for (const bad of [
      { HADIR_PORT: 'x' },
      { HADIR_PORT: '65536' },
      { HADIR_UPLOAD_LIMIT_MB: '-1' },
      { HADIR_RATE_LIMIT: 'fast' },
    ]) {
      expect(() => configFromEnv(bad), JSON.stringify(bad)).toThrow();
    }
  });

  it('tells loopback from everything else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', 'app.localhost'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.example.com', ''])
      expect(isLoopbackHost(h), h).toBe(false);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress(undefined)).toBe(false);
  });

  it('reads the host name of a Host header', () => {
    expect(hostHeaderName('LocalHost:5010')).toBe('localhost');
    expect(hostHeaderName('[::1]:5010')).toBe('::1');
    expect(hostHeaderName('example.com.')).toBe('example.com');
    expect(hostHeaderName('::1')).toBeNull();
    expect(hostHeaderName('')).toBeNull();
    expect(hostHeaderName(undefined)).toBeNull();
  });

  it('allows loopback names, the bind host and configured names; a wildcard bind adds this machine', () => {
    const loop = allowedHostNames({ host: '127.0.0.1', allowedHosts: ['Kiosk.LAN'] });
    expect([...loop].sort()).toEqual(['127.0.0.1', '::1', 'kiosk.lan', 'localhost']);
    const wild = allowedHostNames({ host: '0.0.0.0', allowedHosts: [] });
    expect(wild.has('0.0.0.0')).toBe(true);
    expect(wild.size).toBeGreaterThan(4);
  });

  it('formats IPv6 addresses in brackets', () => {
    expect(formatAddress('::1', 5010)).toBe('http://[::1]:5010');
    expect(formatAddress('127.0.0.1', 80)).toBe('http://127.0.0.1:80');
  });
});

describe('API keys in requests', () => {
  it('reads Bearer and X-API-Key, refuses other schemes', () => {
    expect(requestKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(requestKey({ authorization: 'bearer   abc  ' })).toBe('abc');
    expect(requestKey({ 'x-api-key': ' k ' })).toBe('k');
    expect(requestKey({})).toBeNull();
    expect(() => requestKey({ authorization: 'Basic abc' })).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
    expect(() => requestKey({ authorization: 'Bearer a b' })).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED' }),
    );
  });
});

describe('errors as HTTP', () => {
  it('maps codes to statuses', () => {
    expect(httpStatusOf('BAD_REQUEST')).toBe(400);
    expect(httpStatusOf('CORRUPT_IMAGE')).toBe(400);
    expect(httpStatusOf('UNSUPPORTED_FORMAT')).toBe(415);
    expect(httpStatusOf('IMAGE_TOO_LARGE')).toBe(413);
    expect(httpStatusOf('NO_FACE')).toBe(422);
    expect(httpStatusOf('BUSY')).toBe(503);
    expect(httpStatusOf('MISDIRECTED_REQUEST')).toBe(421);
    expect(httpStatusOf('INTERNAL')).toBe(500);
  });

  it('classifies framework errors and hides internal messages', () => {
    expect(classifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'x' }).code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    expect(classifyError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'x' }).code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(classifyError({ validation: [], message: 'body/x must be number' })).toEqual({
      code: 'BAD_REQUEST',
      message: 'body/x must be number',
    });
    expect(classifyError(new Error('Unexpected end of form')).code).toBe('BAD_REQUEST');
    expect(classifyError(new TypeError('secret internals'))).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });
});

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, per client', () => {
    let t = 0;
    const rl = new RateLimiter({ perSecond: 2, burst: 3 }, () => t);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBeCloseTo(0.5, 6);
    expect(rl.take('b')).toBe(0);
    t += 500;
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
  });

  it('forgets idle clients and stays bounded', () => {
    let t = 0;
    const rl = new RateLimiter({ perSecond: 10, burst: 10 }, () => t, 100);
    for (let i = 0; i < 1000; i++) rl.take(`c${i}`);
    expect(rl.size).toBeLessThanOrEqual(100);
    t += 60_000;
    rl.take('late');
    expect(rl.size).toBe(1);
  });
});
