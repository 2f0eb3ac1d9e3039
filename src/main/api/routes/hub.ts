import type { HubJoinResult, HubLinkView } from '../../../shared/contract';
import { HadirError } from '../../../shared/errors';
import type { HubConnection } from '../../sync/hub-connection';
import { requestActor } from '../access';
import type { RouteContext, RouteDef } from '../context';
import { ACCESS_ERRORS, contractRequest, errors, jsonBody, jsonContent } from '../store-routes';
import { hubJoinRequestSchema, hubJoinResultSchema, hubLinkViewSchema } from '../store-schemas';

const JOIN_ERRORS = [...ACCESS_ERRORS, 409, 415, 502];

/** The process's hub connection; a server built without one (a bare engine, some tests) has none. */
function hubOf(ctx: RouteContext): HubConnection {
  const hub = ctx.deps.hub;
  if (!hub) throw new HadirError('SHUT_DOWN', 'this server runs without the kiosk’s hub connection');
  return hub;
}

/**
 * The kiosk's link to an organisation hub (admins only; during first-run setup, the admin the wizard
 * just created): how it stands, and joining one with the pairing code of the hub's console — the same
 * step as `hadir join`, after which the kiosk syncs at once, without a restart.
 */
export const hubRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/hub/link',
    operationId: 'getHubLink',
    summary: 'The kiosk’s hub link',
    description:
      'Whether this kiosk joined a hub, and if so which hub, site and device, and how syncing stands ' +
      '(`online`, `offline` since when, `syncing` the first snapshot, or `revoked`).',
    tags: ['admin'],
    access: 'admin',
    schema: { response: { 200: hubLinkViewSchema, ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<HubLinkView> => hubOf(ctx).view(),
  },
  {
    method: 'POST',
    url: '/api/v1/hub/join',
    operationId: 'joinHub',
    summary: 'Join a hub',
    description:
      'Exchanges the one-time pairing code for this device’s credential, kept in the data folder readable by ' +
      'its owner only (never answered), and starts syncing at once. Audited. Refusals: 400 `hub_code_rejected` ' +
      '(wrong, used or expired code), 400 `hub_fingerprint_mismatch` (the hub presents another certificate), ' +
      '502 `HUB_UNREACHABLE` (no answer), 502 `HUB_REFUSED` (the hub refused for another reason), 409 ' +
      '`hub_already_joined` (this kiosk belongs to a hub; a revoked kiosk may join the same hub again).',
    tags: ['admin'],
    access: 'admin',
    schema: {
      body: jsonContent(hubJoinRequestSchema),
      response: { 200: hubJoinResultSchema, ...errors(JOIN_ERRORS) },
    },
    errors: JOIN_ERRORS,
    handler: async (ctx, req): Promise<HubJoinResult> => {
      const r = contractRequest('joinHub', jsonBody(req));
      return hubOf(ctx).join(r, requestActor(req));
    },
  },
];
