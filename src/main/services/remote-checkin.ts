import { type ImageAnalysis, type LivenessResult, mainFaceIndex } from '../../shared/face';
import type { AttendanceCheckBody, AttendanceCheckFrame, AttendanceCheckOutcome } from '../../shared/http-api';
import type { Identity } from '../../shared/identity';
import type { Actor, Person } from '../../shared/people';
import type { AttendanceService } from './attendance-service';
import { CheckinConfirmation, type CheckinPolicySettings } from './checkin-policy';

/**
 * Check-in from a remote terminal (`POST /api/v1/attendance/check`): the terminal sends a burst of
 * camera frames and the server alone decides, with the kiosk's own policy ({@link CheckinConfirmation})
 * and the attendance rules ({@link AttendanceService}: windows, holidays, leave, cooldown). A request is
 * one attempt, judged as a whole and failing closed: any frame judged a spoof, any frame without a
 * liveness judgement (when liveness is required), any frame whose main face is unknown or someone
 * else refuses the attempt, and fewer agreeing frames than required records nothing. The terminal
 * never says who is in the picture.
 */

/** The attempt's answer, without the timings (the route adds them). */
export type RemoteCheckResult = Omit<AttendanceCheckBody, 'timings_ms'>;
type RemoteCheckOutcome = AttendanceCheckOutcome;
type FrameVerdict = AttendanceCheckFrame;

export interface RemoteCheckinDeps {
  attendance: AttendanceService;
  /** Who one embedding is (the face service's identifier). */
  identify: (embedding: Float32Array) => Identity;
  getPerson: (id: number) => Person | null;
  /** Read at every attempt: settings changes apply at once. */
  policy: () => CheckinPolicySettings;
  /** p_real at or above which a face is live (the site's threshold); null: the engine's own decision. */
  livenessThreshold: () => number | null;
}

/** Assumed time between a terminal's frames, for the head-turn challenge (its frames carry no clock). */
const FRAME_INTERVAL_MS = 200;

export class RemoteCheckin {
  constructor(private readonly deps: RemoteCheckinDeps) {}

  check(analyses: readonly ImageAnalysis[], opts: { kioskId: string; actor: Actor }): RemoteCheckResult {
    const policy = this.deps.policy();
    const required = policy.requiredFrames;
    const threshold = this.deps.livenessThreshold();
    const confirmation = new CheckinConfirmation(policy, () => 'left');
    const frames: FrameVerdict[] = [];
    let claimed: number | null = null;
    let confirmed: { personId: number; minPReal: number | null } | null = null;
    let minScore = Infinity;
    const refuse = (outcome: RemoteCheckOutcome, message: string, person: Person | null = null): RemoteCheckResult => ({
      outcome,
      recorded: false,
      message,
      person: person && { id: person.id, employee_number: person.employee_number, full_name: person.full_name },
      record: null,
      frames,
      required_frames: required,
    });

    for (const [index, a] of analyses.entries()) {
      const main = mainFaceIndex(a.faces);
      if (main < 0) {
        frames.push({ index, faces: 0, identity: null, liveness: null, verdict: 'no_face' });
        return refuse('no_face', `frame ${index + 1} shows no face`);
      }
      const face = a.faces[main];
      const liveness = face.liveness ? judged(face.liveness, threshold) : null;
      const identity = face.embedding ? this.deps.identify(face.embedding) : null;
      const personId = identity?.decision === 'match' ? identity.person_id : null;
      const outcome = confirmation.observe({
        identity: personId === null ? null : String(personId),
        liveness,
        landmarks: face.landmarks,
        at: index * FRAME_INTERVAL_MS,
      });
      const frame: FrameVerdict = { index, faces: a.faces.length, identity, liveness, verdict: outcome.kind };
      frames.push(frame);
      switch (outcome.kind) {
        case 'spoof':
          return refuse('spoof', `frame ${index + 1} was judged a photo or screen, not a live face: nothing recorded`);
        case 'liveness_unavailable':
          return refuse('liveness_unavailable', 'liveness is required and could not be judged: nothing recorded');
        case 'unknown':
          return refuse('unknown', `the face in frame ${index + 1} is not recognised: nothing recorded`);
        case 'challenge_failed':
          return refuse('spoof', `the head-turn challenge failed (${outcome.reason}): nothing recorded`);
        default:
          break;
      }
      if (claimed !== null && personId !== claimed) {
        frame.verdict = 'disagree';
        return refuse('disagree', `frame ${index + 1} shows someone else than frame 1: nothing recorded`);
      }
      claimed = personId;
      minScore = Math.min(minScore, identity!.score);
      if (outcome.kind === 'confirmed') confirmed = { personId: personId!, minPReal: outcome.minPReal };
    }

    const person = claimed === null ? null : this.deps.getPerson(claimed);
    if (!confirmed || !person) {
      return refuse(
        'too_few_frames',
        `${analyses.length} agreeing frame${analyses.length === 1 ? '' : 's'}; ${required} needed${policy.challenge ? ' and the head-turn challenge' : ''}: nothing recorded`,
        person,
      );
    }
    if (!person.active) return refuse('inactive', `${person.full_name} is deactivated: nothing recorded`, person);

    const out = this.deps.attendance.recordRecognition({
      person: person.id,
      similarity: Math.round(minScore * 1e4) / 1e4,
      liveness: confirmed.minPReal === null ? null : Math.round(confirmed.minPReal * 1e4) / 1e4,
      kioskId: opts.kioskId,
      actor: opts.actor,
    });
    const base = {
      person: { id: person.id, employee_number: person.employee_number, full_name: person.full_name },
      frames,
      required_frames: required,
    };
    switch (out.kind) {
      case 'checked_in':
      case 'checked_out':
        return {
          ...base,
          outcome: out.kind,
          recorded: true,
          record: out.record,
          late: out.late,
          message: `${person.full_name} ${out.kind === 'checked_in' ? 'checked in' : 'checked out'}${out.late ? ' (late)' : ''}`,
        };
      case 'already_checked_in':
        return {
          ...base,
          outcome: out.kind,
          recorded: false,
          record: out.record,
          late: out.late,
          message: `${person.full_name} already checked in today: nothing recorded`,
        };
      case 'cooldown':
        return {
          ...base,
          outcome: 'cooldown',
          recorded: false,
          record: null,
          retry_after_s: out.retry_after_s,
          message: `${person.full_name} was just recorded; try again in ${out.retry_after_s} s: nothing recorded`,
        };
      case 'closed':
        return {
          ...base,
          outcome: 'closed',
          recorded: false,
          record: null,
          message: 'outside the check-in and check-out windows: nothing recorded',
        };
      case 'holiday':
        return {
          ...base,
          outcome: 'holiday',
          recorded: false,
          record: null,
          holiday: out.holiday,
          message: `today is a holiday (${out.holiday}): nothing recorded`,
        };
      case 'on_leave':
        return {
          ...base,
          outcome: 'on_leave',
          recorded: false,
          record: null,
          message: `${person.full_name} is on leave (${out.leave_kind}) today: nothing recorded`,
        };
    }
  }
}

/** The liveness decision at the site's threshold (the engine decided at its own, fixed at start). */
function judged(l: LivenessResult, threshold: number | null): LivenessResult {
  if (threshold === null) return l;
  return { p_real: l.p_real, decision: l.p_real >= threshold ? 'real' : 'spoof' };
}
