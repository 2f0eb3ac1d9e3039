import { API_KEY_SCOPES, type ApiKeyCreated, type ApiKeyInfo } from '../../../shared/contract';
import { HadirError } from '../../../shared/errors';
import { requestActor } from '../access';
import type { RouteDef } from '../context';
import { ACCESS_ERRORS, contractRequest, errors, idParam, jsonBody, jsonContent, servicesOf } from '../store-routes';
import { apiKeyCreatedSchema, apiKeyCreateSchema, apiKeyInfoSchema, idParams } from '../store-schemas';

/** API keys: admins list, create (the secret is shown once) and revoke them; every change is audited. */
export const keysRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/keys',
    operationId: 'listApiKeys',
    summary: 'API keys',
    description: 'Every key with its name, first characters, scopes and use; never the key itself.',
    tags: ['admin'],
    access: 'admin',
    schema: { response: { 200: { type: 'array', items: apiKeyInfoSchema }, ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<ApiKeyInfo[]> => servicesOf(ctx).keys.list(),
  },
  {
    method: 'POST',
    url: '/api/v1/keys',
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description:
      'Scopes are independent: `read` (analyse images, identify, read people and attendance, remote check-in), ' +
      '`write` (enroll and edit people), `admin` (keys, operators, settings). The answer’s `secret` is the only time ' +
      'the whole key is shown; only its hash is stored.',
    tags: ['admin'],
    access: 'admin',
    schema: {
      body: jsonContent(apiKeyCreateSchema),
      response: { 200: apiKeyCreatedSchema, ...errors([...ACCESS_ERRORS, 415]) },
    },
    errors: [...ACCESS_ERRORS, 415],
    handler: async (ctx, req): Promise<ApiKeyCreated> => {
      const r = contractRequest('createApiKey', jsonBody(req));
      if (r.scopes.length === 0)
        throw new HadirError('BAD_REQUEST', `scopes: give at least one of ${API_KEY_SCOPES.join(', ')}`);
      const { key, info } = servicesOf(ctx).keys.create(r.name, r.scopes, requestActor(req));
      return { key: info, secret: key };
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/keys/:id',
    operationId: 'revokeApiKey',
    summary: 'Revoke an API key',
    description: 'The key stops working at once. Answers the key as it now is (revoked_at set).',
    tags: ['admin'],
    access: 'admin',
    schema: { params: idParams, response: { 200: apiKeyInfoSchema, ...errors([...ACCESS_ERRORS, 404]) } },
    errors: [...ACCESS_ERRORS, 404],
    handler: async (ctx, req): Promise<ApiKeyInfo> => {
      const s = servicesOf(ctx);
      const { id } = contractRequest('revokeApiKey', { id: idParam(req) });
      s.keys.revoke(id, requestActor(req));
      return s.keys.repo.get(id)!;
    },
  },
];
