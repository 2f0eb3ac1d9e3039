import { describe, expect, it } from 'vitest';
import { firstName, toneGain, toneNotes } from './chime';

describe('kiosk sounds', () => {
  it('makes the refusal sound unlike the chime', () => {
    const chime = toneNotes('in');
    const refused = toneNotes('refused');
    expect(Math.max(...refused.map((n) => n.freq))).toBeLessThan(Math.min(...chime.map((n) => n.freq)) / 2);
    expect(toneNotes('out').map((n) => n.freq)).toEqual([...chime.map((n) => n.freq)].reverse());
  });

  it('follows the volume setting, silent at 0', () => {
    expect(toneGain(0)).toBe(0);
    expect(toneGain(100)).toBeCloseTo(0.4);
    expect(toneGain(50)).toBeLessThan(toneGain(70));
    expect(toneGain(150)).toBe(toneGain(100));
  });

  it('greets by first name, without titles or degrees', () => {
    expect(firstName('Dr. Siti Rahmawati, M.Si.')).toBe('Siti');
    expect(firstName('Budi Santoso, S.Kom.')).toBe('Budi');
    expect(firstName('Ir. H. Ahmad Fauzi')).toBe('Ahmad');
    expect(firstName('Uji Coba')).toBe('Uji');
    expect(firstName('Sukarno')).toBe('Sukarno');
  });
});
