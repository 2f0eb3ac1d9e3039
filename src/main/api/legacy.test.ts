import type { FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { ApiKeyService } from '../services/api-keys';
import { listenOnLoopback, multipartBody, photo, postForm, postJson, rawRequest } from '../testing/http-client';
import { tempDb } from '../testing/temp-db';
import type { ServerConfig } from './config';
import { legacyConfidence } from './routes/legacy';
import { createServer } from './server';

/**
 * The old Flask services' routes over real HTTP: their success shapes, and every failure answered 200
 * with an explicit failure (the old caller hangs on anything else), traversal names included.
 */

const SHARON_A = '0c5e25d359f6.jpg';
const SHARON_B = '22e82d129abd.jpg';
const POWELL = '7d5c7ded953d.jpg';
const NO_FACE = '3c386e553b62.jpg';
const GROUP = 'ae393985f8e3.jpg';
const actor = { type: 'cli' as const, id: 'test' };

let pack: ResolvedPack;
let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let keys: ApiKeyService;
let readKey: string;
let root: string;
let uploads: string;
let base: string;
let bomb: Uint8Array;
let onePixel: Uint8Array;
const apps: FastifyInstance[] = [];

async function serve(config: Partial<ServerConfig> = {}, host = '127.0.0.1', surface: 'main' | 'antispoof' = 'main') {
  const app = await createServer(
    { engine: pool, pack: pack.pack, keys },
    { host, legacyRoutes: true, uploadsDir: uploads, ...config },
    { surface },
  );
  apps.push(app);
  return listenOnLoopback(app, host);
}

const json = async (r: Response) => {
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
};
const image = (name: string) => ({ bytes: photo(name), filename: name });
const text = new TextEncoder().encode('not an image at all\n');

beforeAll(async () => {
  pack = await resolvePack(undefined);
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 2, maxQueue: 3 });
  store = tempDb('hadir-legacy-');
  keys = new ApiKeyService(store.db);
  readKey = keys.create('backend', ['read'], actor).key;

  root = await mkdtemp(path.join(os.tmpdir(), 'hadir-uploads-'));
  uploads = path.join(root, 'uploads');
  await mkdir(path.join(uploads, 'sub'), { recursive: true });
  await writeFile(path.join(uploads, 'ref.jpg'), photo(SHARON_A));
  await writeFile(path.join(uploads, 'same.jpg'), photo(SHARON_B));
  await writeFile(path.join(uploads, 'other.jpg'), photo(POWELL));
  await writeFile(path.join(uploads, 'noface.jpg'), photo(NO_FACE));
  await writeFile(path.join(uploads, 'text.jpg'), text);
  await writeFile(path.join(uploads, 'sub', 'inner.jpg'), photo(SHARON_B));
  // A real face outside the folder, reachable only by traversal or a link.
  await writeFile(path.join(root, 'secret.jpg'), photo(SHARON_B));
  await symlink(path.join(root, 'secret.jpg'), path.join(uploads, 'link-out.jpg'));
  onePixel = new Uint8Array(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
      .png()
      .toBuffer(),
  );
  bomb = new Uint8Array(
    await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
  base = await serve();
});

afterAll(async () => {
  await Promise.allSettled(apps.map((a) => a.close()));
  await pool?.close();
  store?.cleanup();
  if (root) await rm(root, { recursive: true, force: true });
});

/** The verify answer of a failure: 200, no match anywhere, and an error. */
function expectVerifyFailure(d: Record<string, unknown>, code: string) {
  expect((d.error as { code: string }).code, JSON.stringify(d.error)).toBe(code);
  expect((d.error as { message: string }).message.length).toBeGreaterThan(0);
  const overall = d.overall_result as Record<string, unknown>;
  expect(overall.status).toBe('no_match');
  expect(overall.all_passed).toBe(false);
  expect(overall.matched_probes).toBe(0);
  for (const p of d.probe_results as { match: boolean }[]) expect(p.match).toBe(false);
  expect(Object.keys(d).sort()).toEqual(['error', 'overall_result', 'performance', 'probe_results', 'reference']);
}

function expectFake(d: Record<string, unknown>, code: string) {
  expect(d).toMatchObject({
    prediction: 'fake',
    confidence: 1,
    prob_real: 0,
    prob_fake: 1,
    threshold_used: pack.pack.livenessThreshold,
  });
  expect((d.error as { code: string }).code, JSON.stringify(d.error)).toBe(code);
}

describe('success shapes', () => {
  it('GET / answers the old health body', async () => {
    const d = await json(await fetch(`${base}/`));
    expect(Object.keys(d).sort()).toEqual(['message', 'models', 'ready', 'status', 'version']);
    expect(d).toMatchObject({ status: 'running', ready: true, version: '0.1.0' });
    expect(d.models).toEqual({
      pack: pack.pack.id,
      detector: pack.pack.detector.file,
      recognizer: pack.pack.recognizer.file,
      liveness: (pack.pack.liveness ?? []).map((l) => l.file),
      provider: pool.status().provider!.active,
    });
  });

  it('POST /api/v1/verify (multipart): reference, each probe, the overall result', async () => {
    const d = await json(
      await postForm(`${base}/api/v1/verify`, {
        reference: image(SHARON_A),
        probe1: { bytes: photo(SHARON_B), filename: 'probe-a.jpg' },
        probe2: { bytes: photo(POWELL), filename: 'probe-b.jpg' },
      }),
    );
    expect(Object.keys(d).sort()).toEqual(['overall_result', 'performance', 'probe_results', 'reference']);
    const ref = d.reference as Record<string, unknown>;
    expect(Object.keys(ref).sort()).toEqual(['bbox', 'embedding_dim', 'face_detected', 'face_size', 'image_shape']);
    expect(ref.face_detected).toBe(true);
    const box = ref.bbox as number[];
    expect(box.every(Number.isInteger)).toBe(true);
    expect(ref.face_size).toBe(Math.max(box[2] - box[0], box[3] - box[1]));
    expect(ref.embedding_dim).toBe(pack.pack.recognizer.embeddingSize);
    expect(ref.image_shape).toEqual([250, 250]);
    const [p1, p2] = d.probe_results as Record<string, unknown>[];
    expect(Object.keys(p1).sort()).toEqual([
      'bbox',
      'confidence',
      'face_detected',
      'face_size',
      'filename',
      'match',
      'similarity',
    ]);
    expect(p1).toMatchObject({ filename: 'probe-a.jpg', face_detected: true, match: true });
    expect(p2).toMatchObject({ filename: 'probe-b.jpg', face_detected: true, match: false, confidence: 'Low' });
    for (const p of [p1, p2]) {
      expect((p.bbox as number[]).every(Number.isInteger)).toBe(true);
      expect(Number.isInteger(p.face_size)).toBe(true);
      const s = p.similarity as number;
      expect(Math.round(s * 10_000) / 10_000).toBe(s);
    }
    expect(p1.similarity as number).toBeGreaterThan(pack.pack.thresholds!.match);
    expect(['High', 'Medium']).toContain(p1.confidence);
    expect(d.overall_result).toEqual({
      status: 'no_match',
      average_similarity: Math.round((((p1.similarity as number) + (p2.similarity as number)) / 2) * 10_000) / 10_000,
      all_passed: false,
      total_probes: 2,
      matched_probes: 1,
    });
    const perf = d.performance as Record<string, unknown>;
    expect(Object.keys(perf).sort()).toEqual(['gpu_accelerated', 'total_processing_time_ms']);
    expect(perf.total_processing_time_ms).toBeGreaterThan(0);
    expect(perf.gpu_accelerated).toBe(pool.status().provider!.active !== 'cpu');
  });

  it('verify with one matching probe: match, all passed', async () => {
    const d = await json(
      await postForm(`${base}/api/v1/verify`, { reference: image(SHARON_A), probe2: image(SHARON_B) }),
    );
    expect(d.overall_result).toMatchObject({ status: 'match', all_passed: true, total_probes: 1, matched_probes: 1 });
    expect(d.error).toBeUndefined();
  });

  it('POST /api/v1/verify-uploads (names in the uploads folder)', async () => {
    const d = await json(
      await postJson(`${base}/api/v1/verify-uploads`, {
        reference: 'ref.jpg',
        probe1: 'same.jpg',
        probe2: 'other.jpg',
      }),
    );
    expect((d.reference as Record<string, unknown>).filename).toBe('ref.jpg');
    expect((d.probe_results as Record<string, unknown>[]).map((p) => [p.filename, p.match])).toEqual([
      ['same.jpg', true],
      ['other.jpg', false],
    ]);
    expect(d.error).toBeUndefined();
  });

  it('POST /api/v1/extract-embedding', async () => {
    const d = await json(await postForm(`${base}/api/v1/extract-embedding`, { image: image(SHARON_A) }));
    expect(Object.keys(d).sort()).toEqual(['bbox', 'embedding', 'embedding_dim', 'face_detected', 'face_size']);
    expect(d.face_detected).toBe(true);
    expect((d.embedding as number[]).length).toBe(d.embedding_dim);
    expect(d.embedding_dim).toBe(pack.pack.recognizer.embeddingSize);
    expect(Math.hypot(...(d.embedding as number[]))).toBeCloseTo(1, 4);
  });

  it('POST /api/v1/compare with JSON embeddings from extract-embedding', async () => {
    const emb = async (n: string) =>
      (await json(await postForm(`${base}/api/v1/extract-embedding`, { image: image(n) }))).embedding as number[];
    const d = await json(
      await postJson(`${base}/api/v1/compare`, { embedding1: await emb(SHARON_A), embedding2: await emb(SHARON_B) }),
    );
    expect(d).toMatchObject({ match: true, verdict: 'same', threshold: pack.pack.thresholds!.match });
  });

  it('POST /api/v1/inference and /api/v1/uploads (anti-spoofing)', async () => {
    for (const d of [
      await json(await postForm(`${base}/api/v1/inference`, { image: image('f4455149f488.jpeg') })),
      await json(await postJson(`${base}/api/v1/uploads`, { filename: 'ref.jpg' })),
    ]) {
      expect(Object.keys(d).sort()).toEqual(['confidence', 'prediction', 'prob_fake', 'prob_real', 'threshold_used']);
      expect(['real', 'fake']).toContain(d.prediction);
      expect((d.prob_real as number) + (d.prob_fake as number)).toBeCloseTo(1, 10);
      expect(d.prediction).toBe((d.prob_real as number) >= (d.threshold_used as number) ? 'real' : 'fake');
      expect(d.threshold_used).toBe(pack.pack.livenessThreshold);
    }
  });

  it('confidence: High above the strict threshold at ≥100 px, Medium above the match threshold at ≥80 px', () => {
    expect(legacyConfidence(0.6, 120, 0.3, 0.5)).toBe('High');
    expect(legacyConfidence(0.6, 90, 0.3, 0.5)).toBe('Medium');
    expect(legacyConfidence(0.4, 120, 0.3, 0.5)).toBe('Medium');
    expect(legacyConfidence(0.4, 70, 0.3, 0.5)).toBe('Low');
    expect(legacyConfidence(0.2, 200, 0.3, 0.5)).toBe('Low');
    expect(legacyConfidence(0.9, 200, 0.3, null)).toBe('Medium');
  });
});

describe('every failure is 200 with an explicit failure', () => {
  const verify = (fields: Parameters<typeof postForm>[1]) => postForm(`${base}/api/v1/verify`, fields);

  it('verify: empty body, missing reference, no probe, wrong field name', async () => {
    expectVerifyFailure(await json(await fetch(`${base}/api/v1/verify`, { method: 'POST' })), 'BAD_REQUEST');
    expectVerifyFailure(await json(await verify({ probe1: image(SHARON_B) })), 'BAD_REQUEST');
    expectVerifyFailure(await json(await verify({ reference: image(SHARON_A) })), 'BAD_REQUEST');
    expectVerifyFailure(
      await json(await verify({ reference: image(SHARON_A), probe: image(SHARON_B) })),
      'BAD_REQUEST',
    );
    const raw = await rawRequest(`${base}/api/v1/verify`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'garbage without any boundary',
    });
    expect(raw.status).toBe(200);
    expect((raw.json() as { overall_result: { status: string } }).overall_result.status).toBe('no_match');
  });

  it('verify: bad images in the reference or a probe', async () => {
    const jpeg = photo(SHARON_A);
    const cases: [Uint8Array, string][] = [
      [text, 'UNSUPPORTED_FORMAT'],
      [jpeg.slice(0, jpeg.length >> 1), 'CORRUPT_IMAGE'],
      [new Uint8Array(2000).map((_, i) => (i * 7919) & 255), 'UNSUPPORTED_FORMAT'],
      [onePixel, 'NO_FACE'],
      [bomb, 'IMAGE_TOO_LARGE'],
      [new Uint8Array(0), 'EMPTY_IMAGE'],
      [photo(NO_FACE), 'NO_FACE'],
    ];
    for (const [bytes, code] of cases) {
      const asRef = await json(await verify({ reference: { bytes }, probe1: image(SHARON_B) }));
      expectVerifyFailure(asRef, code);
      expect((asRef.reference as { face_detected: boolean }).face_detected).toBe(false);
      // A bad probe beside a good one: nothing matches, not even the good probe.
      const asProbe = await json(
        await verify({ reference: image(SHARON_A), probe1: image(SHARON_B), probe2: { bytes, filename: 'bad.jpg' } }),
      );
      expectVerifyFailure(asProbe, code);
      const [good, bad] = asProbe.probe_results as Record<string, unknown>[];
      expect(good.similarity as number).toBeGreaterThan(pack.pack.thresholds!.match);
      expect(good.match).toBe(false);
      expect(bad).toMatchObject({
        filename: 'bad.jpg',
        face_detected: false,
        similarity: null,
        match: false,
        confidence: 'Low',
      });
      expect((bad.error as { code: string }).code).toBe(code);
    }
  });

  it('verify: a file one byte over the upload limit', async () => {
    const bytes = photo(SHARON_A);
    const url = await serve({ uploadLimitBytes: bytes.length - 1 });
    expectVerifyFailure(
      await json(await postForm(`${url}/api/v1/verify`, { reference: { bytes }, probe1: image(SHARON_B) })),
      'PAYLOAD_TOO_LARGE',
    );
    const okUrl = await serve({ uploadLimitBytes: bytes.length });
    const ok = await json(await postForm(`${okUrl}/api/v1/verify`, { reference: { bytes }, probe1: { bytes } }));
    expect(ok.error).toBeUndefined();
  });

  it('verify-uploads: traversal names, links out, missing files — refused alike, never read', async () => {
    const names = [
      '../secret.jpg',
      path.join(root, 'secret.jpg'),
      '/etc/passwd',
      'sub/../ref.jpg',
      'sub/inner.jpg',
      '..',
      '.',
      'link-out.jpg',
      'nope.jpg',
      'ref.jpg\u0000.png',
      'C:\\Windows\\win.ini',
      '..\\secret.jpg',
      'sub',
      '',
    ];
    const messages = new Map<string, string>();
    for (const name of names) {
      for (const role of ['reference', 'probe1'] as const) {
        const req =
          role === 'reference' ? { reference: name, probe1: 'same.jpg' } : { reference: 'ref.jpg', probe1: name };
        const d = await json(await postJson(`${base}/api/v1/verify-uploads`, req));
        const code = (d.error as { code: string }).code;
        expect(['BAD_REQUEST', 'NOT_FOUND'], `${name}: ${JSON.stringify(d.error)}`).toContain(code);
        expectVerifyFailure(d, code);
        if (role === 'probe1') messages.set(name, (d.error as { message: string }).message.replace(name, '<name>'));
      }
    }
    // No existence oracle: a link out of the folder, a folder and a missing file read the same.
    expect(messages.get('link-out.jpg')).toBe(messages.get('nope.jpg'));
    expect(messages.get('sub')).toBe(messages.get('nope.jpg'));
  });

  it('verify-uploads: malformed JSON, wrong types, no uploads folder', async () => {
    expectVerifyFailure(await json(await postJson(`${base}/api/v1/verify-uploads`, '{"reference": ')), 'BAD_REQUEST');
    expectVerifyFailure(await json(await postJson(`${base}/api/v1/verify-uploads`, '')), 'BAD_REQUEST');
    expectVerifyFailure(
      await json(await postJson(`${base}/api/v1/verify-uploads`, { reference: 5, probe1: 'same.jpg' })),
      'BAD_REQUEST',
    );
    expectVerifyFailure(await json(await postJson(`${base}/api/v1/verify-uploads`, ['ref.jpg'])), 'BAD_REQUEST');
    expectVerifyFailure(
      await json(await postJson(`${base}/api/v1/verify-uploads`, { reference: 'ref.jpg', probe1: 'noface.jpg' })),
      'NO_FACE',
    );
    expectVerifyFailure(
      await json(await postJson(`${base}/api/v1/verify-uploads`, { reference: 'text.jpg', probe1: 'same.jpg' })),
      'UNSUPPORTED_FORMAT',
    );
    const bare = await serve({ uploadsDir: null });
    expectVerifyFailure(
      await json(await postJson(`${bare}/api/v1/verify-uploads`, { reference: 'ref.jpg', probe1: 'same.jpg' })),
      'NOT_FOUND',
    );
  });

  it('extract-embedding: no face, bad bytes, wrong field, empty body', async () => {
    const fail = (d: Record<string, unknown>, code: string) => {
      expect(d).toMatchObject({ face_detected: false, bbox: null, face_size: 0, embedding: null, embedding_dim: 0 });
      expect((d.error as { code: string }).code).toBe(code);
    };
    fail(await json(await postForm(`${base}/api/v1/extract-embedding`, { image: image(NO_FACE) })), 'NO_FACE');
    fail(
      await json(await postForm(`${base}/api/v1/extract-embedding`, { image: { bytes: text } })),
      'UNSUPPORTED_FORMAT',
    );
    fail(await json(await postForm(`${base}/api/v1/extract-embedding`, { image: { bytes: onePixel } })), 'NO_FACE');
    fail(await json(await postForm(`${base}/api/v1/extract-embedding`, { image: { bytes: bomb } })), 'IMAGE_TOO_LARGE');
    fail(await json(await postForm(`${base}/api/v1/extract-embedding`, { file: image(SHARON_A) })), 'BAD_REQUEST');
    fail(await json(await fetch(`${base}/api/v1/extract-embedding`, { method: 'POST' })), 'BAD_REQUEST');
  });

  it('compare with JSON: wrong lengths and malformed JSON answer 200 with match false', async () => {
    for (const [b, code] of [
      [{ embedding1: [1, 2, 3], embedding2: [1, 2] }, 'BAD_REQUEST'],
      ['{"embedding1": [1', 'BAD_REQUEST'],
      [{ embedding1: 'x' }, 'BAD_REQUEST'],
    ] as const) {
      const d = await json(await postJson(`${base}/api/v1/compare`, b));
      expect(d).toMatchObject({ similarity: 0, match: false, verdict: 'different', error: { code } });
    }
    // Multipart compare stays Hadir's own route, with HTTP statuses.
    expect((await postForm(`${base}/api/v1/compare`, { image1: image(SHARON_A) })).status).toBe(400);
  });

  it('inference: every failure is prediction "fake" with an error', async () => {
    expectFake(await json(await postForm(`${base}/api/v1/inference`, { image: image(NO_FACE) })), 'NO_FACE');
    expectFake(
      await json(await postForm(`${base}/api/v1/inference`, { image: { bytes: text } })),
      'UNSUPPORTED_FORMAT',
    );
    const jpeg = photo(SHARON_A);
    expectFake(
      await json(await postForm(`${base}/api/v1/inference`, { image: { bytes: jpeg.slice(0, 3000) } })),
      'CORRUPT_IMAGE',
    );
    expectFake(await json(await postForm(`${base}/api/v1/inference`, { image: { bytes: onePixel } })), 'NO_FACE');
    expectFake(await json(await postForm(`${base}/api/v1/inference`, { image: { bytes: bomb } })), 'IMAGE_TOO_LARGE');
    expectFake(await json(await postForm(`${base}/api/v1/inference`, { picture: image(SHARON_A) })), 'BAD_REQUEST');
    expectFake(await json(await fetch(`${base}/api/v1/inference`, { method: 'POST' })), 'BAD_REQUEST');
    const { body, contentType } = multipartBody([{ name: 'image', filename: 'x.jpg', bytes: jpeg }]);
    const truncatedBody = await rawRequest(`${base}/api/v1/inference`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: body.slice(0, body.length - 40),
    });
    expect(truncatedBody.status).toBe(200);
    expect(truncatedBody.json()).toMatchObject({ prediction: 'fake' });
  });

  it('uploads: traversal names, missing files, malformed JSON', async () => {
    for (const filename of [
      '../secret.jpg',
      path.join(root, 'secret.jpg'),
      'link-out.jpg',
      'nope.jpg',
      'sub/inner.jpg',
      '..',
      '',
    ]) {
      const d = await json(await postJson(`${base}/api/v1/uploads`, { filename }));
      expect(d.prediction, filename).toBe('fake');
      expect(['BAD_REQUEST', 'NOT_FOUND']).toContain((d.error as { code: string }).code);
    }
    expectFake(await json(await postJson(`${base}/api/v1/uploads`, { filename: 'noface.jpg' })), 'NO_FACE');
    expectFake(await json(await postJson(`${base}/api/v1/uploads`, '{"filename"')), 'BAD_REQUEST');
    expectFake(await json(await postJson(`${base}/api/v1/uploads`, { filename: 42 })), 'BAD_REQUEST');
    expectFake(await json(await postJson(`${base}/api/v1/uploads`, {})), 'BAD_REQUEST');
  });

  it('over capacity: BUSY is a failure body too, never a 503', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => postForm(`${base}/api/v1/inference`, { image: image(GROUP) })),
    );
    const bodies = await Promise.all(results.map((r) => json(r)));
    const busy = bodies.filter((d) => d.error !== undefined);
    expect(busy.length).toBeGreaterThan(0);
    for (const d of busy) expectFake(d, 'BUSY');
  });

  it('a forged Host header and rate limiting answer 200 failures as well', async () => {
    const port = new URL(base).port;
    const r = await rawRequest(`${base}/api/v1/uploads`, {
      method: 'POST',
      headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'ref.jpg' }),
    });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ prediction: 'fake', error: { code: 'MISDIRECTED_REQUEST' } });
    const limited = await serve({ rateLimit: { perSecond: 0.1, burst: 1 } });
    await json(await postJson(`${limited}/api/v1/uploads`, { filename: 'ref.jpg' }));
    const d = await json(await postJson(`${limited}/api/v1/uploads`, { filename: 'ref.jpg' }));
    expectFake(d, 'RATE_LIMITED');
    const h = await json(await fetch(`${limited}/`));
    expect((h.error as { code: string }).code).toBe('RATE_LIMITED');
  });
});

describe('who may call the old routes', () => {
  // This machine's own non-loopback address: connecting to it makes the client non-loopback too.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && !i.internal && i.family === 'IPv4')?.address;

  it('a client on loopback needs no key', async () => {
    const d = await json(await postJson(`${base}/api/v1/uploads`, { filename: 'ref.jpg' }));
    expect(d.error).toBeUndefined();
  });

  it('a client beyond loopback needs a read key (and is answered 200 without one)', async ({ skip }) => {
    if (!external) skip('no non-loopback interface on this machine');
    const url = (await serve({}, '0.0.0.0')).replace('0.0.0.0', external!);
    const noKey = await json(await postJson(`${url}/api/v1/uploads`, { filename: 'ref.jpg' }));
    expectFake(noKey, 'UNAUTHORIZED');
    expectVerifyFailure(
      await json(await postForm(`${url}/api/v1/verify`, { reference: image(SHARON_A), probe1: image(SHARON_B) })),
      'UNAUTHORIZED',
    );
    expect((await json(await fetch(`${url}/`))).error).toMatchObject({ code: 'UNAUTHORIZED' });
    const wrong = await json(
      await postJson(`${url}/api/v1/uploads`, { filename: 'ref.jpg' }, { 'x-api-key': 'hadir_wrong' }),
    );
    expectFake(wrong, 'UNAUTHORIZED');
    const ok = await json(
      await postJson(`${url}/api/v1/uploads`, { filename: 'ref.jpg' }, { authorization: `Bearer ${readKey}` }),
    );
    expect(ok.error).toBeUndefined();
    // Hadir's own routes from there: HTTP statuses, not legacy bodies.
    expect((await fetch(`${url}/api/v1/detect`, { method: 'POST' })).status).toBe(401);
    // The same server from loopback: no key needed on the old routes.
    const local = url.replace(external!, '127.0.0.1');
    expect((await json(await postJson(`${local}/api/v1/uploads`, { filename: 'ref.jpg' }))).error).toBeUndefined();
  });
});

describe('the second listener for the old anti-spoofing service', () => {
  it('serves the anti-spoofing routes and health, nothing else', async () => {
    const url = await serve({}, '127.0.0.1', 'antispoof');
    const d = await json(await postForm(`${url}/api/v1/inference`, { image: image(SHARON_A) }));
    expect(d.error).toBeUndefined();
    expect((await json(await postJson(`${url}/api/v1/uploads`, { filename: 'same.jpg' }))).error).toBeUndefined();
    expect((await json(await fetch(`${url}/`))).status).toBe('running');
    expect((await json(await fetch(`${url}/api/v1/health`))).ready).toBe(true);
    for (const p of ['/api/v1/verify', '/api/v1/detect', '/api/v1/docs']) {
      expect((await fetch(`${url}${p}`, { method: p.endsWith('docs') ? 'GET' : 'POST' })).status, p).toBe(404);
    }
  });
});
