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
