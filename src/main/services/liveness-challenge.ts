import type { Landmarks5 } from '../../shared/face';
import { estimateHeadPose } from '../vision/head-pose';

/**
 * An active liveness challenge: the kiosk asks the person to turn their head left or right, and the
 * challenge passes only when the estimated yaw moves by at least `minTurnDeg` in the asked direction
 * within `timeLimitMs`. A printed photo cannot do it (tilting a flat print does not change the
 * estimated yaw, see head-pose.ts), and a replayed video has to happen to turn the right way in time.
 * Pure: the caller supplies frames and their timestamps.
 */

/** The subject's own left or right. */
export type TurnDirection = 'left' | 'right';

export interface ChallengeSettings {
  /** Smallest yaw change accepted, in (rough) degrees. */
  minTurnDeg: number;
  /** Time from the start of the challenge to a passing frame. */
  timeLimitMs: number;
  /**
   * Whether frames are mirrored before they reach the engine (a selfie-style preview sent as is). In an
   * unmirrored camera frame the subject's left is the image's right.
   */
  mirrored: boolean;
}

export const DEFAULT_CHALLENGE_SETTINGS: ChallengeSettings = {
  // Big enough that head jitter and landmark noise (a few degrees frame to frame) never pass, small
  // enough that a person does it without thinking.
  minTurnDeg: 20,
  timeLimitMs: 5000,
  mirrored: false,
};

export type ChallengeStatus =
  | { state: 'asking'; direction: TurnDirection; remainingMs: number; turnedDeg: number }
  | { state: 'passed'; direction: TurnDirection; turnedDeg: number }
  | { state: 'failed'; direction: TurnDirection; reason: 'timeout' | 'wrong_direction' };

export class TurnChallenge {
  private baselineYaw: number | null = null;
  private finished: ChallengeStatus | null = null;
  readonly settings: ChallengeSettings;

  constructor(
    readonly direction: TurnDirection,
    readonly startedAt: number,
    settings: Partial<ChallengeSettings> = {},
  ) {
    this.settings = { ...DEFAULT_CHALLENGE_SETTINGS, ...settings };
  }

  /**
   * Feed one frame's landmarks (null: no usable face in this frame). The first usable frame sets the
   * baseline yaw, so a person who starts slightly turned still has to turn by the full angle.
   */
  observe(landmarks: Landmarks5 | null, at: number): ChallengeStatus {
    if (this.finished) return this.finished;
    const { minTurnDeg, timeLimitMs, mirrored } = this.settings;
    const elapsed = at - this.startedAt;
    if (elapsed > timeLimitMs) return this.finish({ state: 'failed', direction: this.direction, reason: 'timeout' });
    const pose = landmarks ? estimateHeadPose(landmarks) : null;
    if (!pose) return { state: 'asking', direction: this.direction, remainingMs: timeLimitMs - elapsed, turnedDeg: 0 };
    this.baselineYaw ??= pose.yaw;
    // Image yaw is positive toward image +x: the subject's left unless the frames are mirrored.
    const towardSubjectLeft = (pose.yaw - this.baselineYaw) * (mirrored ? -1 : 1);
    const turnedDeg = this.direction === 'left' ? towardSubjectLeft : -towardSubjectLeft;
    if (turnedDeg >= minTurnDeg) return this.finish({ state: 'passed', direction: this.direction, turnedDeg });
    if (turnedDeg <= -minTurnDeg) {
      return this.finish({ state: 'failed', direction: this.direction, reason: 'wrong_direction' });
    }
    return { state: 'asking', direction: this.direction, remainingMs: timeLimitMs - elapsed, turnedDeg };
  }

  private finish(s: ChallengeStatus): ChallengeStatus {
    this.finished = s;
    return s;
  }
}
