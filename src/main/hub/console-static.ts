import type { FastifyInstance } from 'fastify';
import {
  isRendererBuild,
  loadStaticFiles,
  placeholderPageMount,
  type StaticPage,
  staticPageMount,
} from '../api/renderer-static';

/**
 * The hub's admin console (`npm run build:admin` → out/admin, vite.admin.config.ts) under `/admin/`,
 * served from memory as the kiosk serves its renderer (api/renderer-static.ts): no request path reaches
 * the file system. Without a build, `/admin/` says how to make one.
 */
export const ADMIN_PREFIX = '/admin/';

/** The page's policy (the meta tag of src/admin/index.html) plus what only a header can say. */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const ADMIN_PAGE: StaticPage = {
  prefix: ADMIN_PREFIX,
  csp: ADMIN_CSP,
  permissions: 'camera=(), microphone=(), geolocation=()',
};

export const ADMIN_NOT_BUILT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Hadir Hub console not built</title></head>
<body>
<h1>The Hadir Hub console is not built</h1>
<p>Build it on the hub's machine with <code>npm run build:admin</code> (it writes <code>out/admin</code>),
then restart <code>hadir hub serve</code>.</p>
<p lang="id">Konsol Hadir Hub belum dibangun: jalankan <code>npm run build:admin</code>, lalu mulai ulang
<code>hadir hub serve</code>.</p>
</body>
</html>
`;

/** Register `/admin` and `/admin/*`: the build in `dir` when there is one, else the page above. */
export function adminConsoleMount(dir: string | null): (app: FastifyInstance) => void {
  if (dir !== null && isRendererBuild(dir)) {
    return staticPageMount(ADMIN_PAGE, loadStaticFiles(dir, 'the admin console build', 'npm run build:admin'));
  }
  return placeholderPageMount(ADMIN_PAGE, ADMIN_NOT_BUILT_HTML);
}
