/**
 * The console's photo import over HTTP (console-import.ts does the work): upload a zip, watch its
 * progress, list the recent ones. The upload's body is a stream written to disk as it arrives (a zip of
 * a whole office's photos is not held in memory); these routes are mounted in a scope of their own that
 * takes `application/zip`, so no other route accepts one.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HadirError } from '../../shared/errors';
import type { ImportList, ImportView } from '../../shared/hub-admin';
import { consoleGuard, principalOf, requireSiteAccess } from './console-auth';
import { startConsoleImport } from './console-import';
import { serverTime } from './http';
import { PHOTO_ZIP_LIMITS } from './photo-zip';
import { importById, recentImports } from './store/console-imports';
import type { HubRoute } from './sync-routes';

const HUB = '/api/v1/hub';
/** What browsers send for a .zip (Windows names it x-zip-compressed). */
export const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];

const SITE = { type: 'string', minLength: 1, maxLength: 64 } as const;
const ID = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;

/**
 * Lets a scope take zip bodies as the raw request stream: the handler counts and writes it
 * (saveUpload), so the limit is the route's own and nothing is buffered.
 */
export function acceptZipBodies(scope: FastifyInstance): void {
  scope.addContentTypeParser(ZIP_TYPES, (_req: FastifyRequest, payload: Readable, done) => done(null, payload));
}

export const consoleImportRoutes: readonly HubRoute[] = [
  {
    method: 'POST',
    url: `${HUB}/imports`,
    schema: {
      querystring: {
        type: 'object',
        additionalProperties: false,
        required: ['site'],
        properties: { site: SITE },
      },
    },
    guard: consoleGuard('import'),
    handler: async (ctx, req, reply) => {
      const { site } = req.query as { site: string };
      const body = req.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') {
        throw new HadirError('UNSUPPORTED_MEDIA_TYPE', `send the zip as the body, with content-type ${ZIP_TYPES[0]}`);
      }
      // Told at once when the client says how much it sends; counted anyway as it arrives.
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > PHOTO_ZIP_LIMITS.maxBodyBytes) {
        throw new HadirError(
          'PAYLOAD_TOO_LARGE',
          `the zip is over ${PHOTO_ZIP_LIMITS.maxBodyBytes / 1024 / 1024} MB; split it by unit or office`,
        );
      }
      const { id } = await startConsoleImport(ctx, principalOf(req), site, body);
      void reply.code(202).header('location', `${HUB}/imports/${id}`);
      return { id, server_time: serverTime() };
    },
  },
  {
    method: 'GET',
    url: `${HUB}/imports/:id`,
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: ID } },
    },
    guard: consoleGuard('import'),
    handler: async (ctx, req, reply) => {
      const { id } = req.params as { id: string };
      const found = await importById(ctx.pool, id);
      if (!found) throw new HadirError('NOT_FOUND', `no import ${id}`);
      requireSiteAccess(principalOf(req), found.site);
      void reply.header('cache-control', 'no-store');
      return { ...found, server_time: serverTime() } satisfies ImportView & { server_time: string };
    },
  },
  {
    method: 'GET',
    url: `${HUB}/imports`,
    schema: {
      querystring: { type: 'object', additionalProperties: false, properties: { site: SITE } },
    },
    guard: consoleGuard('import'),
    handler: async (ctx, req, reply) => {
      const { site } = req.query as { site?: string };
      const p = principalOf(req);
      requireSiteAccess(p, site);
      const imports = await recentImports(ctx.pool, site !== undefined ? [site] : p.sites, 20);
      void reply.header('cache-control', 'no-store');
      return { imports, server_time: serverTime() } satisfies ImportList & { server_time: string };
    },
  },
];
