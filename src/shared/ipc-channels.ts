/**
 * Every IPC channel between the page and main, in one place (Mattermost's habit): the preload script
 * exposes exactly these, one `invoke` each, and `src/main/app/ipc.ts` registers exactly these.
 * One channel per contract method; renaming a channel is harmless (both ends read this table), but
 * adding one means adding a method to `contract.ts` first.
 */
import type { ContractMethod, ContractRequest, ContractResponse, Result } from './contract';

export const IPC_CHANNELS = {
  getStatus: 'hadir:status:get',
  submitFrame: 'hadir:kiosk:frame',

  signIn: 'hadir:auth:sign-in',
  getSession: 'hadir:auth:session',
  signOut: 'hadir:auth:sign-out',

  getSetupStatus: 'hadir:setup:status',
  chooseModelPack: 'hadir:setup:model-pack',
  createFirstAdmin: 'hadir:setup:admin',
  completeSetup: 'hadir:setup:complete',

  getHubLink: 'hadir:hub:link',
  joinHub: 'hadir:hub:join',

  startEnrollment: 'hadir:enrollment:start',
  addEnrollmentSample: 'hadir:enrollment:add-sample',
  removeEnrollmentSample: 'hadir:enrollment:remove-sample',
  commitEnrollment: 'hadir:enrollment:commit',
  cancelEnrollment: 'hadir:enrollment:cancel',

  listPeople: 'hadir:people:list',
  getPerson: 'hadir:people:get',
  getPersonFace: 'hadir:people:face',
  updatePerson: 'hadir:people:update',
  setPersonActive: 'hadir:people:set-active',
  deletePerson: 'hadir:people:delete',
  listUnits: 'hadir:people:units',
  listUnitDetails: 'hadir:units:list',
  addUnit: 'hadir:units:add',
  renameUnit: 'hadir:units:rename',
  deleteUnit: 'hadir:units:delete',

  queryAttendance: 'hadir:attendance:query',
  exportAttendance: 'hadir:attendance:export',
  attendanceStats: 'hadir:attendance:stats',
  addAttendanceRecord: 'hadir:attendance:add',
  correctAttendanceRecord: 'hadir:attendance:correct',
  voidAttendanceRecord: 'hadir:attendance:void',

  getSettings: 'hadir:settings:get',
  updateSettings: 'hadir:settings:update',
  listApiKeys: 'hadir:keys:list',
  createApiKey: 'hadir:keys:create',
  revokeApiKey: 'hadir:keys:revoke',
  listOperators: 'hadir:operators:list',
  createOperator: 'hadir:operators:create',
  updateOperator: 'hadir:operators:update',
} as const satisfies Record<ContractMethod, `hadir:${string}`>;

export type IpcChannel = (typeof IPC_CHANNELS)[ContractMethod];

/**
 * What travels on a channel: the method's request and the operator session the page holds (null on
 * the kiosk screen). Main looks the token up itself; it never trusts a role sent by the page.
 */
export interface IpcEnvelope<Req> {
  token: string | null;
  payload: Req;
}

/** `window.hadir`: one function per channel, nothing else. */
export type HadirBridge = {
  readonly [M in ContractMethod]: (envelope: IpcEnvelope<ContractRequest<M>>) => Promise<Result<ContractResponse<M>>>;
};
