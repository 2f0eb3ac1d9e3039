import type { RouteDef } from '../context';
import type { OpenApiDocument } from '../openapi';
import { errorResponses } from './analysis';

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Inline code spans of the descriptions (`…`) as <code>; everything else escaped. */
const prose = (s: string) =>
  s
    .split('\n\n')
    .map((p) => `<p>${esc(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`)
    .join('');

/**
 * A self-contained page listing the routes of the OpenAPI document: no script, no CDN, nothing fetched,
 * so it works offline on the kiosk and under a strict Content-Security-Policy.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = doc.info as { title: string; version: string; description: string };
  const ops: string[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const o = op as {
        summary: string;
        description?: string;
        tags: string[];
        security: unknown[];
        parameters?: { name: string; description?: string }[];
        requestBody?: {
          content: Record<string, { schema: { properties?: Record<string, { description?: string }> } }>;
        };
        responses: Record<string, { description: string }>;
      };
      const body = Object.entries(o.requestBody?.content ?? {})
        .map(([type, c]) => {
          const fields = Object.entries(c.schema.properties ?? {})
            .map(([name, f]) => `<li><code>${esc(name)}</code>${f.description ? ` — ${esc(f.description)}` : ''}</li>`)
            .join('');
          return `<div><b>${esc(type)}</b>${fields ? `<ul>${fields}</ul>` : ''}</div>`;
        })
        .join('');
      const params = (o.parameters ?? [])
        .map((p) => `<li>query <code>${esc(p.name)}</code>${p.description ? ` — ${esc(p.description)}` : ''}</li>`)
        .join('');
      const responses = Object.entries(o.responses)
        .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(r.description)}</li>`)
        .join('');
      const key =
        o.security.length === 0
          ? 'no key'
          : o.security.some((r) => Object.keys(r as object).length === 0)
            ? 'key optional on loopback'
            : 'key or session required';
      ops.push(
        `<section id="${esc(`${method}-${path}`)}"><h3><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code> ` +
          `<small>${esc(o.tags.join(', '))} · ${esc(key)}</small></h3><p><b>${esc(o.summary)}</b></p>` +
          (o.description ? prose(o.description) : '') +
          (params ? `<ul>${params}</ul>` : '') +
          body +
          `<details><summary>Responses</summary><ul>${responses}</ul></details></section>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} ${esc(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .2em;border-radius:3px}
section{border-top:1px solid #ddd;padding:.5rem 0}
h3{margin:.5rem 0}.m{display:inline-block;min-width:4em;color:#fff;background:#3465a4;border-radius:3px;padding:0 .3em;text-align:center}
small{color:#666;font-weight:normal}
</style></head><body>
<h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
${prose(info.description)}
<p>The machine-readable description: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
${ops.join('\n')}
</body></html>
`;
}

/** The document's own routes (not listed in it). */
export function docsRoutes(doc: () => OpenApiDocument): RouteDef[] {
  let page: string | null = null;
  return [
    {
      method: 'GET',
      url: '/api/v1/openapi.json',
      operationId: 'openapi',
      summary: 'This API as OpenAPI 3.1',
      tags: ['service'],
      access: 'analysis',
      hidden: true,
      schema: { response: errorResponses([401, 403, 421, 429]) },
      errors: [],
      handler: async (_ctx, _req, reply) => {
        void reply.header('cache-control', 'no-cache');
        return doc();
      },
    },
    {
      method: 'GET',
      url: '/api/v1/docs',
      operationId: 'docs',
      summary: 'This API, as a page',
      tags: ['service'],
      access: 'analysis',
      hidden: true,
      schema: { response: errorResponses([401, 403, 421, 429]) },
      errors: [],
      handler: async (_ctx, _req, reply) => {
        page ??= renderDocsPage(doc());
        void reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        return page;
      },
    },
  ];
}
