import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../shared/contract';
import type { ErrorBody } from '../../shared/http-api';
import { resolvePack, type ResolvedPack } from '../engine/model-files';
import { InferencePool } from '../engine/pool';
import { poolAnalyzer } from '../services/analyzer';
import { ApiKeyService } from '../services/api-keys';
import { FaceService } from '../services/face-service';
import { listenOnLoopback, multipartBody, photo, postForm, postJson, rawRequest } from '../testing/http-client';
import { facesDir, repoRoot } from '../testing/paths';
import { tempDb } from '../testing/temp-db';
import { staticKeyVerifier } from './auth';
import type { ServerConfig } from './config';
import type { AnalysisEngine, ServerDeps } from './context';
import { checkBind, createServer, documentedRoutes, openApiDocument, startServer } from './server';

/**
 * The API over real HTTP on loopback, with the real engine (one pool for the whole file), the real key
 * service and face service over a temporary database, and real photos.
 */

const SHARON_A = '0c5e25d359f6.jpg';
const SHARON_B = '22e82d129abd.jpg';
const POWELL = '7d5c7ded953d.jpg';
const GROUP = 'ae393985f8e3.jpg';
const NO_FACE = '3c386e553b62.jpg';
const BMP = '12124299eb95.bmp';
const actor = { type: 'cli' as const, id: 'test' };

let pack: ResolvedPack;
let pool: InferencePool;
let store: ReturnType<typeof tempDb>;
let faces: FaceService;
let keys: ApiKeyService;
let readKey: string;
let writeKey: string;
let revokedKey: string;
let base: string;
const apps: FastifyInstance[] = [];

async function serve(
  config: Partial<ServerConfig> = {},
  deps: Partial<ServerDeps> = {},
  host = '127.0.0.1',
): Promise<string> {
  const app = await createServer(
    { engine: pool, pack: pack.pack, keys, identity: faces, ...deps },
    { host, ...config },
  );
  apps.push(app);
  return listenOnLoopback(app, host === '0.0.0.0' ? '0.0.0.0' : host).then((u) => u.replace('0.0.0.0', '127.0.0.1'));
}

const body = async <T = Record<string, unknown>>(r: Response) => (await r.json()) as T;
async function expectError(r: Response | Promise<Response>, status: number, code: string): Promise<ErrorBody> {
  const res = await r;
  const b = await body<ErrorBody>(res);
  expect({ status: res.status, code: b.error?.code }, JSON.stringify(b)).toEqual({ status, code });
  expect(Object.keys(b).sort()).toEqual(['error', 'request_id']);
  expect(b.request_id).toMatch(/^[0-9a-f]{16}$/);
  expect(Object.keys(b.error).sort()).toEqual(['code', 'message']);
  expect(b.error.message.length).toBeGreaterThan(0);
  return b;
}

const image = (name: string) => ({ bytes: photo(name), filename: name });
const isBox = (b: unknown) =>
  Array.isArray(b) && b.length === 4 && b.every((v) => typeof v === 'number') && b[0] < b[2] && b[1] < b[3];
const TIMING_KEYS = ['align', 'decode', 'detect', 'embed', 'liveness', 'total'];

beforeAll(async () => {
  pack = await resolvePack(undefined);
  // One worker and a queue of two, so "busy" is reachable with a handful of concurrent requests.
  pool = await InferencePool.start({ paths: pack, workers: 1, intraOpNumThreads: 2, maxQueue: 2 });
  store = tempDb('hadir-api-');
  faces = FaceService.open({ db: store.db, analyzer: poolAnalyzer(pool, pack.pack) });
  keys = new ApiKeyService(store.db);
  readKey = keys.create('reader', ['read'], actor).key;
  writeKey = keys.create('writer', ['write'], actor).key;
  const revoked = keys.create('old', ['read'], actor);
  revokedKey = revoked.key;
  keys.revoke(revoked.info.id, actor);
  base = await serve();
});

afterAll(async () => {
  await Promise.allSettled(apps.map((a) => a.close()));
  await pool?.close();
  store?.cleanup();
});

describe('success shapes, field by field', () => {
  it('GET and POST /api/v1/health', async () => {
    for (const method of ['GET', 'POST']) {
      const r = await fetch(`${base}/api/v1/health`, { method });
      expect(r.status).toBe(200);
      const h = await body(r);
      expect(Object.keys(h).sort()).toEqual(
        [
          'batch_faces',
          'device',
          'gallery_size',
          'gallery_warming',
          'hub',
          'identification',
          'liveness_available',
          'liveness_threshold',
          'max_queue',
          'model_pack',
          'provider',
          'queue_depth',
          'ready',
          'status',
          'tls',
          'version',
          'warnings',
          'workers',
        ].sort(),
      );
      expect(h.tls).toEqual({ enabled: false, fingerprint_sha256: null });
      expect(h.gallery_warming).toBeNull();
      expect(h.status).toBe('ok');
      expect(h.ready).toBe(true);
      expect(h.version).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
      expect(h.model_pack).toEqual({
        id: pack.pack.id,
        name: pack.pack.name,
        embedding_size: pack.pack.recognizer.embeddingSize,
        match_threshold: pack.pack.thresholds?.match ?? null,
        strict_threshold: pack.pack.thresholds?.strict ?? null,
      });
      const provider = h.provider as Record<string, unknown>;
      expect(Object.keys(provider).sort()).toEqual(['active', 'fallback_reason', 'requested']);
      expect(['cpu', 'cuda', 'webgpu', 'dml']).toContain(provider.active);
      expect(typeof h.device).toBe('string');
      // On the CPU the default (auto) leaves cross-request batching off.
      expect(h.batch_faces).toEqual({ setting: 'auto', on: false });
      expect(h.workers).toEqual({ total: 1, live: 1, busy: 0 });
      expect(h.queue_depth).toBe(0);
      expect(h.max_queue).toBe(2);
      expect(h.gallery_size).toBe(0);
      expect(h.liveness_available).toBe(true);
      expect(h.liveness_threshold).toBe(pack.pack.livenessThreshold);
      expect(h.warnings).toEqual([]);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    }
  });

  it('POST /api/v1/detect on a group photo', async () => {
    const r = await postForm(`${base}/api/v1/detect`, { image: image(GROUP) });
    expect(r.status).toBe(200);
    const d = await body(r);
    expect(Object.keys(d).sort()).toEqual(['faces', 'height', 'timings_ms', 'width']);
    const meta = await sharp(photo(GROUP)).metadata();
    expect([d.width, d.height]).toEqual([meta.width, meta.height]);
    const list = d.faces as Record<string, unknown>[];
    expect(list.length).toBeGreaterThanOrEqual(3);
    for (const f of list) {
      expect(Object.keys(f).sort()).toEqual(['bbox', 'landmarks', 'score']);
      expect(isBox(f.bbox)).toBe(true);
      expect(f.score).toBeGreaterThan(0.5);
      expect(f.score).toBeLessThanOrEqual(1);
      const lm = f.landmarks as number[][];
      expect(lm).toHaveLength(5);
      for (const p of lm) expect(p.map((v) => typeof v)).toEqual(['number', 'number']);
      // Left eye left of the right eye, both above the mouth corners.
      expect(lm[0][0]).toBeLessThan(lm[1][0]);
      expect(lm[0][1]).toBeLessThan(lm[3][1]);
    }
    const scores = list.map((f) => f.score as number);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const t = d.timings_ms as Record<string, number>;
    expect(Object.keys(t).sort()).toEqual(TIMING_KEYS);
    expect(t.detect).toBeGreaterThan(0);
    expect(t.embed).toBe(0);
    expect(t.total).toBeGreaterThanOrEqual(t.detect);
  });

  it('reads BMP as well (decoded by Hadir, not libvips)', async () => {
    const r = await postForm(`${base}/api/v1/detect`, { image: image(BMP) });
    expect(r.status).toBe(200);
    expect(((await body(r)).faces as unknown[]).length).toBeGreaterThanOrEqual(1);
  });

  it('POST /api/v1/recognition: embedding, liveness, no identity without a key', async () => {
    const r = await postForm(`${base}/api/v1/recognition`, { image: image(SHARON_A) });
    expect(r.status).toBe(200);
    const d = await body(r);
    expect(Object.keys(d).sort()).toEqual([
      'faces',
      'height',
      'identification',
      'liveness_available',
      'timings_ms',
      'width',
    ]);
    expect(d.identification).toBe('key_required');
    expect(d.liveness_available).toBe(true);
    const [f] = d.faces as Record<string, unknown>[];
    expect(Object.keys(f).sort()).toEqual(['bbox', 'embedding', 'identity', 'landmarks', 'liveness', 'score']);
    const e = f.embedding as number[];
    expect(e).toHaveLength(pack.pack.recognizer.embeddingSize);
    expect(Math.hypot(...e)).toBeCloseTo(1, 4);
    const live = f.liveness as { p_real: number; decision: string };
    expect(Object.keys(live).sort()).toEqual(['decision', 'p_real']);
    expect(live.p_real).toBeGreaterThanOrEqual(0);
    expect(live.p_real).toBeLessThanOrEqual(1);
    expect(live.decision).toBe(live.p_real >= pack.pack.livenessThreshold! ? 'real' : 'spoof');
    expect(f.identity).toBeNull();
    const t = d.timings_ms as Record<string, number>;
    expect(Object.keys(t).sort()).toEqual(TIMING_KEYS);
    for (const k of ['decode', 'detect', 'embed', 'liveness']) expect(t[k], k).toBeGreaterThan(0);
  });

  it('recognition ?liveness=false skips liveness; a bad value is a 400', async () => {
    const r = await postForm(`${base}/api/v1/recognition?liveness=false`, { image: image(SHARON_A) });
    const d = await body(r);
    expect((d.faces as { liveness: unknown }[])[0].liveness).toBeNull();
    expect((d.timings_ms as Record<string, number>).liveness).toBe(0);
    await expectError(
      postForm(`${base}/api/v1/recognition?liveness=maybe`, { image: image(SHARON_A) }),
      400,
      'BAD_REQUEST',
    );
  });

  it('POST /api/v1/liveness', async () => {
    const r = await postForm(`${base}/api/v1/liveness`, { image: image('f4455149f488.jpeg') });
    expect(r.status).toBe(200);
    const d = await body(r);
    expect(Object.keys(d).sort()).toEqual(['faces', 'height', 'threshold', 'timings_ms', 'width']);
    expect(d.threshold).toBe(pack.pack.livenessThreshold);
    const list = d.faces as { bbox: unknown; p_real: number; decision: string }[];
    expect(list.length).toBeGreaterThanOrEqual(1);
    for (const f of list) {
      expect(Object.keys(f).sort()).toEqual(['bbox', 'decision', 'p_real']);
      expect(isBox(f.bbox)).toBe(true);
      expect(f.decision).toBe(f.p_real >= (d.threshold as number) ? 'real' : 'spoof');
    }
    expect((d.timings_ms as Record<string, number>).liveness).toBeGreaterThan(0);
  });

  it('POST /api/v1/compare with two photos of one person: same, with a quality report of each', async () => {
    const r = await postForm(`${base}/api/v1/compare`, { image1: image(SHARON_A), image2: image(SHARON_B) });
    expect(r.status).toBe(200);
    const d = await body(r);
    expect(Object.keys(d).sort()).toEqual(['images', 'match', 'similarity', 'threshold', 'timings_ms', 'verdict']);
    expect(d.threshold).toBe(pack.pack.thresholds!.match);
    expect(d.similarity).toBeGreaterThan(d.threshold as number);
    expect(d.match).toBe(true);
    expect(d.verdict).toBe('same');
    const images = d.images as Record<string, unknown>[];
    expect(images.map((q) => q.field)).toEqual(['image1', 'image2']);
    for (const q of images) {
      expect(Object.keys(q).sort()).toEqual(['face', 'face_count', 'face_found', 'field', 'height', 'width']);
      expect(q.face_found).toBe(true);
      expect(q.face_count).toBe(1);
      const f = q.face as Record<string, unknown>;
      expect(Object.keys(f).sort()).toEqual(
        ['bbox', 'blur', 'box_height', 'box_width', 'brightness', 'inter_ocular', 'pose', 'score'].sort(),
      );
      const box = f.bbox as number[];
      expect(f.box_width).toBeCloseTo(box[2] - box[0], 6);
      expect(f.box_height).toBeCloseTo(box[3] - box[1], 6);
      expect(f.inter_ocular).toBeGreaterThan(10);
      expect(f.inter_ocular).toBeLessThan(f.box_width as number);
      expect(f.blur).toBeGreaterThan(0);
      expect(f.brightness).toBeGreaterThan(0);
      expect(f.brightness).toBeLessThan(255);
      const pose = f.pose as { yaw: number; roll: number };
      expect(Object.keys(pose).sort()).toEqual(['roll', 'yaw']);
      expect(Math.abs(pose.yaw)).toBeLessThan(60);
    }
    const t = d.timings_ms as Record<string, number>;
    expect(Object.keys(t).sort()).toEqual(TIMING_KEYS);
    expect(t.decode).toBeGreaterThan(0);
    expect(t.embed).toBeGreaterThan(0);
  });

  it('compare: two people are different; the JSON form gives the same similarity from the embeddings', async () => {
    const r = await postForm(`${base}/api/v1/compare`, { image1: image(SHARON_A), image2: image(POWELL) });
    const d = await body(r);
    expect(d.match).toBe(false);
    expect(d.verdict).toBe('different');
    const emb = async (name: string) => {
      const rec = await body(await postForm(`${base}/api/v1/recognition?liveness=false`, { image: image(name) }));
      return (rec.faces as { embedding: number[] }[])[0].embedding;
    };
    const j = await postJson(`${base}/api/v1/compare`, {
      embedding1: await emb(SHARON_A),
      embedding2: await emb(POWELL),
    });
    expect(j.status).toBe(200);
    const jd = await body(j);
    expect(Object.keys(jd).sort()).toEqual(['match', 'similarity', 'threshold', 'verdict']);
    expect(jd.similarity as number).toBeCloseTo(d.similarity as number, 5);
    expect(jd.match).toBe(false);
    expect(jd.verdict).toBe('different');
  });

  it('compare JSON normalises: a vector and its multiple are the same', async () => {
    const dim = pack.pack.recognizer.embeddingSize;
    const v = Array.from({ length: dim }, (_, i) => Math.sin(i + 1));
    const d = await body(await postJson(`${base}/api/v1/compare`, { embedding1: v, embedding2: v.map((x) => x * 3) }));
    expect(d.similarity as number).toBeCloseTo(1, 10);
    expect(d).toMatchObject({ match: true, verdict: 'same', threshold: pack.pack.thresholds!.match });
  });
});

describe("the seed's curl commands work as written", () => {
  const run = promisify(execFile);
  let curl = true;
  beforeAll(async () => {
    curl = await run('curl', ['--version']).then(
      () => true,
      () => false,
    );
  });
  const port = () => new URL(base).port;

  it('curl -X POST http://localhost:PORT/api/v1/health', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const { stdout } = await run('curl', ['-s', '-X', 'POST', `http://localhost:${port()}/api/v1/health`]);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'ok', ready: true });
  });

  it('curl -X POST -F "image=@…" …/api/v1/recognition', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const file = path.join(facesDir, SHARON_A);
    const { stdout } = await run('curl', [
      '-s',
      '-X',
      'POST',
      '-F',
      `image=@${file}`,
      `http://localhost:${port()}/api/v1/recognition`,
    ]);
    const d = JSON.parse(stdout) as { faces: { embedding: number[] }[] };
    expect(d.faces).toHaveLength(1);
    expect(d.faces[0].embedding).toHaveLength(pack.pack.recognizer.embeddingSize);
  });

  it('curl -X POST -F "image1=@…" -F "image2=@…" …/api/v1/compare', async ({ skip }) => {
    if (!curl) skip('curl is not installed');
    const dir = facesDir;
    const { stdout } = await run('curl', [
      '-s',
      '-X',
      'POST',
      '-F',
      `image1=@${path.join(dir, SHARON_A)}`,
      '-F',
      `image2=@${path.join(dir, SHARON_B)}`,
      `http://localhost:${port()}/api/v1/compare`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ match: true, verdict: 'same' });
  });
});

describe('bad input: documented status and code, and the server keeps serving', () => {
  let textJpg: Uint8Array;
  let truncated: Uint8Array;
  let random: Uint8Array;
  let onePixel: Uint8Array;
  let bomb: Uint8Array;
  beforeAll(async () => {
    textJpg = new TextEncoder().encode('this is a text file, not a JPEG\n');
    const jpeg = photo(SHARON_A);
    truncated = jpeg.slice(0, Math.floor(jpeg.length / 2));
    random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    onePixel = new Uint8Array(
      await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
    );
    // 100 megapixels in a few hundred KB: refused from the header, never decoded.
    bomb = new Uint8Array(
      await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000' } })
        .png({ compressionLevel: 9 })
        .toBuffer(),
    );
    expect(bomb.length).toBeLessThan(1024 * 1024);
  });

  it('empty body → 400 BAD_REQUEST', async () => {
    await expectError(fetch(`${base}/api/v1/detect`, { method: 'POST' }), 400, 'BAD_REQUEST');
    await expectError(fetch(`${base}/api/v1/compare`, { method: 'POST' }), 400, 'BAD_REQUEST');
    // An empty multipart form: no parts at all.
    const empty = multipartBody([]);
    await expectError(
      fetch(`${base}/api/v1/recognition`, {
        method: 'POST',
        body: empty.body,
        headers: { 'content-type': empty.contentType },
      }),
      400,
      'BAD_REQUEST',
    );
  });

  it('missing field → 400 naming it', async () => {
    const b = await expectError(postForm(`${base}/api/v1/compare`, { image1: image(SHARON_A) }), 400, 'BAD_REQUEST');
    expect(b.error.message).toContain('image2');
  });

  it('wrong field name, a text field, a repeated field → 400', async () => {
    const b = await expectError(postForm(`${base}/api/v1/detect`, { photo: image(SHARON_A) }), 400, 'BAD_REQUEST');
    expect(b.error.message).toContain('"photo"');
    expect(b.error.message).toContain('"image"');
    await expectError(postForm(`${base}/api/v1/detect`, { image: 'not a file' }), 400, 'BAD_REQUEST');
    const form = new FormData();
    form.append('image', new Blob([photo(SHARON_A) as Uint8Array<ArrayBuffer>]), 'a.jpg');
    form.append('image', new Blob([photo(SHARON_B) as Uint8Array<ArrayBuffer>]), 'b.jpg');
    await expectError(fetch(`${base}/api/v1/detect`, { method: 'POST', body: form }), 400, 'BAD_REQUEST');
  });

  it('a text file named .jpg → 415 UNSUPPORTED_FORMAT', async () => {
    await expectError(
      postForm(`${base}/api/v1/detect`, { image: { bytes: textJpg, filename: 'photo.jpg', type: 'image/jpeg' } }),
      415,
      'UNSUPPORTED_FORMAT',
    );
  });

  it('random bytes → 415 UNSUPPORTED_FORMAT', async () => {
    await expectError(postForm(`${base}/api/v1/recognition`, { image: { bytes: random } }), 415, 'UNSUPPORTED_FORMAT');
  });

  it('a truncated JPEG → 400 CORRUPT_IMAGE', async () => {
    await expectError(postForm(`${base}/api/v1/detect`, { image: { bytes: truncated } }), 400, 'CORRUPT_IMAGE');
    await expectError(
      postForm(`${base}/api/v1/compare`, { image1: { bytes: truncated }, image2: image(SHARON_B) }),
      400,
      'CORRUPT_IMAGE',
    );
  });

  it('an empty file → 400 EMPTY_IMAGE', async () => {
    await expectError(postForm(`${base}/api/v1/detect`, { image: { bytes: new Uint8Array(0) } }), 400, 'EMPTY_IMAGE');
  });

  it('a 1×1 image: no faces on detect and recognition (200), 422 NO_FACE on compare', async () => {
    const d = await body(await postForm(`${base}/api/v1/detect`, { image: { bytes: onePixel } }));
    expect(d).toMatchObject({ width: 1, height: 1, faces: [] });
    const rec = await body(await postForm(`${base}/api/v1/recognition`, { image: { bytes: onePixel } }));
    expect(rec).toMatchObject({ width: 1, height: 1, faces: [] });
    const b = await expectError(
      postForm(`${base}/api/v1/compare`, { image1: image(SHARON_A), image2: { bytes: onePixel } }),
      422,
      'NO_FACE',
    );
    expect(b.error.message).toContain('image2');
  });

  it('a photo without a face → 422 NO_FACE on compare', async () => {
    const b = await expectError(
      postForm(`${base}/api/v1/compare`, { image1: image(NO_FACE), image2: image(SHARON_A) }),
      422,
      'NO_FACE',
    );
    expect(b.error.message).toContain('image1');
  });

  it('a decompression bomb (100 MP, tiny file) → 413 IMAGE_TOO_LARGE', async () => {
    await expectError(postForm(`${base}/api/v1/detect`, { image: { bytes: bomb } }), 413, 'IMAGE_TOO_LARGE');
    await expectError(
      postForm(`${base}/api/v1/compare`, { image1: { bytes: bomb }, image2: image(SHARON_A) }),
      413,
      'IMAGE_TOO_LARGE',
    );
  });

  it('a raw image body instead of multipart → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const r = fetch(`${base}/api/v1/detect`, {
      method: 'POST',
      body: photo(SHARON_A) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'image/jpeg' },
    });
    await expectError(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(postJson(`${base}/api/v1/detect`, { image: 'x' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectError(
      fetch(`${base}/api/v1/compare`, {
        method: 'POST',
        body: 'embedding1=1',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('malformed JSON and empty JSON → 400 BAD_REQUEST', async () => {
    await expectError(postJson(`${base}/api/v1/compare`, '{"embedding1": [0.1, '), 400, 'BAD_REQUEST');
    await expectError(postJson(`${base}/api/v1/compare`, ''), 400, 'BAD_REQUEST');
    await expectError(postJson(`${base}/api/v1/compare`, '[]'), 400, 'BAD_REQUEST');
  });

  it('wrong embeddings → 400 BAD_REQUEST', async () => {
    const dim = pack.pack.recognizer.embeddingSize;
    const v = (n: number) => Array.from({ length: n }, (_, i) => Math.cos(i));
    const mismatch = await expectError(
      postJson(`${base}/api/v1/compare`, { embedding1: v(dim), embedding2: v(dim - 1) }),
      400,
      'BAD_REQUEST',
    );
    expect(mismatch.error.message).toMatch(/same length/);
    const wrongDim = await expectError(
      postJson(`${base}/api/v1/compare`, { embedding1: v(64), embedding2: v(64) }),
      400,
      'BAD_REQUEST',
    );
    expect(wrongDim.error.message).toContain(String(dim));
    await expectError(
      postJson(`${base}/api/v1/compare`, { embedding1: v(dim).map(() => 0), embedding2: v(dim) }),
      400,
      'BAD_REQUEST',
    );
    await expectError(
      postJson(`${base}/api/v1/compare`, { embedding1: v(dim).map(String), embedding2: v(dim) }),
      400,
      'BAD_REQUEST',
    );
    await expectError(postJson(`${base}/api/v1/compare`, { embedding1: v(dim) }), 400, 'BAD_REQUEST');
    await expectError(postJson(`${base}/api/v1/compare`, { embedding1: [], embedding2: [] }), 400, 'BAD_REQUEST');
    await expectError(
      postJson(`${base}/api/v1/compare`, { embedding1: v(dim), embedding2: v(dim), extra: 1 }),
      400,
      'BAD_REQUEST',
    );
  });

  it('unknown routes and methods → 404 NOT_FOUND (JSON); the old routes are off by default', async () => {
    await expectError(fetch(`${base}/api/v1/nope`), 404, 'NOT_FOUND');
    await expectError(fetch(`${base}/api/v1/detect`), 404, 'NOT_FOUND');
    await expectError(fetch(`${base}/`), 404, 'NOT_FOUND');
    await expectError(postForm(`${base}/api/v1/verify`, { reference: image(SHARON_A) }), 404, 'NOT_FOUND');
  });

  it('a file one byte over the upload limit → 413 PAYLOAD_TOO_LARGE; exactly at the limit is analysed', async () => {
    const bytes = photo(SHARON_A);
    const atLimit = await serve({ uploadLimitBytes: bytes.length });
    const ok = await postForm(`${atLimit}/api/v1/detect`, { image: { bytes } });
    expect(ok.status).toBe(200);
    const over = await serve({ uploadLimitBytes: bytes.length - 1 });
    const b = await expectError(postForm(`${over}/api/v1/detect`, { image: { bytes } }), 413, 'PAYLOAD_TOO_LARGE');
    expect(b.error.message).toContain(String(bytes.length - 1));
    // The connection survives: the same server answers the next request.
    expect((await postForm(`${over}/api/v1/detect`, { image: { bytes: bytes.slice(0, 100) } })).status).toBe(400);
    // JSON bodies are held to the limit too.
    const dim = pack.pack.recognizer.embeddingSize;
    const tiny = await serve({ uploadLimitBytes: 512 });
    const v = Array.from({ length: dim }, (_, i) => Math.cos(i));
    await expectError(postJson(`${tiny}/api/v1/compare`, { embedding1: v, embedding2: v }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('after all that, the server still serves', async () => {
    const r = await postForm(`${base}/api/v1/recognition`, { image: image(SHARON_A) });
    expect(r.status).toBe(200);
    expect((await body(r)).faces).toHaveLength(1);
    expect((await body(await fetch(`${base}/api/v1/health`))).ready).toBe(true);
  });
});

describe('over capacity', () => {
  it('answers 503 BUSY with Retry-After, and nothing else but 200', async () => {
    const bytes = photo(GROUP);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => postForm(`${base}/api/v1/recognition`, { image: { bytes } })),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.every((s) => s === 200 || s === 503),
      String(statuses),
    ).toBe(true);
    const busy = results.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.headers.get('retry-after')).toBe('1');
      await expectError(r, 503, 'BUSY');
    }
    expect((await postForm(`${base}/api/v1/detect`, { image: { bytes } })).status).toBe(200);
  });

  it('a pack without liveness: /liveness is 503 LIVENESS_UNAVAILABLE, recognition says so', async () => {
    const noLiveness: AnalysisEngine = {
      analyzeEncoded: async (bytes, params = {}) => ({
        ...(await pool.analyzeEncoded(bytes, { ...params, liveness: false })),
        ...(params.liveness ? { livenessAvailable: false } : {}),
      }),
      analyzeRgb: (rgb, w, h, params) => pool.analyzeRgb(rgb, w, h, params),
      status: () => ({ ...pool.status(), livenessAvailable: false }),
    };
    const url = await serve({}, { engine: noLiveness });
    await expectError(postForm(`${url}/api/v1/liveness`, { image: image(SHARON_A) }), 503, 'LIVENESS_UNAVAILABLE');
    const d = await body(await postForm(`${url}/api/v1/recognition`, { image: image(SHARON_A) }));
    expect(d.liveness_available).toBe(false);
    expect((d.faces as { liveness: unknown }[])[0].liveness).toBeNull();
    expect((await body(await fetch(`${url}/api/v1/health`))).liveness_available).toBe(false);
  });
});

describe('API keys (the real key service) and identities', () => {
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });

  it('a wrong, malformed or revoked key → 401 UNAUTHORIZED, even where no key is needed', async () => {
    await expectError(
      postForm(`${base}/api/v1/detect`, { image: image(SHARON_A) }, bearer('hadir_wrong')),
      401,
      'UNAUTHORIZED',
    );
    await expectError(
      postForm(`${base}/api/v1/detect`, { image: image(SHARON_A) }, { 'x-api-key': 'nope' }),
      401,
      'UNAUTHORIZED',
    );
    await expectError(
      postForm(`${base}/api/v1/detect`, { image: image(SHARON_A) }, { authorization: `Basic ${readKey}` }),
      401,
      'UNAUTHORIZED',
    );
    await expectError(
      postForm(`${base}/api/v1/detect`, { image: image(SHARON_A) }, bearer(revokedKey)),
      401,
      'UNAUTHORIZED',
    );
  });

  it('health needs no key and ignores a bad one', async () => {
    expect((await fetch(`${base}/api/v1/health`, { headers: bearer('hadir_wrong') })).status).toBe(200);
  });

  it('identities are named only for a key with the read scope', async () => {
    const recognise = async (headers: Record<string, string>) =>
      body(await postForm(`${base}/api/v1/recognition`, { image: image(SHARON_A) }, headers));
    expect((await recognise({})).identification).toBe('key_required');
    expect((await recognise(bearer(writeKey))).identification).toBe('key_required');
    expect((await recognise(bearer(readKey))).identification).toBe('empty_gallery');

    // Enroll Ariel Sharon from another photo of him.
    const person = faces.createPerson(actor, { employeeNumber: 'E-001', fullName: 'Ariel Sharon' });
    const a = await pool.analyzeEncoded(photo(SHARON_B));
    faces.templates.insert({
      personId: person.id,
      packId: pack.pack.id,
      embedding: a.faces[0].embedding!,
      source: 'upload',
    });

    const named = await recognise({ 'x-api-key': readKey });
    expect(named.identification).toBe('done');
    const id = (named.faces as { identity: Record<string, unknown> }[])[0].identity;
    expect(Object.keys(id).sort()).toEqual([
      'decision',
      'employee_number',
      'name',
      'person_id',
      'score',
      'second_score',
    ]);
    expect(id).toMatchObject({
      person_id: person.id,
      employee_number: 'E-001',
      name: 'Ariel Sharon',
      decision: 'match',
    });
    expect(id.score).toBeGreaterThan(pack.pack.thresholds!.match);
    // Still nothing for a caller without a read key, and health counts the template.
    const anon = await recognise({});
    expect((anon.faces as { identity: unknown }[])[0].identity).toBeNull();
    expect((await body(await fetch(`${base}/api/v1/health`))).gallery_size).toBe(1);
    // Someone else is not named.
    const other = await body(await postForm(`${base}/api/v1/recognition`, { image: image(POWELL) }, bearer(readKey)));
    expect((other.faces as { identity: { decision: string; name: unknown } }[])[0].identity).toMatchObject({
      decision: 'unknown',
      name: null,
    });
  });

  it('bound beyond loopback, every route but health needs a read key', async () => {
    const url = await serve({}, {}, '0.0.0.0');
    const form = () => ({ image: image(SHARON_A) });
    await expectError(postForm(`${url}/api/v1/detect`, form()), 401, 'UNAUTHORIZED');
    await expectError(postForm(`${url}/api/v1/recognition`, form()), 401, 'UNAUTHORIZED');
    await expectError(postForm(`${url}/api/v1/liveness`, form()), 401, 'UNAUTHORIZED');
    await expectError(
      postForm(`${url}/api/v1/compare`, { image1: image(SHARON_A), image2: image(SHARON_B) }),
      401,
      'UNAUTHORIZED',
    );
    await expectError(fetch(`${url}/api/v1/openapi.json`), 401, 'UNAUTHORIZED');
    await expectError(postForm(`${url}/api/v1/detect`, form(), bearer(writeKey)), 403, 'FORBIDDEN');
    await expectError(postForm(`${url}/api/v1/detect`, form(), bearer(revokedKey)), 401, 'UNAUTHORIZED');
    expect((await postForm(`${url}/api/v1/detect`, form(), bearer(readKey))).status).toBe(200);
    expect((await postForm(`${url}/api/v1/detect`, form(), { 'x-api-key': readKey })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
  });

  it('refuses to bind beyond loopback without keys, before loading the engine', async () => {
    const none = new ApiKeyService(tempDbForKeys());
    await expect(checkBind({ host: '0.0.0.0' }, none)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(checkBind({ host: '192.168.1.10' }, null)).rejects.toThrow(/requires API keys/);
    await expect(checkBind({ host: '0.0.0.0' }, keys)).resolves.toBeUndefined();
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2'])
      await expect(checkBind({ host }, null)).resolves.toBeUndefined();
    const t0 = Date.now();
    await expect(
      startServer({ config: { host: '0.0.0.0', port: 0 }, keys: none, log: () => {} }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('an in-memory verifier works the same (for a server without a store)', async () => {
    const url = await serve(
      {},
      { keys: staticKeyVerifier({ k1: { name: 'x', scopes: ['read'] } }), identity: null },
      '0.0.0.0',
    );
    expect((await postForm(`${url}/api/v1/detect`, { image: image(SHARON_A) }, bearer('k1'))).status).toBe(200);
    const d = await body(await postForm(`${url}/api/v1/recognition`, { image: image(SHARON_A) }, bearer('k1')));
    expect(d.identification).toBe('unavailable');
  });
});

const extraDbs: ReturnType<typeof tempDb>[] = [];
function tempDbForKeys() {
  const t = tempDb('hadir-api-keys-');
  extraDbs.push(t);
  return t.db;
}
afterAll(() => extraDbs.forEach((t) => t.cleanup()));

describe('browser attacks on a local server', () => {
  it('a Host header of another name (DNS rebinding) → 421 MISDIRECTED_REQUEST, on every route', async () => {
    const port = new URL(base).port;
    for (const p of ['/api/v1/health', '/api/v1/docs', '/api/v1/nope']) {
      const r = await rawRequest(`${base}${p}`, { headers: { host: `attacker.example:${port}` } });
      expect(r.status, p).toBe(421);
      expect(r.json()).toMatchObject({ error: { code: 'MISDIRECTED_REQUEST' } });
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost', `LOCALHOST:${port}`]) {
      expect((await rawRequest(`${base}/api/v1/health`, { headers: { host } })).status, host).toBe(200);
    }
    expect(
      (await rawRequest(`${base}/api/v1/health`, { headers: { host: `127.0.0.1.attacker.example:${port}` } })).status,
    ).toBe(421);
    const named = await serve({ allowedHosts: ['kiosk.lan'] });
    expect((await rawRequest(`${named}/api/v1/health`, { headers: { host: 'kiosk.lan:5010' } })).status).toBe(200);
  });

  it('sends no CORS headers and answers no preflight', async () => {
    const r = await fetch(`${base}/api/v1/health`, { headers: { origin: 'https://attacker.example' } });
    expect(r.status).toBe(200);
    for (const [k] of r.headers) expect(k.startsWith('access-control-')).toBe(false);
    const pre = await fetch(`${base}/api/v1/detect`, {
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(404);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limit', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a client spends its burst; health is exempt', async () => {
    const url = await serve({ rateLimit: { perSecond: 0.5, burst: 2 } });
    expect((await fetch(`${url}/api/v1/detect`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${url}/api/v1/detect`, { method: 'POST' })).status).toBe(400);
    const r = await fetch(`${url}/api/v1/detect`, { method: 'POST' });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expectError(r, 429, 'RATE_LIMITED');
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
  });
});

describe('OpenAPI document and docs page', () => {
  it('the served document is the committed docs/openapi.json (run `npm run openapi` after changing the API)', async () => {
    const served = await body(await fetch(`${base}/api/v1/openapi.json`));
    const committed = JSON.parse(readFileSync(path.join(repoRoot, 'docs', 'openapi.json'), 'utf8')) as unknown;
    expect(served).toEqual(committed);
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('describes every route with its fields, keys and errors', () => {
    const doc = openApiDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/',
        '/api/v1/compare',
        '/api/v1/detect',
        '/api/v1/extract-embedding',
        '/api/v1/health',
        '/api/v1/inference',
        '/api/v1/liveness',
        '/api/v1/recognition',
        '/api/v1/uploads',
        '/api/v1/verify',
        '/api/v1/verify-uploads',
        '/api/v1/identify',
        '/api/v1/people/{id}/faces',
        '/api/v1/attendance/check',
      ]),
    );
    // Every route of the renderer's contract is served and described (one route per path and method).
    for (const route of Object.values(HTTP_ROUTES)) {
      const p = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[p]?.[route.method.toLowerCase()], `${route.method} ${p}`).toBeDefined();
    }
    // And every documented route is in the served table.
    const documented = documentedRoutes().filter((d) => !d.hidden).length;
    expect(documented).toBeGreaterThan(40);
    expect(Object.keys(doc.paths['/api/v1/health']).sort()).toEqual(['get', 'post']);
    const detect = doc.paths['/api/v1/detect'].post as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
      responses: Record<string, unknown>;
    };
    expect(detect.requestBody.content['multipart/form-data'].schema.required).toEqual(['image']);
    expect(Object.keys(detect.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '503']));
    const compare = doc.paths['/api/v1/compare'].post as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(compare.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
  });

  it('serves a self-contained docs page', async () => {
    const r = await fetch(`${base}/api/v1/docs`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await r.text();
    for (const p of Object.keys(openApiDocument().paths)) expect(html).toContain(`<code>${p}</code>`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!localhost)/i);
  });
});
