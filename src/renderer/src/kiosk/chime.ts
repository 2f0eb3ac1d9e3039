/**
 * The kiosk's sounds, made with WebAudio (no sound file to ship, and nothing for the CSP to allow): a
 * short rising two-note chime for a check-in, falling for a check-out, and a distinct low double buzz
 * for a refusal (a face not recognised, a picture held up). Optionally the person's first name is said
 * with the browser's speech synthesis in the interface language. Browsers start audio only after a
 * user gesture; Electron's kiosk window allows it, and in web mode the first tap on the page unlocks it.
 */
import type { Language } from '../../../shared/contract';

let context: AudioContext | null = null;

function audio(): AudioContext | null {
  if (typeof AudioContext === 'undefined') return null;
  context ??= new AudioContext();
  return context;
}

/** Call from a user gesture in web mode so later chimes can play. */
export function unlockAudio(): void {
  void audio()?.resume();
}

export type Tone = 'in' | 'out' | 'refused';

/** The notes of each tone: frequency (Hz), start (s), length (s) and wave. */
export function toneNotes(kind: Tone): { freq: number; at: number; length: number; wave: OscillatorType }[] {
  if (kind === 'refused') {
    // Low and square-ish, two short buzzes: not to be mistaken for the chime, even by someone not looking.
    return [
      { freq: 220, at: 0, length: 0.16, wave: 'triangle' },
      { freq: 196, at: 0.2, length: 0.22, wave: 'triangle' },
    ];
  }
  // Rising for arriving, falling for leaving.
  const notes = kind === 'in' ? [659.25, 987.77] : [987.77, 659.25];
  return notes.map((freq, i) => ({ freq, at: i * 0.14, length: 0.35, wave: 'sine' as const }));
}

/** Peak gain of a tone at `volume` 0–100 (0 is silent; 100 is the loudest that does not clip two notes). */
export function toneGain(volume: number): number {
  const v = Math.min(100, Math.max(0, volume)) / 100;
  // Loudness is heard on a log scale: a square curve makes the slider feel even.
  return 0.4 * v * v;
}

export function playTone(kind: Tone, volume = 70): void {
  const peak = toneGain(volume);
  if (peak <= 0) return;
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume();
  const start = ctx.currentTime + 0.01;
  for (const note of toneNotes(kind)) {
    const t = start + note.at;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = note.wave;
    osc.frequency.value = note.freq;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(peak, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.001, t + note.length);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + note.length + 0.05);
  }
}

/** The chime of a confirmed check-in (`in`) or check-out (`out`). */
export function playChime(kind: 'in' | 'out' = 'in', volume = 70): void {
  playTone(kind, volume);
}

/** The first name to greet someone by: the first word that is not a title ("Dr. Siti Rahmawati, M.Si." → "Siti"). */
export function firstName(fullName: string): string {
  const words = fullName
    .split(',')[0]
    .split(/\s+/)
    .filter((w) => w && !/\.$/.test(w) && !/^(h|hj|ir|dr|drs|dra|prof|bapak|ibu|bpk)$/i.test(w));
  return words[0] ?? fullName.trim();
}

const SPEECH_LANG: Record<Language, string> = { id: 'id-ID', en: 'en-GB' };

/**
 * Say `text` in `language` (after the chime), at `volume`. Does nothing where the browser has no
 * speech synthesis; a voice of the language is preferred, else the browser's default speaks it.
 */
export function speak(text: string, language: Language, volume = 70): void {
  if (typeof speechSynthesis === 'undefined' || typeof SpeechSynthesisUtterance === 'undefined') return;
  const u = new SpeechSynthesisUtterance(text);
  u.lang = SPEECH_LANG[language];
  u.volume = Math.min(1, Math.max(0, volume / 100));
  const voice = speechSynthesis.getVoices().find((v) => v.lang.replace('_', '-').startsWith(language));
  if (voice) u.voice = voice;
  // A new greeting replaces one still queued: the next person should not hear the previous name.
  speechSynthesis.cancel();
  speechSynthesis.speak(u);
}
