import { createHash, randomInt } from 'node:crypto';
import { HadirError } from '../../shared/errors';
import type { Actor } from '../../shared/people';
import { AuditRepo } from '../store/audit-repo';
import type { Db } from '../store/db';
import { PairingRepo } from '../store/pairing-repo';
import type { ApiKeyService } from './api-keys';
import { type Clock, systemClock } from './clock';

/** How long a pairing code can be used. */
export const PAIRING_CODE_TTL_MS = 10 * 60_000;
/**
 * Crockford's base-32 letters (no I, L, O, U: nothing to misread when typed from a screen). 10 of them
 * are 50 bits: with the 10-minute life and the per-address throttle, guessing one is hopeless.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10;
/** The one answer to a code that cannot be used, whatever the reason: it tells a guesser nothing. */
export const PAIRING_REFUSED = 'this pairing code is wrong, already used or expired: ask an admin for a new one';

export interface PairingCode {
  code: string;
  name: string;
  expiresAt: string;
}

export interface PairedKiosk {
  /** The `kiosk`-scoped key, shown this once. */
  key: string;
  keyId: number;
  name: string;
}

/** The code as typed: upper case, without spaces or dashes, the look-alike letters read as digits. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Pairing a door tablet without pasting a key: an admin makes a one-time code (valid 10 minutes,
 * stored only as its hash); the tablet's page trades it for a key with the `kiosk` scope alone, which
 * may send camera frames and read the site's schedule, nothing more. Both steps are audited.
 */
export class KioskPairingService {
  private readonly repo: PairingRepo;
  private readonly audit: AuditRepo;
  private readonly clock: Clock;

  constructor(
    private readonly db: Db,
    private readonly keys: ApiKeyService,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
    this.repo = new PairingRepo(db);
    this.audit = new AuditRepo(db, () => this.clock.now());
  }

  /** A new code; `name` becomes the tablet's key name (default "door tablet"). */
  create(name: string | undefined, actor: Actor): PairingCode {
    const n = (name ?? '').trim() || 'door tablet';
    if (n.length > 100) throw new HadirError('BAD_REQUEST', 'name: at most 100 characters');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS).toISOString();
    let code = '';
    for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    this.db
      .transaction(() => {
        // Spent and expired codes are worth nothing: keep the table small (the audit log has the history).
        this.repo.purgeExpired(new Date(now.getTime() - 86_400_000).toISOString());
        const id = this.repo.insert({
          code_hash: sha256(code),
          name: n,
          created_by: actor.id === null ? actor.type : `${actor.type}:${actor.id}`,
          at: now.toISOString(),
          expires_at: expiresAt,
        });
        this.audit.record({
          actor,
          action: 'kiosk.pairing_code',
          targetType: 'pairing_code',
          targetId: id,
          details: { name: n, expires_at: expiresAt },
        });
      })
      .immediate();
    return { code, name: n, expiresAt };
  }

  /**
   * Trade a code for a `kiosk` key. A wrong, spent or expired code is one 404 with one message; the
   * code is spent and the key made in one transaction (a failure leaves the code usable).
   */
  pair(code: string, actor: Actor): PairedKiosk {
    const c = typeof code === 'string' ? normaliseCode(code) : '';
    if (c.length !== CODE_LENGTH || [...c].some((ch) => !ALPHABET.includes(ch))) {
      throw new HadirError('NOT_FOUND', PAIRING_REFUSED);
    }
    return this.db
      .transaction((): PairedKiosk => {
        const row = this.repo.spend(sha256(c), this.clock.now().toISOString());
        if (!row) throw new HadirError('NOT_FOUND', PAIRING_REFUSED);
        const { key, info } = this.keys.create(row.name, ['kiosk'], actor);
        this.repo.linkKey(row.id, info.id);
        this.audit.record({
          actor,
          action: 'kiosk.paired',
          targetType: 'api_key',
          targetId: info.id,
          details: { pairing_code: row.id, name: row.name },
        });
        return { key, keyId: info.id, name: row.name };
      })
      .immediate();
  }
}
