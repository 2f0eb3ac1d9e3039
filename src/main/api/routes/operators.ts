import type { Operator } from '../../../shared/contract';
import { requestActor } from '../access';
import type { RouteDef } from '../context';
import { ACCESS_ERRORS, contractRequest, errors, idParam, jsonBody, jsonContent, servicesOf } from '../store-routes';
import { idParams, operatorCreateSchema, operatorSchema, operatorUpdateSchema } from '../store-schemas';

/**
 * Operator accounts (admins only): list, create, and change name, role, active state or secret. A
 * deactivated operator's sessions end at once, as do the sessions of one whose secret an admin reset.
 */
export const operatorsRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/operators',
    operationId: 'listOperators',
    summary: 'Operator accounts',
    description: 'With role, active state, failed attempts, lockout and the latest sign-in; never a secret.',
    tags: ['admin'],
    access: 'admin',
    schema: { response: { 200: { type: 'array', items: operatorSchema }, ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<Operator[]> => servicesOf(ctx).operators.list(),
  },
  {
    method: 'POST',
    url: '/api/v1/operators',
    operationId: 'createOperator',
    summary: 'Create an operator account',
    description:
      'Role `operator` (enroll, people, attendance) or `admin` (also keys, operators, settings). A PIN of at least 6 digits or a password of at least 8 characters.',
    tags: ['admin'],
    access: 'admin',
    schema: {
      body: jsonContent(operatorCreateSchema),
      response: { 200: operatorSchema, ...errors([...ACCESS_ERRORS, 415]) },
    },
    errors: [...ACCESS_ERRORS, 415],
    handler: async (ctx, req): Promise<Operator> => {
      const r = contractRequest('createOperator', jsonBody(req));
      return servicesOf(ctx).operators.create(
        { username: r.username, displayName: r.displayName, role: r.role, secret: r.secret },
        requestActor(req),
      );
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/operators/:id',
    operationId: 'updateOperator',
    summary: 'Change an operator account',
    description:
      'Any of `displayName`, `role`, `active`, `secret` (a new secret also lifts a lockout). The last active admin cannot be demoted or deactivated.',
    tags: ['admin'],
    access: 'admin',
    schema: {
      params: idParams,
      body: jsonContent(operatorUpdateSchema),
      response: { 200: operatorSchema, ...errors([...ACCESS_ERRORS, 404, 415]) },
    },
    errors: [...ACCESS_ERRORS, 404, 415],
    handler: async (ctx, req): Promise<Operator> => {
      const s = servicesOf(ctx);
      const { id, ...patch } = contractRequest('updateOperator', { ...jsonBody(req), id: idParam(req) });
      const updated = await s.operators.update(id, patch, requestActor(req));
      if (patch.active === false || patch.secret !== undefined) s.sessions.revokeOperator(id);
      return updated;
    },
  },
];
