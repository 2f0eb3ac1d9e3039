/**
 * A short two-note chime for a confirmed check-in/out, made with WebAudio (no sound file to ship, and
 * nothing for the CSP to allow). Browsers start audio only after a user gesture; Electron's kiosk
 * window allows it, and in web mode the first tap on the page unlocks it.
 */
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

export function playChime(kind: 'in' | 'out' = 'in'): void {
  const ctx = audio();
  if (!ctx) return;
  if (ctx.state === 'suspended') void ctx.resume();
  // Rising for arriving, falling for leaving.
  const notes = kind === 'in' ? [659.25, 987.77] : [987.77, 659.25];
  const start = ctx.currentTime + 0.01;
  notes.forEach((freq, i) => {
    const t = start + i * 0.14;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, t);
    gain.gain.linearRampToValueAtTime(0.25, t + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.001, t + 0.35);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.4);
  });
}
