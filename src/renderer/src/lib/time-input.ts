/**
 * A time of day as an operator types it, read as 24-hour "HH:MM": "7:40", "07.40" (how Bahasa Indonesia
 * writes times) and "0740" are all 07:40. Null when it is not a time of day; "" stays "" (no time).
 */
export function parseTimeInput(text: string): string | null {
  const s = text.trim();
  if (s === '') return '';
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(s);
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}
