import { performance } from 'node:perf_hooks';

/**
 * The one clock every attendance decision reads. The wall clock (`now`) says which day it is and
 * whether someone is late; the monotonic clock (`monotonicMs`) cannot be set by anyone and is what a
 * jump of the wall clock is measured against (and what cooldowns are timed with).
 */
export interface Clock {
  now(): Date;
  /** Milliseconds from an arbitrary origin; never goes backwards, never jumps when the time is set. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** A clock the tests drive: `advance` moves both clocks (time passing), `setWall`/`jump` only the wall clock (someone setting the time). */
export class TestClock implements Clock {
  private wallMs: number;
  private mono = 1_000_000;

  constructor(start: Date | string) {
    this.wallMs = new Date(start).getTime();
    if (Number.isNaN(this.wallMs)) throw new RangeError(`bad start time: ${String(start)}`);
  }

  now(): Date {
    return new Date(this.wallMs);
  }

  monotonicMs(): number {
    return this.mono;
  }

  /** Time passes: both clocks move by `ms`. */
  advance(ms: number): this {
    if (ms < 0) throw new RangeError('time does not pass backwards; use jump() to set the clock back');
    this.wallMs += ms;
    this.mono += ms;
    return this;
  }

  /** Move to a later wall time with time passing normally (both clocks move). */
  advanceTo(at: Date | string): this {
    return this.advance(new Date(at).getTime() - this.wallMs);
  }

  /** The wall clock is set: it moves by `ms` (either way) while the monotonic clock stands still. */
  jump(ms: number): this {
    this.wallMs += ms;
    return this;
  }

  /** The wall clock is set to `at`; the monotonic clock stands still. */
  setWall(at: Date | string): this {
    this.wallMs = new Date(at).getTime();
    return this;
  }
}

export type ClockJumpKind = 'backward' | 'forward';

export interface ClockJump {
  kind: ClockJumpKind;
  /** When it was noticed (the wall clock after the jump), ISO-8601 UTC. */
  detectedAt: string;
  /** How far the wall clock moved beyond (or behind) the time that really passed, in ms; negative when backwards. */
  skewMs: number;
  /** The wall time before the jump (or the latest recorded time, for a jump noticed at start-up). */
  previousWall: string;
}

export interface ClockJumpLimits {
  /** A wall clock that falls behind elapsed time by more than this counts as jumping back (default 2 s: NTP corrections are smaller). */
  backwardToleranceMs: number;
  /** A wall clock that runs ahead of elapsed time by more than this counts as jumping forward (default 5 min). */
  forwardToleranceMs: number;
}

export const DEFAULT_CLOCK_JUMP_LIMITS: ClockJumpLimits = {
  backwardToleranceMs: 2_000,
  forwardToleranceMs: 5 * 60_000,
};

/**
 * Watches the wall clock against the monotonic clock. Between two checks both should advance by the
 * same amount; when the wall clock went back, or far forward, someone (or something) set the time, and
 * timestamps written from then on are suspect. The detector then holds a flag — a short text stored in
 * `attendance.clock_flag` of every record written while it is raised — until an operator has looked at
 * the clock and acknowledges it.
 *
 * A machine that sleeps looks like a forward jump (the monotonic clock stops during suspend): a kiosk
 * is expected to stay awake, and if it did not, the operator is right to check its clock.
 */
export class ClockJumpDetector {
  private lastWall: number;
  private lastMono: number;
  private readonly events: ClockJump[] = [];
  private flag: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(jump: ClockJump) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: ClockJumpLimits = DEFAULT_CLOCK_JUMP_LIMITS,
  ) {
    this.lastWall = clock.now().getTime();
    this.lastMono = clock.monotonicMs();
  }

  /**
   * Compare the current wall time with a time known to have been written earlier (the latest stored
   * record): a clock behind it went back while the process was not running to see it.
   */
  checkAgainstRecorded(latestRecorded: Date | null): ClockJump | null {
    if (!latestRecorded) return null;
    const now = this.clock.now().getTime();
    const skew = now - latestRecorded.getTime();
    if (skew >= -this.limits.backwardToleranceMs) return null;
    return this.raise({
      kind: 'backward',
      detectedAt: new Date(now).toISOString(),
      skewMs: skew,
      previousWall: latestRecorded.toISOString(),
    });
  }

  /** Compare both clocks since the last check; returns the jump when there was one. */
  check(): ClockJump | null {
    const wall = this.clock.now().getTime();
    const mono = this.clock.monotonicMs();
    const skew = wall - this.lastWall - (mono - this.lastMono);
    const previousWall = new Date(this.lastWall).toISOString();
    this.lastWall = wall;
    this.lastMono = mono;
    if (skew < -this.limits.backwardToleranceMs) {
      return this.raise({ kind: 'backward', detectedAt: new Date(wall).toISOString(), skewMs: skew, previousWall });
    }
    if (skew > this.limits.forwardToleranceMs) {
      return this.raise({ kind: 'forward', detectedAt: new Date(wall).toISOString(), skewMs: skew, previousWall });
    }
    return null;
  }

  /** The flag to store on records written now, or null while the clock is trusted. */
  currentFlag(): string | null {
    return this.flag;
  }

  /** Every jump seen by this process, oldest first. */
  jumps(): readonly ClockJump[] {
    return this.events;
  }

  /** An operator has checked the clock: records written from now on are no longer flagged. */
  acknowledge(): void {
    this.flag = null;
  }

  onJump(listener: (jump: ClockJump) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Check periodically, so a jump there and back between two scans is seen too. The timer does not keep the process alive. */
  startWatching(intervalMs = 10_000): () => void {
    this.stopWatching();
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
    return () => this.stopWatching();
  }

  stopWatching(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private raise(jump: ClockJump): ClockJump {
    this.events.push(jump);
    this.flag = describeClockJump(jump);
    for (const l of this.listeners) l(jump);
    return jump;
  }
}

/** The text stored in `attendance.clock_flag`, e.g. "clock set back 3600 s at 2025-01-06T01:00:00.000Z". */
export function describeClockJump(jump: ClockJump): string {
  const s = Math.round(Math.abs(jump.skewMs) / 1000);
  return `clock set ${jump.kind === 'backward' ? 'back' : 'forward'} ${s} s at ${jump.detectedAt}`;
}
