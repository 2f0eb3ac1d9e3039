import type { Session, SignInOutcome } from '../../../shared/contract';
import { requestClient, sessionToken } from '../access';
import type { RouteDef } from '../context';
import { contractRequest, errors, jsonBody, jsonContent, servicesOf } from '../store-routes';
import { nullableSessionSchema, signInOutcomeSchema, signInRequestSchema } from '../store-schemas';

const AUTH_ERRORS = [400, 415, 421, 429, 503];

/**
 * Operator sessions: sign in with a user name and PIN/password, get a token for the X-Hadir-Session
 * header. Sign-in failures are answers, not errors (the screen shows each differently). Attempts are
 * throttled per client address before any hashing (server.ts), failures earn growing waits per
 * (name, address) in the operator service, and every attempt is audited there.
 */
export const authRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/api/v1/auth/sessions',
    operationId: 'signIn',
    rateLimited: true,
    summary: 'Sign in (operator session)',
    description:
      'Checks the user name and PIN/password. Answers `{kind: "signed_in", session}` with the token to send as ' +
      '`X-Hadir-Session`, `{kind: "invalid", attemptsLeft: null}` for an unknown name and a wrong secret alike, or ' +
      '`{kind: "locked", until}` while this address must wait after repeated failures at this name (the account ' +
      'itself is never locked: other addresses sign in normally). Too many attempts from one address are answered ' +
      '429 before any checking. Sessions end after the idle timeout, at their absolute expiry, or on sign-out.',
    tags: ['auth'],
    access: 'public',
    schema: {
      body: jsonContent(signInRequestSchema),
      response: { 200: signInOutcomeSchema, ...errors(AUTH_ERRORS) },
    },
    errors: AUTH_ERRORS,
    handler: async (ctx, req): Promise<SignInOutcome> => {
      const s = servicesOf(ctx);
      const r = contractRequest('signIn', jsonBody(req));
      return s.sessions.signIn(r.username, r.secret, requestClient(req).address);
    },
  },
  {
    method: 'GET',
    url: '/api/v1/auth/sessions/current',
    operationId: 'getSession',
    summary: 'The current session',
    description: 'The session named by `X-Hadir-Session`, or `null` when it has ended (or none was sent).',
    tags: ['auth'],
    access: 'public',
    schema: { response: { 200: nullableSessionSchema, ...errors([400, 421, 503]) } },
    errors: [400, 421, 503],
    handler: async (ctx, req): Promise<Session | null> => {
      const s = servicesOf(ctx);
      const token = sessionToken(req.headers);
      return token ? s.sessions.describe(token) : null;
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/auth/sessions/current',
    operationId: 'signOut',
    summary: 'Sign out',
    description: 'Ends the session named by `X-Hadir-Session` (audited). Answers 204 whether or not it was live.',
    tags: ['auth'],
    access: 'public',
    schema: { response: { 204: { type: 'null' }, ...errors([400, 421, 503]) } },
    errors: [400, 421, 503],
    handler: async (ctx, req, reply) => {
      const s = servicesOf(ctx);
      s.sessions.signOut(sessionToken(req.headers));
      return reply.code(204).send();
    },
  },
];
