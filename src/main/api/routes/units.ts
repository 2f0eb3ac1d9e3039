import type { UnitInfo } from '../../../shared/units';
import { UNIT_NAME_MAX } from '../../../shared/units';
import { UnitService } from '../../services/units';
import { requestActor } from '../access';
import type { RouteDef } from '../context';
import { arr, int, obj, str } from '../schemas';
import { ACCESS_ERRORS, contractRequest, errors, idParam, jsonBody, jsonContent, servicesOf } from '../store-routes';
import { idParams } from '../store-schemas';

/**
 * The managed list of units. People keep their unit by name (GET /people, the person fields, the hub's
 * sync all unchanged); the list makes "keuangan" the same unit as "Keuangan", and lets an operator
 * correct a unit's name everywhere at once.
 */
const unitSchema = obj(
  { id: int('The unit’s id.'), name: str('Its name, as the list spells it.'), people: int('People in it.') },
  ['id', 'name', 'people'],
);
const nameBody = obj(
  {
    name: {
      type: 'string',
      description: `1–${UNIT_NAME_MAX} characters; trimmed, runs of spaces made one. Case does not make another unit.`,
    },
  },
  ['name'],
);

const units = (ctx: Parameters<RouteDef['handler']>[0]) => new UnitService(servicesOf(ctx).db);

export const unitRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/units/details',
    operationId: 'listUnitDetails',
    summary: 'The managed list of units, with ids and head counts',
    tags: ['people'],
    access: 'read',
    schema: { response: { 200: arr(unitSchema), ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<UnitInfo[]> => units(ctx).list(),
  },
  {
    method: 'POST',
    url: '/api/v1/units',
    operationId: 'addUnit',
    summary: 'Add a unit',
    description:
      'JSON `{"name": "…"}`. A name the list already has in another case or spacing is that unit: answered 200 with ' +
      'the existing spelling, nothing added. A new unit: 201. (Saving a person with a new unit adds it as well.)',
    tags: ['people'],
    access: 'write',
    schema: {
      body: jsonContent(nameBody),
      response: { 200: unitSchema, 201: unitSchema, ...errors([...ACCESS_ERRORS, 415]) },
    },
    errors: [...ACCESS_ERRORS, 415],
    handler: async (ctx, req, reply) => {
      const r = contractRequest('addUnit', jsonBody(req));
      const { unit, created } = units(ctx).add(r.name, requestActor(req));
      return reply.code(created ? 201 : 200).send(unit);
    },
  },
  {
    method: 'PATCH',
    url: '/api/v1/units/:id',
    operationId: 'renameUnit',
    summary: 'Rename a unit',
    description:
      'JSON `{"name": "…"}`. Its people and their attendance records take the new name. A name another unit has ' +
      '(in any case) is 409 CONFLICT.',
    tags: ['people'],
    access: 'write',
    schema: {
      params: idParams,
      body: jsonContent(nameBody),
      response: { 200: unitSchema, ...errors([...ACCESS_ERRORS, 404, 409, 415]) },
    },
    errors: [...ACCESS_ERRORS, 404, 409, 415],
    handler: async (ctx, req): Promise<UnitInfo> => {
      const r = contractRequest('renameUnit', { ...jsonBody(req), id: idParam(req) });
      return units(ctx).rename(r.id, r.name, requestActor(req));
    },
  },
  {
    method: 'DELETE',
    url: '/api/v1/units/:id',
    operationId: 'deleteUnit',
    summary: 'Delete an empty unit',
    description: 'Refused with 409 CONFLICT while anyone (active or not) is in the unit.',
    tags: ['people'],
    access: 'write',
    schema: { params: idParams, response: { 204: { type: 'null' }, ...errors([...ACCESS_ERRORS, 404, 409]) } },
    errors: [...ACCESS_ERRORS, 404, 409],
    handler: async (ctx, req, reply) => {
      units(ctx).delete(idParam(req), requestActor(req));
      return reply.code(204).send();
    },
  },
];
