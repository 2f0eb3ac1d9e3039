/**
 * A tiny HTTP server for the browser e2e tests: the built renderer under /app/ (as the real server
 * will serve it), and a hook for /api/v1 routes so a test can stand in for the server side.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ApiRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface ApiReply {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (a file download), instead of `body`. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type ApiHandler = (req: ApiRequest) => ApiReply | Promise<ApiReply>;

export interface StaticServer {
  url: string;
  close: () => Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startStaticServer(root: string, api?: ApiHandler): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname.startsWith('/api/')) {
        const reply = api
          ? await api({ method: req.method ?? 'GET', url, headers: req.headers, body: await readBody(req) })
          : { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no API here' } } };
        if (reply.raw) {
          res.writeHead(reply.status, reply.headers);
          res.end(reply.raw);
          return;
        }
        const json = reply.body === undefined ? '' : JSON.stringify(reply.body);
        res.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
        res.end(json);
        return;
      }
      if (url.pathname === '/' || url.pathname === '/app') {
        res.writeHead(302, { Location: '/app/' });
        res.end();
        return;
      }
      if (!url.pathname.startsWith('/app/')) {
        res.writeHead(404).end();
        return;
      }
      const relative = decodeURIComponent(url.pathname.slice('/app/'.length)) || 'index.html';
      const file = path.resolve(root, relative);
      if (!file.startsWith(path.resolve(root) + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const data = await readFile(file);
        res.writeHead(200, {
          'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Cache-Control': 'no-store',
        });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
