/**
 * What the store-backed route groups (routes/auth.ts, people.ts, attendance.ts, …) share: the services
 * behind them, the contract's request checks, and query strings turned into the contract's typed
 * requests.
 */
import type { FastifyRequest } from 'fastify';
import type { ContractMethod, ContractRequest } from '../../shared/contract';
import { REQUEST_VALIDATORS, type Validator } from '../../shared/contract-validation';
import { HadirError } from '../../shared/errors';
import type { HadirServices, RouteContext } from './context';
import { errorBodySchema } from './schemas';

/** The store's services, or 503 when this server runs without a store (a bare engine). */
export function servicesOf(ctx: RouteContext): HadirServices {
  const s = ctx.deps.services;
  if (!s)
    throw new HadirError(
      'SHUT_DOWN',
      'this server runs without a database: people, attendance and accounts are unavailable',
    );
  return s;
}

/** A request checked by the contract's validator for `method` (400 naming the field otherwise). */
export function contractRequest<M extends ContractMethod>(method: M, value: unknown): ContractRequest<M> {
  return (REQUEST_VALIDATORS[method] as Validator<ContractRequest<M>>)(value, '');
}

/**
 * Query parameters as typed fields: the contract sends numbers as digits and booleans as
 * `true`/`false`. A value that does not convert is passed on as it is, for the validator to name.
 */
export function typedQuery(
  query: unknown,
  types: { ints?: readonly string[]; bools?: readonly string[] } = {},
): Record<string, unknown> {
  const q = (query && typeof query === 'object' ? query : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(q)) {
    if (typeof v !== 'string') out[k] = v;
    else if (types.ints?.includes(k) && /^\d{1,15}$/.test(v)) out[k] = Number(v);
    else if (types.bools?.includes(k) && (v === 'true' || v === 'false')) out[k] = v === 'true';
    else out[k] = v;
  }
  return out;
}

/** The numeric `:id` of a route (the params schema has checked its digits). */
export function idParam(req: FastifyRequest): number {
  return Number((req.params as { id: string }).id);
}

/** A JSON body that must be an object (the JSON schema has checked its fields). */
export function jsonBody(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) throw new HadirError('BAD_REQUEST', 'send a JSON object body');
  if (typeof b !== 'object' || Array.isArray(b)) throw new HadirError('BAD_REQUEST', 'the body must be a JSON object');
  return b as Record<string, unknown>;
}

/** Error statuses every store-backed route may answer. */
export const ACCESS_ERRORS = [400, 401, 403, 421, 429, 503];

export function errors(statuses: readonly number[]): Record<number, unknown> {
  return Object.fromEntries(statuses.map((s) => [s, errorBodySchema]));
}

/** The JSON body as fastify's schema wants it documented (content type application/json). */
export const jsonContent = (schema: unknown) => ({ content: { 'application/json': { schema } } });
