import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { HadirError } from '../../shared/errors';

export interface UploadedFile {
  field: string;
  /** The file name the client gave, if any (never used as a path). */
  filename: string | null;
  bytes: Uint8Array;
}

export interface UploadSpec {
  /** Field names taken, in the order they are documented. */
  fields: readonly string[];
  /** Fields that must be present. */
  required: readonly string[];
  /** Describes an acceptable set when `required` cannot ("probe1 and/or probe2"). */
  check?: (got: ReadonlySet<string>) => string | null;
}

/** Whether a request says it is multipart/form-data (usable before the body is parsed). */
export function isMultipartRequest(req: FastifyRequest): boolean {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && /^multipart\/form-data\b/i.test(ct);
}

/** Whether a request has no body at all (no length, or 0, and not chunked). */
export function hasNoBody(req: FastifyRequest): boolean {
  const len = req.headers['content-length'];
  return (len === undefined || Number(len) === 0) && req.headers['transfer-encoding'] === undefined;
}

const fieldList = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ');

/**
 * Read the uploaded files of a multipart request into memory, each at most `limitBytes`. A file over
 * the limit is refused with PAYLOAD_TOO_LARGE: busboy stops storing at the limit and marks the stream
 * `truncated`, and a truncated upload is never analysed. Unknown, repeated and non-file fields are
 * refused with BAD_REQUEST naming the expected fields. After a refusal the rest of the body is still
 * read (and discarded, within the same limits) so the connection stays usable.
 */
export async function readUploads(
  req: FastifyRequest,
  spec: UploadSpec,
  limitBytes: number,
): Promise<Map<string, UploadedFile>> {
  if (!isMultipartRequest(req)) {
    const how = `send multipart/form-data with the file field${spec.fields.length > 1 ? 's' : ''} ${fieldList(spec.fields)}`;
    if (hasNoBody(req)) throw new HadirError('BAD_REQUEST', `the request has no body: ${how}`);
    throw new HadirError(
      'UNSUPPORTED_MEDIA_TYPE',
      `unsupported Content-Type "${req.headers['content-type'] ?? ''}": ${how}`,
    );
  }
  const files = new Map<string, UploadedFile>();
  let failure: HadirError | null = null;
  const parts: AsyncIterableIterator<Multipart> = req.parts({
    limits: {
      fileSize: limitBytes,
      files: spec.fields.length + 4,
      fields: 16,
      fieldSize: 4096,
      parts: spec.fields.length + 20,
    },
  });
  for await (const part of parts) {
    if (part.type === 'field') {
      failure ??= spec.fields.includes(part.fieldname)
        ? new HadirError(
            'BAD_REQUEST',
            `field "${part.fieldname}" must be a file upload (curl: -F "${part.fieldname}=@photo.jpg")`,
          )
        : unexpected(part.fieldname, spec);
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = failure === null && spec.fields.includes(part.fieldname) && !files.has(part.fieldname);
    for await (const chunk of part.file) {
      if (keep) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    }
    if (failure) continue;
    if (!spec.fields.includes(part.fieldname)) {
      failure = unexpected(part.fieldname, spec);
    } else if (files.has(part.fieldname)) {
      failure = new HadirError('BAD_REQUEST', `field "${part.fieldname}" was sent more than once`);
    } else if (part.file.truncated) {
      failure = new HadirError(
        'PAYLOAD_TOO_LARGE',
        `the file in "${part.fieldname}" is larger than the upload limit of ${limitBytes} bytes`,
      );
    } else {
      const bytes = new Uint8Array(size);
      let o = 0;
      for (const c of chunks) {
        bytes.set(c, o);
        o += c.length;
      }
      files.set(part.fieldname, { field: part.fieldname, filename: part.filename || null, bytes });
    }
  }
  if (failure) throw failure;
  const missing = spec.required.filter((f) => !files.has(f));
  if (missing.length > 0) {
    throw new HadirError(
      'BAD_REQUEST',
      `missing file field${missing.length > 1 ? 's' : ''} ${fieldList(missing)} (multipart fields taken: ${fieldList(spec.fields)})`,
    );
  }
  const problem = spec.check?.(new Set(files.keys()));
  if (problem) throw new HadirError('BAD_REQUEST', problem);
  return files;
}

function unexpected(name: string, spec: UploadSpec): HadirError {
  return new HadirError('BAD_REQUEST', `unexpected field "${name}"; this route takes ${fieldList(spec.fields)}`);
}

export interface FormSpec {
  /** File fields: each may repeat up to `max` times (default 1). */
  files: readonly { name: string; max?: number; required?: boolean }[];
  /** Plain text fields taken (each at most once). */
  fields: readonly string[];
}

export interface FormData {
  /** Files per field name, in the order they came. */
  files: Map<string, UploadedFile[]>;
  fields: Map<string, string>;
}

/**
 * A multipart form with repeatable file fields and plain text fields (people with their photos).
 * Each file is at most `limitBytes` (over it: PAYLOAD_TOO_LARGE, never a truncated file); unknown
 * fields, a text field sent as a file (or the reverse), and a field more often than allowed are
 * BAD_REQUEST. The rest of the body is still read after a refusal so the connection stays usable.
 */
export async function readForm(req: FastifyRequest, spec: FormSpec, limitBytes: number): Promise<FormData> {
  const fileNames = spec.files.map((f) => f.name);
  const all = [...fileNames, ...spec.fields];
  if (!isMultipartRequest(req)) {
    const how = `send multipart/form-data (fields ${fieldList(all)})`;
    if (hasNoBody(req)) throw new HadirError('BAD_REQUEST', `the request has no body: ${how}`);
    throw new HadirError(
      'UNSUPPORTED_MEDIA_TYPE',
      `unsupported Content-Type "${req.headers['content-type'] ?? ''}": ${how}`,
    );
  }
  const maxFiles = spec.files.reduce((n, f) => n + (f.max ?? 1), 0);
  const out: FormData = { files: new Map(), fields: new Map() };
  let failure: HadirError | null = null;
  const unexpectedField = (name: string) =>
    new HadirError('BAD_REQUEST', `unexpected field "${name}"; this route takes ${fieldList(all)}`);
  const parts: AsyncIterableIterator<Multipart> = req.parts({
    limits: {
      fileSize: limitBytes,
      files: maxFiles + 1,
      fields: spec.fields.length + 4,
      fieldSize: 4096,
      parts: maxFiles + spec.fields.length + 8,
    },
  });
  for await (const part of parts) {
    if (part.type === 'field') {
      if (failure) continue;
      if (fileNames.includes(part.fieldname)) {
        failure = new HadirError(
          'BAD_REQUEST',
          `field "${part.fieldname}" must be a file upload (curl: -F "${part.fieldname}=@photo.jpg")`,
        );
      } else if (!spec.fields.includes(part.fieldname)) {
        failure = unexpectedField(part.fieldname);
      } else if (out.fields.has(part.fieldname)) {
        failure = new HadirError('BAD_REQUEST', `field "${part.fieldname}" was sent more than once`);
      } else if (typeof part.value !== 'string' || part.valueTruncated) {
        failure = new HadirError('BAD_REQUEST', `field "${part.fieldname}" must be text of at most 4096 bytes`);
      } else {
        out.fields.set(part.fieldname, part.value);
      }
      continue;
    }
    const fileSpec = spec.files.find((f) => f.name === part.fieldname);
    const list = out.files.get(part.fieldname) ?? [];
    const keep = failure === null && fileSpec !== undefined && list.length < (fileSpec.max ?? 1);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file) {
      if (keep) {
        chunks.push(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    }
    if (failure) continue;
    if (!fileSpec) {
      failure = spec.fields.includes(part.fieldname)
        ? new HadirError('BAD_REQUEST', `field "${part.fieldname}" is text, not a file`)
        : unexpectedField(part.fieldname);
    } else if (!keep) {
      failure = new HadirError(
        'BAD_REQUEST',
        `field "${part.fieldname}" may be sent at most ${fileSpec.max ?? 1} time(s)`,
      );
    } else if (part.file.truncated) {
      failure = new HadirError(
        'PAYLOAD_TOO_LARGE',
        `a file in "${part.fieldname}" is larger than the upload limit of ${limitBytes} bytes`,
      );
    } else {
      list.push({
        field: part.fieldname,
        filename: part.filename || null,
        bytes: new Uint8Array(Buffer.concat(chunks, size)),
      });
      out.files.set(part.fieldname, list);
    }
  }
  if (failure) throw failure;
  const missing = spec.files.filter((f) => f.required && !out.files.has(f.name)).map((f) => f.name);
  if (missing.length > 0) {
    throw new HadirError('BAD_REQUEST', `missing file field${missing.length > 1 ? 's' : ''} ${fieldList(missing)}`);
  }
  return out;
}
