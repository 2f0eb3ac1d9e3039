import { mkdir, mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HadirError } from '../../shared/errors';
import type { AnalyzedFace, BBox, ImageAnalysis, LivenessResult } from '../../shared/face';
import { answerUpload, legacyAntiSpoofAnswer, readUpload, resolveUploadName } from './legacy-antispoof';

const face = (bbox: BBox, liveness?: LivenessResult): AnalyzedFace => ({
  bbox,
  score: 0.9,
  landmarks: [
    [0, 0],
    [1, 0],
    [0.5, 0.5],
    [0, 1],
    [1, 1],
  ],
  ...(liveness ? { liveness } : {}),
});
const analysis = (faces: AnalyzedFace[], livenessAvailable: boolean | undefined = true): ImageAnalysis => ({
  width: 640,
  height: 480,
  faces,
  timings: { decode: 0, detect: 0, align: 0, embed: 0 },
  ...(livenessAvailable === undefined ? {} : { livenessAvailable }),
});
const policy = { threshold: 0.5 };
const FAIL = { prediction: 'fake', confidence: 1, prob_real: 0, prob_fake: 1, threshold_used: 0.5 };

describe('legacyAntiSpoofAnswer', () => {
  it('answers real with the probabilities of the main face', () => {
    const body = legacyAntiSpoofAnswer(
      { analysis: analysis([face([0, 0, 100, 100], { p_real: 0.9, decision: 'real' })]) },
      policy,
    );
    expect(body.prediction).toBe('real');
    expect(body.confidence).toBeCloseTo(0.9, 12);
    expect(body.prob_real).toBeCloseTo(0.9, 12);
    expect(body.prob_fake).toBeCloseTo(0.1, 12);
    expect(body.threshold_used).toBe(0.5);
    expect(body.error).toBeUndefined();
  });

  it('answers fake below the threshold, with the confidence of "fake"', () => {
    const body = legacyAntiSpoofAnswer(
      { analysis: analysis([face([0, 0, 100, 100], { p_real: 0.2, decision: 'spoof' })]) },
      policy,
    );
    expect(body).toMatchObject({ prediction: 'fake', threshold_used: 0.5 });
    expect(body.confidence).toBeCloseTo(0.8, 12);
    expect(body.error).toBeUndefined();
  });

  it('judges the largest face: a small real face beside a large spoof is fake', () => {
    const faces = [
      face([0, 0, 20, 20], { p_real: 0.99, decision: 'real' }),
      face([100, 100, 300, 300], { p_real: 0.1, decision: 'spoof' }),
    ];
    expect(legacyAntiSpoofAnswer({ analysis: analysis(faces) }, policy).prediction).toBe('fake');
    const flipped = [
      face([0, 0, 200, 200], { p_real: 0.99, decision: 'real' }),
      face([300, 300, 320, 320], { p_real: 0.1, decision: 'spoof' }),
    ];
    expect(legacyAntiSpoofAnswer({ analysis: analysis(flipped) }, policy).prediction).toBe('real');
    expect(legacyAntiSpoofAnswer({ analysis: analysis(flipped) }, { ...policy, allowMultipleFaces: false })).toEqual({
      ...FAIL,
      error: { code: 'MULTIPLE_FACES', message: expect.stringMatching(/2 faces/) },
    });
  });

  it('fails closed with an error for no face, liveness unavailable or not run, and an unjudged face', () => {
    expect(legacyAntiSpoofAnswer({ analysis: analysis([]) }, policy)).toMatchObject({
      ...FAIL,
      error: { code: 'NO_FACE' },
    });
    const f = face([0, 0, 100, 100]);
    for (const available of [false, undefined]) {
      expect(legacyAntiSpoofAnswer({ analysis: analysis([f], available) }, policy)).toMatchObject({
        ...FAIL,
        error: { code: 'LIVENESS_UNAVAILABLE' },
      });
    }
    expect(legacyAntiSpoofAnswer({ analysis: analysis([f], true) }, policy).error?.code).toBe('LIVENESS_UNAVAILABLE');
    const nan = face([0, 0, 100, 100], { p_real: Number.NaN, decision: 'spoof' });
    expect(legacyAntiSpoofAnswer({ analysis: analysis([nan]) }, policy)).toMatchObject(FAIL);
  });

  it('turns any error into a fake answer carrying the error', () => {
    const corrupt = new HadirError('CORRUPT_IMAGE', 'the image data is damaged');
    expect(legacyAntiSpoofAnswer({ error: corrupt }, policy)).toEqual({ ...FAIL, error: corrupt.toInfo() });
    expect(legacyAntiSpoofAnswer({ error: new Error('boom') }, policy)).toEqual({
      ...FAIL,
      error: { code: 'INTERNAL', message: 'boom' },
    });
  });
});

describe('uploads folder', () => {
  let root: string;
  let uploads: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'hadir-uploads-'));
    uploads = path.join(root, 'uploads');
    outside = path.join(root, 'secret.jpg');
    await mkdir(uploads);
    await mkdir(path.join(uploads, 'sub'));
    await writeFile(path.join(uploads, 'face.jpg'), 'JPEG BYTES');
    await writeFile(path.join(uploads, 'sub', 'inner.jpg'), 'INNER');
    await writeFile(outside, 'SECRET');
    await symlink(outside, path.join(uploads, 'escape.jpg'));
    await symlink(path.join(root, 'missing.jpg'), path.join(uploads, 'dangling.jpg'));
    await symlink(path.join(uploads, 'face.jpg'), path.join(uploads, 'alias.jpg'));
    await symlink(root, path.join(uploads, 'up'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('accepts a plain file name in the folder, and a link to another file in it', async () => {
    expect(new TextDecoder().decode(await readUpload(uploads, 'face.jpg'))).toBe('JPEG BYTES');
    expect(new TextDecoder().decode(await readUpload(uploads, 'alias.jpg'))).toBe('JPEG BYTES');
  });

  it('refuses a named upload over the size limit without reading it whole', async () => {
    await writeFile(path.join(uploads, 'huge.jpg'), Buffer.alloc(2048, 0xff));
    await expect(readUpload(uploads, 'huge.jpg', 1024)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await readUpload(uploads, 'huge.jpg', 2048)).byteLength).toBe(2048);
    const analyze = async () => analysis([face([0, 0, 100, 100], { p_real: 0.97, decision: 'real' })]);
    expect(await answerUpload(uploads, 'huge.jpg', analyze, policy, 1024)).toMatchObject({ prediction: 'fake' });
  });

  it.each([
    '',
    '.',
    '..',
    '../secret.jpg',
    'sub/inner.jpg',
    'sub\\inner.jpg',
    '/etc/passwd',
    'C:secret.jpg',
    'face.jpg\0.png',
    'up/secret.jpg',
    'x'.repeat(256),
  ])('refuses the name %j as not a plain file name', async (name) => {
    await expect(resolveUploadName(uploads, name)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers missing, a link out of the folder, a dangling link and a folder alike (no existence oracle)', async () => {
    const errors = [];
    for (const name of ['nope.jpg', 'escape.jpg', 'dangling.jpg', 'sub', 'up']) {
      errors.push(
        await readUpload(uploads, name).then(
          () => null,
          (e: HadirError) => e.toInfo(),
        ),
      );
    }
    expect(errors).toEqual(Array(5).fill({ code: 'NOT_FOUND', message: errors[0]!.message }));
  });

  it('answers an entry that cannot be opened (a socket) like a missing one', async () => {
    const sock = path.join(uploads, 'socket.jpg');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const missing = await readUpload(uploads, 'nope.jpg').catch((e: HadirError) => e.toInfo());
      await expect(readUpload(uploads, 'socket.jpg')).rejects.toMatchObject(missing);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // Root reads any file whatever its mode, so this one runs only as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('answers an unreadable file like a missing one', async () => {
    const locked = path.join(uploads, 'locked.jpg');
    await writeFile(locked, 'LOCKED');
    await chmod(locked, 0o000);
    const missing = await readUpload(uploads, 'nope.jpg').catch((e: HadirError) => e.toInfo());
    await expect(readUpload(uploads, 'locked.jpg')).rejects.toMatchObject(missing);
  });

  it('answerUpload never throws: every failure is a fake answer, and nothing is analysed after a bad name', async () => {
    const analyze = vi.fn(async () => analysis([face([0, 0, 100, 100], { p_real: 0.97, decision: 'real' })]));
    expect(await answerUpload(uploads, 'face.jpg', analyze, policy)).toMatchObject({
      prediction: 'real',
      prob_real: 0.97,
    });
    expect(analyze).toHaveBeenCalledTimes(1);
    expect(await answerUpload(uploads, '../secret.jpg', analyze, policy)).toMatchObject({
      ...FAIL,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await answerUpload(uploads, 'escape.jpg', analyze, policy)).toMatchObject({
      ...FAIL,
      error: { code: 'NOT_FOUND' },
    });
    expect(analyze).toHaveBeenCalledTimes(1);
    const unreadable = async () => {
      throw new HadirError('UNSUPPORTED_FORMAT', 'not an image');
    };
    expect(await answerUpload(uploads, 'face.jpg', unreadable, policy)).toMatchObject({
      ...FAIL,
      error: { code: 'UNSUPPORTED_FORMAT' },
    });
  });
});
