import type { Session, SetupStatus } from '../../../shared/contract';
import { requestActor } from '../access';
import type { HadirServices, RouteDef } from '../context';
import { contractRequest, errors, jsonBody, jsonContent, servicesOf } from '../store-routes';
import {
  firstAdminSchema,
  modelPackChoiceSchema,
  sessionSchema,
  setupCompleteSchema,
  setupStatusSchema,
} from '../store-schemas';

const SETUP_ERRORS = [400, 401, 403, 415, 421, 429, 503];

const status = (s: HadirServices): Promise<SetupStatus> => s.settings.setupStatus(s.operators.repo.countAdmins() > 0);

/**
 * First-run setup, in the wizard's order: choose the model pack and accept its licence, create the
 * first admin (who is signed in at once), then — as that admin — the schedule and language, which
 * finish setup. The first two are open only while no admin account exists, and only to the app's own
 * window, the CLI, or a caller with the one-time setup token `hadir serve` prints (the link
 * `…/app/?setup=<token>`): a loopback address proves nothing behind a reverse proxy.
 */
export const setupRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/setup',
    operationId: 'getSetupStatus',
    summary: 'First-run state',
    description:
      'Whether setup is complete, the model packs (licence accepted, installed, active), whether an admin exists, and the stored schedule and language.',
    tags: ['setup'],
    access: 'public',
    schema: { response: { 200: setupStatusSchema, ...errors([421, 503]) } },
    errors: [421, 503],
    handler: async (ctx): Promise<SetupStatus> => status(servicesOf(ctx)),
  },
  {
    method: 'POST',
    url: '/api/v1/setup/model-pack',
    operationId: 'chooseModelPack',
    summary: 'Choose the model pack and accept its licence',
    description:
      'Records the acceptance of the pack’s licence (audited) and makes it the site’s pack. A pack other than the one running is used from the next start.',
    tags: ['setup'],
    access: 'setup',
    schema: { body: jsonContent(modelPackChoiceSchema), response: { 200: setupStatusSchema, ...errors(SETUP_ERRORS) } },
    errors: SETUP_ERRORS,
    handler: async (ctx, req): Promise<SetupStatus> => {
      const s = servicesOf(ctx);
      const r = contractRequest('chooseModelPack', jsonBody(req));
      await s.settings.chooseModelPack(r.packId, requestActor(req));
      return status(s);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/setup/admin',
    operationId: 'createFirstAdmin',
    summary: 'Create the first admin',
    description:
      'Only while no admin account exists. Answers the new admin’s session, so the wizard goes on signed in.',
    tags: ['setup'],
    access: 'setup',
    schema: {
      body: jsonContent(firstAdminSchema),
      response: { 200: sessionSchema, ...errors([...SETUP_ERRORS, 409]) },
    },
    errors: [...SETUP_ERRORS, 409],
    handler: async (ctx, req): Promise<Session> => {
      const s = servicesOf(ctx);
      const r = contractRequest('createFirstAdmin', jsonBody(req));
      const operator = await s.operators.create(
        { username: r.username, displayName: r.displayName, role: 'admin', secret: r.secret },
        requestActor(req),
        { onlyIfNoAdmin: true },
      );
      // Spent: setup is closed now, and the link must not open anything again.
      ctx.deps.setupToken?.revoke();
      return s.sessions.open(operator);
    },
  },
  {
    method: 'POST',
    url: '/api/v1/setup/complete',
    operationId: 'completeSetup',
    summary: 'Finish setup',
    description:
      'Stores the schedule (windows, time zone, cooldown) and the interface language, and marks setup complete. ' +
      'A kiosk that joined a hub during setup keeps its site’s schedule: the one given is not stored.',
    tags: ['setup'],
    access: 'admin',
    schema: { body: jsonContent(setupCompleteSchema), response: { 200: setupStatusSchema, ...errors(SETUP_ERRORS) } },
    errors: SETUP_ERRORS,
    handler: async (ctx, req): Promise<SetupStatus> => {
      const s = servicesOf(ctx);
      const r = contractRequest('completeSetup', jsonBody(req));
      s.settings.completeSetup(r.schedule, r.language, requestActor(req));
      return status(s);
    },
  },
];
