import { HadirError } from '../../shared/errors';
import type { Landmarks5, LivenessResult } from '../../shared/face';
import { type ChallengeSettings, type TurnDirection, TurnChallenge } from './liveness-challenge';

/**
 * When a kiosk may record a check-in: the core of the kiosk's decision, pure (no I/O, no clock). The
 * kiosk keeps one {@link CheckinConfirmation} per tracked main face and feeds it every frame's
 * observation; it confirms only after `requiredFrames` consecutive frames name the same person and,
 * when liveness is required (the default), every one of those frames was judged real. It fails closed:
 * a spoof frame, an unknown face or a missing liveness judgement resets the count, and one frame is
 * never enough to be fooled by a single lucky score.
 */

export interface FrameObservation {
  /** The person the main face matched, or null when it matched nobody. */
  identity: string | null;
  /** The main face's liveness, or null when liveness did not run or is unavailable. */
  liveness: LivenessResult | null;
  /** The main face's landmarks: needed only when the head-turn challenge is on. */
  landmarks?: Landmarks5 | null;
  /** Frame time in milliseconds (any monotonic clock): needed only when the challenge is on. */
  at?: number;
}

export interface CheckinPolicySettings {
  /** Consecutive agreeing frames before a check-in is confirmed. */
  requiredFrames: number;
  /** Require every counted frame to be judged real (and refuse when liveness is unavailable). */
  requireLiveness: boolean;
  /** The active head-turn challenge after the frames agree; null: off. */
  challenge: Partial<ChallengeSettings> | null;
}

export const DEFAULT_CHECKIN_POLICY: CheckinPolicySettings = {
  requiredFrames: 3,
  requireLiveness: true,
  challenge: null,
};

export type CheckinOutcome =
  /** Agreeing frames so far; keep looking. */
  | { kind: 'pending'; identity: string; frames: number; requiredFrames: number }
  /** The frames agree; now waiting for the asked head turn. */
  | { kind: 'challenge'; identity: string; direction: TurnDirection; remainingMs: number }
  /** Record the check-in. The count starts again, so duplicates are the attendance service's cooldown. */
  | { kind: 'confirmed'; identity: string; frames: number; minPReal: number | null }
  /** This frame was judged a presentation attack (photo, screen): refuse. */
  | { kind: 'spoof'; identity: string | null; pReal: number }
  /** Liveness is required but was not judged (no liveness models, or it did not run): refuse. */
  | { kind: 'liveness_unavailable' }
  /** The face matched nobody. */
  | { kind: 'unknown' }
  /** The head-turn challenge timed out or went the wrong way: refuse, start over. */
  | { kind: 'challenge_failed'; identity: string; reason: 'timeout' | 'wrong_direction' };

interface Streak {
  identity: string;
  frames: number;
  minPReal: number | null;
  challenge: TurnChallenge | null;
}

export class CheckinConfirmation {
  readonly settings: CheckinPolicySettings;
  private streak: Streak | null = null;

  /** `pickDirection` chooses the turn to ask for (random by default; tests pass a fixed one). */
  constructor(
    settings: Partial<CheckinPolicySettings> = {},
    private readonly pickDirection: () => TurnDirection = () => (Math.random() < 0.5 ? 'left' : 'right'),
  ) {
    this.settings = { ...DEFAULT_CHECKIN_POLICY, ...settings };
    const n = this.settings.requiredFrames;
    if (!Number.isInteger(n) || n < 1) {
      throw new HadirError('BAD_REQUEST', `requiredFrames must be a positive integer (got ${n})`);
    }
  }

  /** Forget everything (the tracked face was lost, or the kiosk changed mode). */
  reset(): void {
    this.streak = null;
  }

  observe(obs: FrameObservation): CheckinOutcome {
    const { requireLiveness, requiredFrames } = this.settings;
    if (this.settings.challenge !== null && obs.at === undefined) {
      throw new HadirError('BAD_REQUEST', 'the head-turn challenge needs a timestamp (`at`) on every observation');
    }
    if (requireLiveness && obs.liveness === null) return this.refuse({ kind: 'liveness_unavailable' });
    // A spoof judgement refuses even where liveness is not required: it is never evidence for a person.
    if (obs.liveness?.decision === 'spoof') {
      return this.refuse({ kind: 'spoof', identity: obs.identity, pReal: obs.liveness.p_real });
    }
    if (obs.identity === null) return this.refuse({ kind: 'unknown' });

    const pReal = obs.liveness?.p_real ?? null;
    if (!this.streak || this.streak.identity !== obs.identity) {
      this.streak = { identity: obs.identity, frames: 0, minPReal: null, challenge: null };
    }
    const s = this.streak;
    s.frames++;
    if (pReal !== null) s.minPReal = s.minPReal === null ? pReal : Math.min(s.minPReal, pReal);

    if (s.frames < requiredFrames) return { kind: 'pending', identity: s.identity, frames: s.frames, requiredFrames };
    if (this.settings.challenge === null) return this.confirm(s);

    const at = obs.at!;
    s.challenge ??= new TurnChallenge(this.pickDirection(), at, this.settings.challenge);
    const status = s.challenge.observe(obs.landmarks ?? null, at);
    if (status.state === 'passed') return this.confirm(s);
    if (status.state === 'failed') {
      return this.refuse({ kind: 'challenge_failed', identity: s.identity, reason: status.reason });
    }
    return { kind: 'challenge', identity: s.identity, direction: status.direction, remainingMs: status.remainingMs };
  }

  private confirm(s: Streak): CheckinOutcome {
    this.streak = null;
    return { kind: 'confirmed', identity: s.identity, frames: s.frames, minPReal: s.minPReal };
  }

  private refuse(outcome: CheckinOutcome): CheckinOutcome {
    this.streak = null;
    return outcome;
  }
}
