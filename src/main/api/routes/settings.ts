import type { SettingsView } from '../../../shared/contract';
import { requestActor } from '../access';
import type { RouteDef } from '../context';
import { ACCESS_ERRORS, contractRequest, errors, jsonBody, jsonContent, servicesOf } from '../store-routes';
import { settingsPatchSchema, settingsViewSchema } from '../store-schemas';

/**
 * The site's settings (admins only): language, kiosk behaviour, recognition threshold (with the
 * calibrated values), check-in policy (consecutive frames, liveness on/off and threshold), schedule
 * and time zone, cooldown, API bind and port, sign-out time. Changes are audited, each with its before
 * and after.
 */
export const settingsRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/v1/settings',
    operationId: 'getSettings',
    summary: 'Site settings',
    tags: ['admin'],
    access: 'admin',
    schema: { response: { 200: settingsViewSchema, ...errors(ACCESS_ERRORS) } },
    errors: ACCESS_ERRORS,
    handler: async (ctx): Promise<SettingsView> => servicesOf(ctx).settings.view(),
  },
  {
    method: 'PATCH',
    url: '/api/v1/settings',
    operationId: 'updateSettings',
    summary: 'Change site settings',
    description:
      'Only the parts given change; the schedule is given whole. `recognition.threshold: null` returns to the ' +
      'calibrated value, `recognition.livenessThreshold: null` to the pack’s (both apply from the next ' +
      'request, liveness on every route). The API host and port apply when the server next ' +
      'starts; switching the active pack is not done here (it re-embeds the gallery).',
    tags: ['admin'],
    access: 'admin',
    schema: {
      body: jsonContent(settingsPatchSchema),
      response: { 200: settingsViewSchema, ...errors([...ACCESS_ERRORS, 415]) },
    },
    errors: [...ACCESS_ERRORS, 415],
    handler: async (ctx, req): Promise<SettingsView> => {
      const s = servicesOf(ctx);
      const patch = contractRequest('updateSettings', jsonBody(req));
      return s.settings.update(patch, requestActor(req));
    },
  },
];
