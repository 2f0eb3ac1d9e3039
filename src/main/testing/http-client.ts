/**
 * Test helpers for the HTTP API: a server on a random loopback port, multipart posts with real files
 * through fetch (undici) FormData, and raw node:http requests for what fetch will not send (a forged
 * Host header, a hand-made body).
 */
import type { FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { facesDir } from './paths';

export async function listenOnLoopback(app: FastifyInstance, host = '127.0.0.1'): Promise<string> {
  await app.listen({ host, port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export const photo = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(facesDir, name)));

export interface FilePart {
  bytes: Uint8Array;
  filename?: string;
  type?: string;
}

/** POST multipart/form-data; `string` values are plain text fields. */
export async function postForm(
  url: string,
  fields: Record<string, FilePart | string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return postParts(url, Object.entries(fields), headers);
}

/** POST multipart/form-data from an ordered list of fields, so a field may repeat (several `image` files). */
export async function postParts(
  url: string,
  parts: readonly [name: string, value: FilePart | string][],
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, v] of parts) {
    if (typeof v === 'string') form.append(name, v);
    else
      form.append(
        name,
        new Blob([v.bytes as Uint8Array<ArrayBuffer>], { type: v.type ?? 'application/octet-stream' }),
        v.filename ?? `${name}.jpg`,
      );
  }
  return fetch(url, { method: 'POST', body: form, headers });
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: () => unknown;
}

/** A request through node:http, which sends headers exactly as given (Host included). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string; localAddress?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) as unknown });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A multipart body built by hand (for a body that must be exactly N bytes, or malformed on purpose). */
export function multipartBody(
  parts: { name: string; filename?: string; bytes: Uint8Array }[],
  boundary = 'hadirtestboundary',
): {
  body: Uint8Array;
  contentType: string;
} {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\nContent-Type: application/octet-stream\r\n\r\n`),
    );
    chunks.push(Buffer.from(p.bytes));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}
