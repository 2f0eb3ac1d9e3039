/**
 * The contract served to the Electron window (IPC): every method of src/shared/contract.ts, delegating
 * to the same service objects the HTTP routes use (one {@link AppServices} per process), so the kiosk
 * window and a tablet in web mode get the same answers, the same cooldowns and the same sessions.
 *
 * Access is the contract's `auth` column, decided by the API's own rules (access.ts `checkAccess`) on
 * the session token the page presented: the window is a local client, like a loopback one. The page
 * can be compromised; nothing here trusts a role or a name it sends.
 */
import {
  API_KEY_SCOPES,
  HTTP_ROUTES,
  PERSON_FACE_MIME,
  type ContractMethod,
  type SetupStatus,
} from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import { actorOf, checkAccess, type AccessControl, type Principal, resolveCredentials } from '../api/access';
import type { AppServices } from '../services/app-services';
import { addManualRecord, correctManualRecord, voidRecord } from '../services/attendance-manual';
import { attendancePage, exportAttendanceFile } from '../services/attendance-views';
import { peoplePage, personDetail, personPatchOf, requirePerson } from '../services/people-views';
import { UnitService } from '../services/units';
import { checkpointTruncate } from '../store/maintenance';
import type { HubConnection } from '../sync/hub-connection';
import type { CallContext, ContractService } from './ipc';

/** `hub`: the process's hub sync (the hub methods refuse with SHUT_DOWN without one). */
export function createContractService(s: AppServices, hub: HubConnection | null = null): ContractService {
  const control: AccessControl = {
    keys: s.keys,
    sessions: s.sessions,
    setupOpen: () => s.operators.repo.countAdmins() === 0,
  };

  /** The caller, checked for the method's level; a stale token on a public method counts as nobody. */
  async function caller(method: ContractMethod, ctx: CallContext): Promise<Principal> {
    const level = HTTP_ROUTES[method].auth;
    // Kiosk-level calls (frames, status) are not operator activity: they must not keep a session alive.
    const cred = {
      apiKey: null,
      sessionToken: ctx.sessionToken,
      loopback: ctx.local,
      touch: level !== 'kiosk',
      // The app's own window may run first-run setup, like the CLI (HTTP callers need the setup token).
      appWindow: ctx.transport === 'ipc',
    };
    let p: Principal;
    try {
      p = await resolveCredentials(cred, control);
    } catch (e) {
      if (level !== 'public' || !(e instanceof HadirError) || e.code !== 'UNAUTHORIZED') throw e;
      p = { kind: 'anonymous', loopback: ctx.local, setupGrant: ctx.transport === 'ipc' };
    }
    checkAccess(p, level, control);
    return p;
  }
  const actor = async (method: ContractMethod, ctx: CallContext) => actorOf(await caller(method, ctx));

  const setupStatus = (): Promise<SetupStatus> => s.settings.setupStatus(s.operators.repo.countAdmins() > 0);
  const hubConnection = (): HubConnection => {
    if (!hub) throw new HadirError('SHUT_DOWN', 'the kiosk’s hub connection is not running');
    return hub;
  };

  return {
    // ─── Kiosk ───────────────────────────────────────────────────────────────────────────────────
    getStatus: () => s.kiosk.status(),
    submitFrame: async (req, ctx) => {
      // The window is a local client, which the kiosk level lets in as it is: its frames do not look
      // the operator's session up, so a kiosk left streaming never keeps an operator signed in.
      await caller('submitFrame', ctx.local ? { ...ctx, sessionToken: null } : ctx);
      return s.kiosk.frames.submitFrame(req);
    },

    // ─── Auth ────────────────────────────────────────────────────────────────────────────────────
    signIn: (req, ctx) => s.sessions.signIn(req.username, req.secret, ctx.clientId),
    getSession: (_req, ctx) => (ctx.sessionToken ? s.sessions.describe(ctx.sessionToken) : null),
    signOut: (_req, ctx) => {
      s.sessions.signOut(ctx.sessionToken);
      return null;
    },

    // ─── First run ───────────────────────────────────────────────────────────────────────────────
    getSetupStatus: () => setupStatus(),
    chooseModelPack: async (req, ctx) => {
      await s.settings.chooseModelPack(req.packId, await actor('chooseModelPack', ctx));
      return setupStatus();
    },
    createFirstAdmin: async (req, ctx) => {
      const operator = await s.operators.create(
        { username: req.username, displayName: req.displayName, role: 'admin', secret: req.secret },
        await actor('createFirstAdmin', ctx),
        { onlyIfNoAdmin: true },
      );
      return s.sessions.open(operator);
    },
    completeSetup: async (req, ctx) => {
      s.settings.completeSetup(req.schedule, req.language, await actor('completeSetup', ctx));
      return setupStatus();
    },

    // ─── Hub (admins; the wizard's admin during first run) ───────────────────────────────────────
    getHubLink: async (_req, ctx) => {
      await caller('getHubLink', ctx);
      return hubConnection().view();
    },
    joinHub: async (req, ctx) => hubConnection().join(req, await actor('joinHub', ctx)),

    // ─── Enrollment from the camera ──────────────────────────────────────────────────────────────
    startEnrollment: async (req, ctx) => s.kiosk.enrollment.start(req, await actor('startEnrollment', ctx)),
    addEnrollmentSample: async (req, ctx) => s.kiosk.enrollment.addSample(req, await actor('addEnrollmentSample', ctx)),
    removeEnrollmentSample: async (req, ctx) =>
      s.kiosk.enrollment.removeSample(req, await actor('removeEnrollmentSample', ctx)),
    commitEnrollment: async (req, ctx) => s.kiosk.enrollment.commit(req, await actor('commitEnrollment', ctx)),
    cancelEnrollment: async (req, ctx) => s.kiosk.enrollment.cancel(req, await actor('cancelEnrollment', ctx)),

    // ─── People ──────────────────────────────────────────────────────────────────────────────────
    listPeople: async (req, ctx) => {
      await caller('listPeople', ctx);
      return peoplePage(s, req);
    },
    getPerson: async (req, ctx) => {
      await caller('getPerson', ctx);
      return personDetail(s, req.id);
    },
    getPersonFace: async (req, ctx) => {
      const face = s.faces.personFace(await actor('getPersonFace', ctx), req.id);
      return { filename: `person-${req.id}-face.jpg`, mime: PERSON_FACE_MIME, bytes: face.jpeg };
    },
    updatePerson: async (req, ctx) => {
      const who = await actor('updatePerson', ctx);
      requirePerson(s.faces, req.id);
      return s.faces.updatePerson(who, req.id, personPatchOf(req));
    },
    setPersonActive: async (req, ctx) => {
      const who = await actor('setPersonActive', ctx);
      return req.active ? s.faces.reactivatePerson(who, req.id) : s.faces.deactivatePerson(who, req.id);
    },
    deletePerson: async (req, ctx) => {
      s.faces.deletePerson(await actor('deletePerson', ctx), req.id, { eraseAttendance: req.eraseAttendance });
      // The deleted face data leaves the write-ahead log too, not only the database pages.
      checkpointTruncate(s.db);
      return null;
    },
    listUnits: async (_req, ctx) => {
      await caller('listUnits', ctx);
      return s.faces.people.units();
    },
    listUnitDetails: async (_req, ctx) => {
      await caller('listUnitDetails', ctx);
      return new UnitService(s.db).list();
    },
    addUnit: async (req, ctx) => new UnitService(s.db).add(req.name, await actor('addUnit', ctx)).unit,
    renameUnit: async (req, ctx) => new UnitService(s.db).rename(req.id, req.name, await actor('renameUnit', ctx)),
    deleteUnit: async (req, ctx) => {
      new UnitService(s.db).delete(req.id, await actor('deleteUnit', ctx));
      return null;
    },

    // ─── Attendance ──────────────────────────────────────────────────────────────────────────────
    queryAttendance: async (req, ctx) => {
      await caller('queryAttendance', ctx);
      return attendancePage(s.attendance, req);
    },
    exportAttendance: async (req, ctx) => {
      const who = await actor('exportAttendance', ctx);
      const { format, lang, ...filter } = req;
      // The window's screens always say which language; the site's interface language otherwise.
      const file = await exportAttendanceFile(s.attendance, filter, format, who, lang ?? s.settings.language());
      return { filename: file.filename, mime: file.mime, bytes: new Uint8Array(file.data) };
    },
    attendanceStats: async (req, ctx) => {
      await caller('attendanceStats', ctx);
      return s.attendance.stats(req.from, req.to, req.unit);
    },
    addAttendanceRecord: async (req, ctx) => addManualRecord(s, req, await actor('addAttendanceRecord', ctx)),
    correctAttendanceRecord: async (req, ctx) =>
      correctManualRecord(s.attendance, req, await actor('correctAttendanceRecord', ctx)),
    voidAttendanceRecord: async (req, ctx) => {
      voidRecord(s.attendance, req, await actor('voidAttendanceRecord', ctx));
      return null;
    },

    // ─── Settings, keys, operators (admins) ──────────────────────────────────────────────────────
    getSettings: async (_req, ctx) => {
      await caller('getSettings', ctx);
      return s.settings.view();
    },
    updateSettings: async (req, ctx) => s.settings.update(req, await actor('updateSettings', ctx)),
    listApiKeys: async (_req, ctx) => {
      await caller('listApiKeys', ctx);
      return s.keys.list();
    },
    createApiKey: async (req, ctx) => {
      const who = await actor('createApiKey', ctx);
      if (req.scopes.length === 0)
        throw new HadirError('BAD_REQUEST', `scopes: give at least one of ${API_KEY_SCOPES.join(', ')}`);
      const { key, info } = s.keys.create(req.name, req.scopes, who);
      return { key: info, secret: key };
    },
    revokeApiKey: async (req, ctx) => {
      s.keys.revoke(req.id, await actor('revokeApiKey', ctx));
      const info = s.keys.repo.get(req.id);
      if (!info) throw new HadirError('NOT_FOUND', `no API key ${req.id}`);
      return info;
    },
    listOperators: async (_req, ctx) => {
      await caller('listOperators', ctx);
      return s.operators.list();
    },
    createOperator: async (req, ctx) =>
      s.operators.create(
        { username: req.username, displayName: req.displayName, role: req.role, secret: req.secret },
        await actor('createOperator', ctx),
      ),
    updateOperator: async (req, ctx) => {
      const { id, ...patch } = req;
      const updated = await s.operators.update(id, patch, await actor('updateOperator', ctx));
      // A deactivated operator, or one whose secret was reset, is signed out everywhere.
      if (patch.active === false || patch.secret !== undefined) s.sessions.revokeOperator(id);
      return updated;
    },
  };
}
