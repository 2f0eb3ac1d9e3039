import type { Db } from './db';

export interface Consent {
  id: number;
  person_id: number;
  given_at: string;
  recorded_by: string;
  method: string;
  note: string | null;
}

export interface NewConsent {
  personId: number;
  /** When the person gave consent (ISO instant). */
  givenAt: string;
  /** The operator, API key or CLI user who recorded it. */
  recordedBy: string;
  /** How it was given, e.g. 'signed form', 'on-screen', 'bulk import: organisation records'. */
  method: string;
  note?: string | null;
}

/** Consent to biometric processing (UU PDP 2022): who recorded it, when, and how it was given. */
export class ConsentRepo {
  private readonly insertStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO consents (person_id, given_at, recorded_by, method, note) VALUES (?, ?, ?, ?, ?)',
    );
  }

  record(c: NewConsent): number {
    return Number(this.insertStmt.run(c.personId, c.givenAt, c.recordedBy, c.method, c.note ?? null).lastInsertRowid);
  }

  forPerson(personId: number): Consent[] {
    return this.db
      .prepare('SELECT * FROM consents WHERE person_id = ? ORDER BY given_at, id')
      .all(personId) as Consent[];
  }
}
