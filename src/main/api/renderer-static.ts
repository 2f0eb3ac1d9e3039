import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HadirError } from '../../shared/errors';

/**
 * A built web page served from memory under a path prefix: the kiosk's renderer (`npm run build` →
 * out/renderer) under `/app/`, so a tablet at the door can be the kiosk and the renderer can be tested
 * in a browser, and the hub's admin console (`npm run build:admin` → out/admin) under `/admin/`. The
 * files are read once, when the server starts, into memory: a request names an entry of that table or
 * nothing, so no request path ever reaches the file system (no traversal, no directory listing, no
 * symlink surprises). A path without a file extension that is not a file gets index.html (the page's
 * own screens); a missing asset is a 404. Every answer carries the page's strict
 * Content-Security-Policy as a header too (the header can also forbid framing, which the page's meta
 * tag cannot).
 */

export const APP_PREFIX = '/app/';

/** The page's policy (the same as the meta tag in src/renderer/index.html) plus what only a header can say. */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.gif': 'image/gif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wasm': 'application/wasm',
};

/**
 * The renderer's build is about 2 MB (unminified; the attendance charts' ECharts is most of it), the
 * console's about as much; a folder far larger than this bound is not a page's build. The bound leaves
 * room for growth.
 */
const MAX_TOTAL_BYTES = 64 * 1024 * 1024;

interface StaticFile {
  body: Buffer;
  type: string;
  /** Vite's hashed assets never change under their name: cache them; everything else is revalidated. */
  immutable: boolean;
}

/** Every file under `root` (relative POSIX path → contents), read once; `what` names the page in errors. */
export function loadStaticFiles(
  root: string,
  what = 'the renderer build',
  build = 'npm run build',
): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let total = 0;
  const walk = (dir: string, rel: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      // Hidden files (.DS_Store, .e2e locks) and links are not part of a build.
      if (entry.name.startsWith('.') || entry.isSymbolicLink()) continue;
      const abs = path.join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(abs, relPath);
      } else if (entry.isFile()) {
        const body = readFileSync(abs);
        total += body.byteLength;
        if (total > MAX_TOTAL_BYTES) throw new HadirError('BAD_REQUEST', `${root} is too large to be ${what}`);
        const ext = path.extname(entry.name).toLowerCase();
        files.set(relPath, {
          body,
          type: TYPES[ext] ?? 'application/octet-stream',
          immutable: relPath.startsWith('assets/') && /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(entry.name),
        });
      }
    }
  };
  walk(root, '');
  if (!files.has('index.html'))
    throw new HadirError('NOT_FOUND', `${root} has no index.html: build it first (${build})`);
  return files;
}

/** The renderer's files (see {@link loadStaticFiles}). */
export function loadRendererFiles(root: string): Map<string, StaticFile> {
  return loadStaticFiles(root);
}

/** Whether `dir` looks like a page's build (has an index.html). */
export function isRendererBuild(dir: string): boolean {
  try {
    return statSync(path.join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}

export interface StaticPage {
  /** The path the page lives under, with both slashes: `/app/`, `/admin/`. */
  prefix: string;
  /** The Content-Security-Policy header of every answer. */
  csp: string;
  /** The Permissions-Policy header of every answer. */
  permissions: string;
}

export const RENDERER_PAGE: StaticPage = {
  prefix: APP_PREFIX,
  csp: RENDERER_CSP,
  permissions: 'camera=(self), microphone=(), geolocation=()',
};

function send(reply: FastifyReply, page: StaticPage, file: StaticFile, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', file.type)
    .header('content-security-policy', page.csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('permissions-policy', page.permissions)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(file.body);
}

/**
 * Register `GET <prefix>*` (and the prefix without its slash → the prefix) for a page whose files are
 * `files` (from {@link loadStaticFiles}).
 */
export function staticPageMount(page: StaticPage, files: Map<string, StaticFile>): (app: FastifyInstance) => void {
  const index = files.get('index.html');
  if (!index) throw new HadirError('NOT_FOUND', `the page under ${page.prefix} has no index.html`);
  const bare = page.prefix.replace(/\/$/, '');
  return (app) => {
    app.get(bare, (_req, reply) => reply.redirect(page.prefix, 308));
    app.get(`${page.prefix}*`, (req, reply) => {
      // The wildcard as sent (percent-decoded by the router), without a query string.
      const raw = (req.params as { '*'?: string })['*'] ?? '';
      const rel = raw.replace(/^\/+/, '');
      if (rel === '' || rel === 'index.html') return send(reply, page, index);
      const file = files.get(rel);
      if (file) return send(reply, page, file);
      // A screen's path (no extension) is the page itself; a missing asset is a plain 404.
      const last = rel.split('/').pop() ?? '';
      if (!last.includes('.') && !rel.startsWith('assets/')) return send(reply, page, index);
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no file ${rel} under ${page.prefix}` } });
    });
  };
}

/** One page answered for every path under the prefix (e.g. "this page is not built yet"). */
export function placeholderPageMount(page: StaticPage, html: string): (app: FastifyInstance) => void {
  const file: StaticFile = { body: Buffer.from(html, 'utf8'), type: TYPES['.html'], immutable: false };
  return staticPageMount(page, new Map([['index.html', file]]));
}

/**
 * Register `GET /app/*` (and `/app` → `/app/`) on a server: pass as `deps.mount`. Throws at once when
 * `root` is not a renderer build, so a misconfigured server fails at start rather than on first use.
 */
export function rendererMount(root: string): (app: FastifyInstance) => void {
  if (!existsSync(root)) throw new HadirError('NOT_FOUND', `no renderer build at ${root} (npm run build)`);
  return staticPageMount(RENDERER_PAGE, loadRendererFiles(root));
}
