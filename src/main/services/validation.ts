import { HadirError } from '../../shared/errors';

/**
 * Input rules the services apply themselves, so the CLI, bulk import, HTTP and IPC get the same checks
 * whichever way a value came in (the contract's validators check shapes at the edge; these are the
 * rules of the data).
 */

const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,31}$/;

/** An operator's user name, trimmed and lower-cased: 2–32 of a-z 0-9 . _ - (starting with a letter or digit). */
export function checkUsername(value: unknown): string {
  const username = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!username || !USERNAME_RE.test(username)) {
    throw new HadirError('BAD_REQUEST', 'a username is 2–32 characters: lower-case letters, digits, ".", "_" or "-"');
  }
  return username;
}

// ─── A person's own fields ─────────────────────────────────────────────────────────────────────────

const EMPLOYEE_NUMBER_RE = /^[\p{L}\p{N} ._/-]{1,32}$/u;
const NO_CONTROL_RE = /^[^\p{Cc}]*$/u;

/** An employee number (e.g. the 18-digit NIP): 1–32 letters, digits, spaces, ".", "_", "/" or "-". */
export function checkEmployeeNumber(value: unknown): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (!EMPLOYEE_NUMBER_RE.test(v)) {
    throw new HadirError(
      'BAD_REQUEST',
      'employee_number: an employee number is 1–32 letters, digits, spaces, ".", "_", "/" or "-"',
    );
  }
  return v;
}

/** A person's full name: 1–200 characters, no control characters (tabs, line breaks). */
export function checkFullName(value: unknown): string {
  const v = typeof value === 'string' ? value.trim() : '';
  if (v.length < 1 || v.length > 200 || !NO_CONTROL_RE.test(v)) {
    throw new HadirError('BAD_REQUEST', 'full_name: a name is 1–200 characters without tabs or line breaks');
  }
  return v;
}

/** A unit: up to 120 characters without control characters; empty or absent is none (null). */
export function checkUnit(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const v = typeof value === 'string' ? value.trim() : null;
  if (v === null || v.length > 120 || !NO_CONTROL_RE.test(v)) {
    throw new HadirError('BAD_REQUEST', 'unit: a unit is at most 120 characters without tabs or line breaks');
  }
  return v === '' ? null : v;
}

/**
 * A new person's fields by the rules above, trimmed: what HTTP, IPC, the CLI and bulk import all go
 * through (the services call it), so each way in refuses the same value with the same message.
 */
export function checkPersonFields<P extends { employeeNumber: unknown; fullName: unknown; unit?: unknown }>(
  p: P,
): P & { employeeNumber: string; fullName: string; unit: string | null } {
  return {
    ...p,
    employeeNumber: checkEmployeeNumber(p.employeeNumber),
    fullName: checkFullName(p.fullName),
    unit: checkUnit(p.unit),
  };
}

/** The fields a patch gives, by the same rules. */
export function checkPersonPatch<P extends { employeeNumber?: unknown; fullName?: unknown; unit?: unknown }>(p: P): P {
  return {
    ...p,
    ...(p.employeeNumber !== undefined ? { employeeNumber: checkEmployeeNumber(p.employeeNumber) } : {}),
    ...(p.fullName !== undefined ? { fullName: checkFullName(p.fullName) } : {}),
    ...(p.unit !== undefined ? { unit: checkUnit(p.unit) } : {}),
  };
}
