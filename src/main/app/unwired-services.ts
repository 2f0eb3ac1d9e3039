/**
 * The services as the window sees them while the real ones are not running (startup.ts): the engine
 * is starting, or could not start (no model pack installed, a broken one). The status says so — the
 * kiosk shows its "engine not ready" screen rather than a blank one — and every other method refuses
 * with SHUT_DOWN. The IPC layer does not change when the real services take over.
 */
import type { AppStatus, ContractMethod } from '../../shared/contract';
import { HadirError } from '../../shared/errors';
import { HADIR_VERSION } from '../../shared/version';
import { DEFAULT_KIOSK_CONFIG } from '../services/site-settings';
import type { ContractService } from './ipc';

export type EngineProblem = Pick<AppStatus['engine'], 'state' | 'message'>;

export function unwiredStatus(engine?: EngineProblem): AppStatus {
  return {
    version: HADIR_VERSION,
    setupComplete: true,
    engine: {
      state: 'starting',
      ready: false,
      packId: null,
      provider: null,
      providerFallback: null,
      livenessAvailable: false,
      message: 'The face service is not connected in this build.',
      ...engine,
    },
    database: { ok: true, message: null },
    gallerySize: 0,
    language: 'id',
    timeZone: 'Asia/Jakarta',
    kiosk: DEFAULT_KIOSK_CONFIG,
  };
}

function refuse(method: ContractMethod): never {
  throw new HadirError('SHUT_DOWN', `${method}: the service behind it is not running yet`);
}

export function createUnwiredServices(engine?: EngineProblem): ContractService {
  return {
    getStatus: () => unwiredStatus(engine),
    submitFrame: () => refuse('submitFrame'),
    signIn: () => refuse('signIn'),
    getSession: () => null,
    signOut: () => null,
    getSetupStatus: () => refuse('getSetupStatus'),
    chooseModelPack: () => refuse('chooseModelPack'),
    createFirstAdmin: () => refuse('createFirstAdmin'),
    completeSetup: () => refuse('completeSetup'),
    getHubLink: () => refuse('getHubLink'),
    joinHub: () => refuse('joinHub'),
    startEnrollment: () => refuse('startEnrollment'),
    addEnrollmentSample: () => refuse('addEnrollmentSample'),
    removeEnrollmentSample: () => refuse('removeEnrollmentSample'),
    commitEnrollment: () => refuse('commitEnrollment'),
    cancelEnrollment: () => refuse('cancelEnrollment'),
    listPeople: () => refuse('listPeople'),
    getPerson: () => refuse('getPerson'),
    getPersonFace: () => refuse('getPersonFace'),
    updatePerson: () => refuse('updatePerson'),
    setPersonActive: () => refuse('setPersonActive'),
    deletePerson: () => refuse('deletePerson'),
    listUnits: () => refuse('listUnits'),
    listUnitDetails: () => refuse('listUnitDetails'),
    addUnit: () => refuse('addUnit'),
    renameUnit: () => refuse('renameUnit'),
    deleteUnit: () => refuse('deleteUnit'),
    queryAttendance: () => refuse('queryAttendance'),
    exportAttendance: () => refuse('exportAttendance'),
    attendanceStats: () => refuse('attendanceStats'),
    addAttendanceRecord: () => refuse('addAttendanceRecord'),
    correctAttendanceRecord: () => refuse('correctAttendanceRecord'),
    voidAttendanceRecord: () => refuse('voidAttendanceRecord'),
    getSettings: () => refuse('getSettings'),
    updateSettings: () => refuse('updateSettings'),
    listApiKeys: () => refuse('listApiKeys'),
    createApiKey: () => refuse('createApiKey'),
    revokeApiKey: () => refuse('revokeApiKey'),
    listOperators: () => refuse('listOperators'),
    createOperator: () => refuse('createOperator'),
    updateOperator: () => refuse('updateOperator'),
  };
}
