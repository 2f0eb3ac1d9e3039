/**
 * Test helpers for model file management: real model files from the shared folder, env overrides,
 * temp folders, a small zip writer (tests build their own archives, including hostile ones) and a
 * local HTTP server standing in for a download site.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Manifest, ModelPack } from '../engine/manifest';
import { modelsDir } from './paths';

/** The real model files live in the shared folder (HADIR_MODELS_DIR, else ../shared/models), read at import time. */
export const sharedModelsDir = modelsDir;

export const SMALL_MODELS = {
  det: { file: 'det_500m.onnx', sha256: '5e4447f50245bbd7966bd6c0fa52938c61474a04ec7def48753668a9d8b4ea3a' },
  livenessV2: {
    file: '2.7_80x80_MiniFASNetV2.onnx',
    sha256: '9f6e12da12ab1aa751540b3ca6ca6e67335e45d7b0a26ed24ca9464b654b926f',
  },
  livenessV1SE: {
    file: '4_0_0_80x80_MiniFASNetV1SE.onnx',
    sha256: '4e0da18d3a965a4fa4a0924f3ad93b8c0559a04472ada9f6506d13527059e0d2',
  },
} as const;

export const haveSharedModels = Object.values(SMALL_MODELS).every((m) =>
  existsSync(path.join(sharedModelsDir, m.file)),
);

export function sharedModel(file: string): string {
  return path.join(sharedModelsDir, file);
}

/**
 * A test-only pack over small real files. File management never looks inside a model, so a
 * liveness network stands in for the recognizer; its hash is left unknown (null) to exercise pinning,
 * as InsightFace's buffalo packs do.
 */
export function testPack(overrides: Partial<ModelPack> = {}): ModelPack {
  return {
    id: 'test-pack',
    name: 'Test pack',
    license: {
      id: 'test-licence',
      summary: 'For tests only; not for any use.',
      url: 'https://example.invalid/licence',
    },
    source: 'local',
    detector: { ...SMALL_MODELS.det, detSizes: [640], scoreThreshold: 0.5, nmsThreshold: 0.4 },
    recognizer: {
      file: SMALL_MODELS.livenessV2.file,
      sha256: null,
      embeddingSize: 128,
      input: {
        size: 112,
        layout: 'NCHW',
        channelOrder: 'RGB',
        mean: [127.5, 127.5, 127.5],
        std: [127.5, 127.5, 127.5],
      },
    },
    liveness: [{ ...SMALL_MODELS.livenessV1SE, scale: 4, size: 80, channelOrder: 'BGR', realClass: 1 }],
    thresholds: null,
    ...overrides,
  };
}

export function testManifest(packs: ModelPack[]): Manifest {
  return { version: 1, defaultPack: packs[0]!.id, packs };
}

/** Set (or, with undefined, unset) env vars; returns the function that restores them. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(vars);
  return () => apply(saved);
}

/** A fresh temp folder and its removal. */
export async function tempDir(prefix = 'hadir-models-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// --- a minimal zip writer (stored or deflated members, no zip64) ---

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  /** Member name; a trailing "/" makes a folder entry. Written as given, so tests can make hostile names. */
  name: string;
  data?: Uint8Array;
  deflate?: boolean;
}

export function makeZip(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    const body = e.deflate ? deflateRawSync(data) : data;
    const method = e.deflate ? 8 : 0;
    const crc = crc32(data);
    const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(dosDate, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);

    parts.push(local, name, body);
    central.push(cd, name);
    offset += local.length + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, eocd]);
}

// --- a local download site ---

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** What to serve at a path; anything else is a 404. Replace entries between requests to simulate tampering. */
  files: Map<string, Buffer>;
  requests: string[];
  close: () => Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
