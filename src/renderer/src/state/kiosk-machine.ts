/**
 * The kiosk screen's state as a pure reducer (the zustand store in kiosk.ts only holds it):
 *
 *   idle ──face seen──▶ detecting ──check-in/out event──▶ confirmed (card) ──card timeout──▶ detecting | idle
 *     ▲                     │
 *     └──no face for idleAfterMs
 *
 * The page never decides attendance: the server tracks the face over several frames and sends one
 * event when its policy has decided; this machine only shows it. Refusals (unknown, spoof, cooldown,
 * closed…) are short notices on top of `detecting`, not a mode of their own.
 */
import type { NextAttendanceAction } from '../../../shared/attendance';
import type { FrameResult, Guidance, KioskEvent, KioskEventKind, KioskFace } from '../../../shared/contract';

export type KioskMode = 'idle' | 'detecting' | 'confirmed';

/** Events that show the big confirmation card. */
export const CARD_EVENTS = ['checked_in', 'checked_out', 'already_checked_in'] as const satisfies KioskEventKind[];
export type CardKind = (typeof CARD_EVENTS)[number];
export type NoticeKind = Exclude<KioskEventKind, CardKind>;

export interface ConfirmationCard {
  kind: CardKind;
  name: string;
  /** ISO instant of the check-in/out. */
  time: string | null;
  late: boolean;
  /** For `already_checked_in`: what the person can do next today. */
  nextAction?: NextAttendanceAction;
  shownAt: number;
  until: number;
}

export interface KioskNotice {
  kind: NoticeKind;
  retryAfterSeconds?: number;
  holiday?: string;
  /** For `cooldown`: the day's times and the next action, said instead of a countdown. */
  checkInAt?: string;
  checkOutAt?: string;
  nextAction?: NextAttendanceAction;
  until: number;
}

export interface KioskTiming {
  cardMs: number;
  noticeMs: number;
  /** No face for this long: back to the idle screen. */
  idleAfterMs: number;
  /** Faces not refreshed for this long are taken off the overlay. */
  facesTtlMs: number;
}

export const DEFAULT_KIOSK_TIMING: KioskTiming = { cardMs: 5000, noticeMs: 4000, idleAfterMs: 8000, facesTtlMs: 1000 };

export interface KioskState {
  mode: KioskMode;
  faces: KioskFace[];
  frameWidth: number;
  frameHeight: number;
  /** When `faces` arrived (ms, the caller's clock). */
  facesAt: number;
  lastFaceAt: number;
  guidance: Guidance | null;
  progress: { frames: number; required: number } | null;
  card: ConfirmationCard | null;
  notice: KioskNotice | null;
  /** Bumped for every new card: the screen plays the chime when it changes. */
  cardSeq: number;
  timing: KioskTiming;
}

export type KioskAction =
  /** A reply to a frame. `fresh: false` (came too late): only its event counts. */
  | { type: 'frame'; result: FrameResult; fresh: boolean; now: number }
  | { type: 'tick'; now: number }
  | { type: 'configure'; timing: Partial<KioskTiming> }
  | { type: 'reset'; now: number };

export function initialKioskState(timing: KioskTiming = DEFAULT_KIOSK_TIMING): KioskState {
  return {
    mode: 'idle',
    faces: [],
    frameWidth: 0,
    frameHeight: 0,
    facesAt: 0,
    lastFaceAt: Number.NEGATIVE_INFINITY,
    guidance: null,
    progress: null,
    card: null,
    notice: null,
    cardSeq: 0,
    timing,
  };
}

function isCardEvent(kind: KioskEventKind): kind is CardKind {
  return (CARD_EVENTS as readonly string[]).includes(kind);
}

function applyEvent(state: KioskState, event: KioskEvent, now: number): KioskState {
  if (isCardEvent(event.kind)) {
    const name = event.name ?? '';
    // The same person's repeated answer while their card is up (they are still standing there) changes nothing.
    if (state.card && state.card.name === name && now < state.card.until) return state;
    return {
      ...state,
      mode: 'confirmed',
      notice: null,
      card: {
        kind: event.kind,
        name,
        time: event.time ?? null,
        late: event.late ?? false,
        ...(event.nextAction ? { nextAction: event.nextAction } : {}),
        shownAt: now,
        until: now + state.timing.cardMs,
      },
      cardSeq: state.cardSeq + 1,
    };
  }
  // While a card is up, refusals (typically the cooldown of the person just greeted) are not shown.
  if (state.mode === 'confirmed') return state;
  return {
    ...state,
    notice: {
      kind: event.kind,
      retryAfterSeconds: event.retryAfterSeconds,
      holiday: event.holiday,
      checkInAt: event.checkInAt,
      checkOutAt: event.checkOutAt,
      nextAction: event.nextAction,
      until: now + state.timing.noticeMs,
    },
  };
}

function afterTime(state: KioskState, now: number): KioskState {
  let next = state;
  const faceRecent = now - state.lastFaceAt < state.timing.idleAfterMs;
  if (next.card && now >= next.card.until) {
    next = { ...next, card: null, mode: faceRecent ? 'detecting' : 'idle' };
  }
  if (next.notice && now >= next.notice.until) next = { ...next, notice: null };
  if (next.mode === 'detecting' && !faceRecent) {
    next = { ...next, mode: 'idle', guidance: null, progress: null, notice: null };
  }
  if (next.faces.length > 0 && now - next.facesAt >= next.timing.facesTtlMs) {
    next = { ...next, faces: [] };
  }
  return next;
}

export function kioskReducer(state: KioskState, action: KioskAction): KioskState {
  switch (action.type) {
    case 'frame': {
      const { result, now, fresh } = action;
      let next = state;
      if (fresh) {
        const seen = result.faces.length > 0;
        next = {
          ...next,
          faces: result.faces,
          frameWidth: result.frameWidth,
          frameHeight: result.frameHeight,
          facesAt: now,
          lastFaceAt: seen ? now : next.lastFaceAt,
          guidance: result.guidance ?? null,
          progress: result.progress ?? null,
          mode: seen && next.mode === 'idle' ? 'detecting' : next.mode,
        };
      }
      if (result.event) next = applyEvent(next, result.event, now);
      return afterTime(next, now);
    }
    case 'tick':
      return afterTime(state, action.now);
    case 'configure':
      return { ...state, timing: { ...state.timing, ...action.timing } };
    case 'reset':
      return { ...initialKioskState(state.timing), cardSeq: state.cardSeq };
  }
}
