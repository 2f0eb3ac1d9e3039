import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AttendanceOutcome, AttendanceRecord } from '../../shared/attendance';
import type { AnalyzedFace, BBox, ImageAnalysis, Landmarks5 } from '../../shared/face';
import type { Identity } from '../../shared/identity';
import type { AuditRecord } from '../store/audit-repo';
import type { AnalyzeRequest, FaceAnalyzer } from './analyzer';
import type { RecognitionInput } from './attendance-service';
import type { CheckinPolicySettings } from './checkin-policy';
import { TestClock } from './clock';
import { KioskService, meanBoxBrightness } from './kiosk-service';

const W = 320;
const H = 240;
let grey: Uint8Array;
let dark: Uint8Array;

beforeAll(async () => {
  const jpeg = (level: number) =>
    sharp({ create: { width: W, height: H, channels: 3, background: { r: level, g: level, b: level } } })
      .jpeg()
      .toBuffer();
  grey = new Uint8Array(await jpeg(128));
  dark = new Uint8Array(await jpeg(20));
});

/** A face centred at (cx, cy) with eyes `eyes` pixels apart. */
function face(
  opts: { cx?: number; cy?: number; eyes?: number; pReal?: number | null; embedding?: number } = {},
): AnalyzedFace {
  const { cx = 160, cy = 120, eyes = 50, pReal = 0.97, embedding = 1 } = opts;
  const half = eyes * 1.1;
  const bbox: BBox = [cx - half, cy - half * 1.3, cx + half, cy + half * 1.3];
  const landmarks: Landmarks5 = [
    [cx - eyes / 2, cy - 10],
    [cx + eyes / 2, cy - 10],
    [cx, cy + 5],
    [cx - eyes / 2.5, cy + 25],
    [cx + eyes / 2.5, cy + 25],
  ];
  const f: AnalyzedFace = { bbox, landmarks, score: 0.9, embedding: new Float32Array([embedding, 0, 0]) };
  if (pReal !== null) f.liveness = { p_real: pReal, decision: pReal >= 0.5 ? 'real' : 'spoof' };
  return f;
}

const person = (id: number, name: string, score = 0.7): Identity => ({
  person_id: id,
  employee_number: `E${id}`,
  name,
  score,
  second_score: 0.1,
  decision: 'match',
});
const stranger: Identity = {
  person_id: null,
  employee_number: null,
  name: null,
  score: 0.1,
  second_score: 0.05,
  decision: 'unknown',
};

function record(over: Partial<AttendanceRecord> = {}): AttendanceRecord {
  return {
    id: 1,
    person_id: 7,
    employee_number: 'E7',
    full_name: 'Siti Rahma',
    unit: null,
    local_date: '2026-11-25',
    check_in_at: '2026-11-25T01:00:00.000Z',
    check_out_at: null,
    late: false,
    kiosk_id: 'k1',
    similarity: 0.7,
    liveness: 0.9,
    check_out_kiosk_id: null,
    check_out_similarity: null,
    check_out_liveness: null,
    decided_by: 'face',
    clock_flag: null,
    note: null,
    created_at: '2026-11-25T01:00:00.000Z',
    updated_at: '2026-11-25T01:00:00.000Z',
    ...over,
  };
}

interface Rig {
  kiosk: KioskService;
  clock: TestClock;
  /** What the analyzer returns next (faces) and the identities the identifier gives them. */
  next: { faces: AnalyzedFace[]; ids: Identity[]; livenessAvailable?: boolean };
  requests: AnalyzeRequest[];
  recorded: RecognitionInput[];
  audits: AuditRecord[];
  outcome: () => AttendanceOutcome;
  settings: CheckinPolicySettings;
  frame: (kioskId?: string, jpeg?: Uint8Array) => ReturnType<KioskService['submitFrame']>;
}

function rig(settings: Partial<CheckinPolicySettings> = {}): Rig {
  const clock = new TestClock('2026-11-25T01:00:00Z');
  const r = {
    clock,
    next: { faces: [face()], ids: [person(7, 'Siti Rahma')] },
    requests: [],
    recorded: [],
    audits: [],
    outcome: (): AttendanceOutcome => ({ kind: 'checked_in', record: record(), late: false }),
    settings: { requiredFrames: 3, requireLiveness: true, challenge: null, ...settings },
  } as unknown as Rig;
  const analyzer: FaceAnalyzer = {
    pack: {} as FaceAnalyzer['pack'],
    analyzeImage: async (img, req = {}) => {
      r.requests.push(req);
      clock.advance(100); // frames ~10 a second
      const a: ImageAnalysis = {
        width: img.width,
        height: img.height,
        faces: r.next.faces,
        timings: { decode: 0, detect: 0, align: 0, embed: 0 },
      };
      if (req.liveness) a.livenessAvailable = r.next.livenessAvailable ?? true;
      return a;
    },
  };
  r.kiosk = new KioskService({
    analyzer,
    identifier: { identifyFaces: (probes) => probes.map((_, i) => r.next.ids[i] ?? stranger) },
    attendance: {
      recordRecognition: (input) => {
        r.recorded.push(input);
        return r.outcome();
      },
    },
    audit: { record: (a) => r.audits.push(a) },
    settings: () => r.settings,
    livenessThreshold: () => 0.5,
    clock,
  });
  // A live camera never delivers the same pixels twice: each default frame differs (see frame-fusion.ts).
  r.frame = async (kioskId = 'k1', jpeg) =>
    r.kiosk.submitFrame({ kioskId, jpeg: jpeg ?? (await freshGrey()), width: W, height: H });
  return r;
}

let frameNo = 0;
/** A mid-grey frame whose pixels differ from every other's (one pixel carries a counter). */
async function freshGrey(): Promise<Uint8Array> {
  const raw = Buffer.alloc(W * H * 3, 128);
  const n = ++frameNo;
  // A band of its own grey level at its own height: JPEG cannot round it away, and no two of any 120 agree.
  const row = 8 * (n % 10);
  raw.fill(60 + (n % 120), 3 * W * row, 3 * W * (row + 8));
  return new Uint8Array(
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
      .jpeg()
      .toBuffer(),
  );
}

describe('KioskService: check-in policy on streamed frames', () => {
  it('counts a replayed frame (the same pixels again) toward nothing: a still image never checks in', async () => {
    const r = rig();
    const still = await freshGrey();
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await r.frame('k1', still));
    expect(replies[0].progress).toEqual({ frames: 1, required: 3 });
    for (const x of replies.slice(1)) expect(x).toMatchObject({ progress: null, event: null });
    expect(r.recorded).toHaveLength(0);
    // The face is still drawn on a replayed frame.
    expect(replies[5].faces).toHaveLength(1);
    // Live frames carry on from where the streak was.
    const live = [await r.frame(), await r.frame()];
    expect(live.map((x) => x.progress)).toEqual([
      { frames: 2, required: 3 },
      { frames: 3, required: 3 },
    ]);
    expect(r.recorded).toHaveLength(1);
  });

  it('identifies the main face by its embedding averaged over the frames of one tracked face', async () => {
    const r = rig();
    const seen: Float32Array[] = [];
    (
      r.kiosk as unknown as { deps: { identifier: { identifyFaces: (p: Float32Array[]) => Identity[] } } }
    ).deps.identifier = {
      identifyFaces: (probes) => {
        seen.push(probes[0]);
        return [person(7, 'Siti Rahma')];
      },
    };
    const emb = (v: number[]) => ({ ...face(), embedding: new Float32Array(v) });
    r.next.faces = [emb([1, 0, 0])];
    await r.frame();
    r.next.faces = [emb([0, 1, 0])];
    await r.frame();
    expect(Array.from(seen[0])).toEqual([1, 0, 0]);
    expect(seen[1][0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(seen[1][1]).toBeCloseTo(Math.SQRT1_2, 6);
    // Another face somewhere else in the picture starts a new window.
    r.next.faces = [{ ...face({ cx: 40, cy: 40 }), embedding: new Float32Array([0, 0, 1]) }];
    await r.frame();
    expect(Array.from(seen[2])).toEqual([0, 0, 1]);
  });

  it('checks in after 3 consecutive real frames of one person, with the weakest scores as evidence', async () => {
    const r = rig();
    const scores = [0.71, 0.64, 0.69];
    const pReals = [0.97, 0.91, 0.95];
    const replies = [];
    for (let i = 0; i < 3; i++) {
      r.next.faces = [face({ pReal: pReals[i] })];
      r.next.ids = [person(7, 'Siti Rahma', scores[i])];
      replies.push(await r.frame());
    }
    expect(replies.map((x) => x.progress)).toEqual([
      { frames: 1, required: 3 },
      { frames: 2, required: 3 },
      { frames: 3, required: 3 },
    ]);
    expect(replies.slice(0, 2).every((x) => x.event === null)).toBe(true);
    expect(replies[2].event).toEqual({
      kind: 'checked_in',
      name: 'Siti Rahma',
      time: '2026-11-25T01:00:00.000Z',
      late: false,
    });
    expect(r.recorded).toEqual([{ person: 7, similarity: 0.64, liveness: 0.91, kioskId: 'k1' }]);
    expect(r.requests.every((q) => q.liveness === true)).toBe(true);
    // The face is drawn with its name (a live match), in frame pixels.
    expect(replies[0]).toMatchObject({ frameWidth: W, frameHeight: H, guidance: null });
    expect(replies[0].faces[0]).toMatchObject({ name: 'Siti Rahma', decision: 'match', liveness: 'real' });
  });

  it('maps the attendance outcome to the event (cooldown, already checked in, closed)', async () => {
    const r = rig({ requiredFrames: 1 });
    r.outcome = () => ({ kind: 'cooldown', retry_after_s: 42 });
    expect((await r.frame()).event).toEqual({ kind: 'cooldown', retryAfterSeconds: 42 });
    r.outcome = () => ({ kind: 'already_checked_in', record: record(), late: true });
    expect((await r.frame()).event).toMatchObject({ kind: 'already_checked_in', name: 'Siti Rahma', late: true });
    r.outcome = () => ({ kind: 'closed' });
    expect((await r.frame()).event).toEqual({ kind: 'closed' });
  });

  it('never records a spoof: a spoof frame resets the count, a run of them is refused and audited without an image', async () => {
    const r = rig();
    await r.frame();
    await r.frame();
    r.next.faces = [face({ pReal: 0.02 })];
    const spoofs = [await r.frame(), await r.frame(), await r.frame()];
    expect(spoofs.map((x) => x.event)).toEqual([null, null, { kind: 'spoof' }]);
    // A photo of an enrolled person is not named on the overlay.
    expect(spoofs[0].faces[0].name).toBeUndefined();
    expect(spoofs[0].faces[0].liveness).toBe('spoof');
    expect(r.recorded).toEqual([]);
    expect(r.audits).toHaveLength(1);
    expect(r.audits[0]).toMatchObject({
      actor: { type: 'kiosk', id: 'k1' },
      action: 'kiosk.spoof',
      details: { frames: 3, min_p_real: 0.02, max_p_real: 0.02, threshold: 0.5, resembles_person_id: 7 },
    });
    expect(JSON.stringify(r.audits[0].details)).not.toMatch(/embedding|jpeg|image/);
    // Still holding the photo: not told (nor audited) again within the repeat interval.
    expect((await r.frame()).event).toBeNull();
    await r.frame();
    await r.frame();
    expect(r.audits).toHaveLength(1);
    // Back to real: the count starts from one.
    r.next.faces = [face()];
    expect((await r.frame()).progress).toEqual({ frames: 1, required: 3 });
  });

  it('refuses when liveness is required but unavailable (fails closed)', async () => {
    const r = rig();
    r.next.livenessAvailable = false;
    r.next.faces = [face({ pReal: null })];
    const replies = [await r.frame(), await r.frame(), await r.frame(), await r.frame()];
    expect(replies[0].event).toEqual({ kind: 'liveness_unavailable' });
    expect(replies.slice(1).every((x) => x.event === null)).toBe(true); // not repeated every frame
    expect(r.recorded).toEqual([]);
  });

  it('with liveness off (a site choice) does not ask for it and still needs the frames to agree', async () => {
    const r = rig({ requireLiveness: false });
    r.next.faces = [face({ pReal: null })];
    await r.frame();
    await r.frame();
    expect((await r.frame()).event?.kind).toBe('checked_in');
    expect(r.requests.every((q) => q.liveness === false)).toBe(true);
    expect(r.recorded[0].liveness).toBeNull();
  });

  it('says unknown after the same number of frames, once while the face stays, again after it left', async () => {
    const r = rig();
    r.next.ids = [stranger];
    const first = [await r.frame(), await r.frame(), await r.frame()];
    expect(first.map((x) => x.event)).toEqual([null, null, { kind: 'unknown' }]);
    expect(first[0].faces[0]).toMatchObject({ decision: 'unknown' });
    expect(first[0].faces[0].name).toBeUndefined();
    expect([await r.frame(), await r.frame(), await r.frame()].map((x) => x.event)).toEqual([null, null, null]);
    r.next.faces = [];
    expect((await r.frame()).guidance).toBe('no_face');
    r.next.faces = [face()];
    expect([await r.frame(), await r.frame(), await r.frame()].map((x) => x.event)).toEqual([
      null,
      null,
      { kind: 'unknown' },
    ]);
    expect(r.recorded).toEqual([]);
  });

  it('an identity change or a pause in the stream starts the count again', async () => {
    const r = rig();
    await r.frame();
    await r.frame();
    r.next.ids = [person(8, 'Budi')];
    expect((await r.frame()).progress).toEqual({ frames: 1, required: 3 });
    await r.frame();
    r.clock.advance(5000);
    expect((await r.frame()).progress).toEqual({ frames: 1, required: 3 });
    expect(r.recorded).toEqual([]);
  });

  it('tracks each kiosk on its own', async () => {
    const r = rig();
    await r.frame('k1');
    await r.frame('k2');
    await r.frame('k1');
    expect((await r.frame('k2')).progress).toEqual({ frames: 2, required: 3 });
    expect((await r.frame('k1')).event?.kind).toBe('checked_in');
    expect(r.recorded.map((x) => x.kioskId)).toEqual(['k1']);
    expect(r.kiosk.status().kiosks).toBe(2);
  });

  it('gives guidance: no face, too far, too many, too dark', async () => {
    const r = rig();
    r.next.faces = [];
    expect(await r.frame()).toMatchObject({ faces: [], guidance: 'no_face', event: null });
    r.next.faces = [face({ eyes: 16 })];
    const far = await r.frame();
    expect(far.guidance).toBe('too_far');
    expect(far.progress).toBeNull();
    r.next.faces = [face({ cx: 90 }), face({ cx: 230, eyes: 45 })];
    r.next.ids = [person(7, 'Siti Rahma'), person(8, 'Budi')];
    expect((await r.frame()).guidance).toBe('too_many');
    // A small face far behind is not "too many".
    r.next.faces = [face({ cx: 120 }), face({ cx: 280, eyes: 18 })];
    expect((await r.frame()).guidance).toBeNull();
    r.next.faces = [face()];
    r.next.ids = [person(7, 'Siti Rahma')];
    const dim = await r.frame('k1', dark);
    expect(dim.guidance).toBe('too_dark');
    expect(r.recorded).toEqual([]);
  });

  it('checks the stated frame size against the picture, and takes one frame per kiosk at a time', async () => {
    const r = rig();
    await expect(r.kiosk.submitFrame({ kioskId: 'k1', jpeg: grey, width: 640, height: 480 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('not the stated 640×480') as string,
    });
    await expect(r.kiosk.submitFrame({ kioskId: '../x', jpeg: grey, width: W, height: H })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      r.kiosk.submitFrame({ kioskId: 'k1', jpeg: new Uint8Array([1, 2, 3]), width: W, height: H }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/UNSUPPORTED_FORMAT|CORRUPT_IMAGE/) as string,
    });
    // Both frames ready first, so the second really arrives while the first is being analysed.
    const [f1, f2] = [await freshGrey(), await freshGrey()];
    const [a, b] = await Promise.allSettled([r.frame('k1', f1), r.frame('k1', f2)]);
    expect(a.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { code: 'BUSY' } });
  });

  it('a person deleted between identification and the check-in is not greeted', async () => {
    const r = rig({ requiredFrames: 1 });
    const { HadirError } = await import('../../shared/errors');
    r.outcome = () => {
      throw new HadirError('NOT_FOUND', 'no person 7');
    };
    expect((await r.frame()).event).toEqual({ kind: 'unknown' });
  });

  it('rebuilds the policy when the settings change', async () => {
    const r = rig();
    await r.frame();
    await r.frame();
    r.settings = { ...r.settings, requiredFrames: 2 };
    expect((await r.frame()).progress).toEqual({ frames: 1, required: 2 });
    expect((await r.frame()).event?.kind).toBe('checked_in');
  });

  it('forgets idle kiosks and caps how many it tracks', async () => {
    const r = rig();
    const k = new KioskService({
      ...(r.kiosk as unknown as { deps: ConstructorParameters<typeof KioskService>[0] }).deps,
      limits: { maxTracks: 2 },
    });
    for (const id of ['a', 'b', 'c']) await k.submitFrame({ kioskId: id, jpeg: grey, width: W, height: H });
    expect(k.status().kiosks).toBe(2);
    r.clock.advance(120_000);
    expect(k.status().kiosks).toBe(0);
  });
});

describe('meanBoxBrightness', () => {
  it('averages the grey level inside the box, clipped to the picture', () => {
    const img = { width: 4, height: 2, data: new Uint8Array(4 * 2 * 3).fill(100) };
    img.data.fill(200, 0, 6); // two bright pixels at the top left
    expect(meanBoxBrightness(img, [0, 0, 2, 1])).toBeCloseTo(200, 0);
    expect(meanBoxBrightness(img, [-10, -10, 40, 40])).toBeCloseTo(125, 0);
    expect(meanBoxBrightness(img, [5, 5, 6, 6])).toBe(0);
  });
});
