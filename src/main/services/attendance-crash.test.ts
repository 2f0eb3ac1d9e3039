import { describe, expect, it } from 'vitest';
import { AuditRepo } from '../store/audit-repo';
import { openDb } from '../store/db';
import { integrityCheck } from '../store/maintenance';
import { tempDb } from '../testing/temp-db';
import { startWriter } from '../testing/writer-process';
import { AttendanceService } from './attendance-service';

const BATCH = 25;

describe('crash consistency', () => {
  it('a writer killed with SIGKILL mid-transaction leaves a sound database with no half-written batch', async () => {
    const env = tempDb('hadir-crash-');
    env.db.close(); // the child owns the file while it runs
    try {
      for (let round = 0; round < 3; round++) {
        const writer = startWriter(env.file, BATCH);
        // Kill at a different moment each round: the writer spends most of its time inside transactions.
        await writer.waitFor(5 + round * 7);
        await new Promise((r) => setTimeout(r, 3 + round * 5));
        await writer.kill();

        const db = openDb({ file: env.file });
        try {
          expect(integrityCheck(db)).toEqual(['ok']);
          const records = new AttendanceService({ db }).query({ from: '2001-01-01', to: '2999-12-31', unit: 'Crash' });
          const perDate = new Map<string, number>();
          for (const r of records) perDate.set(r.local_date, (perDate.get(r.local_date) ?? 0) + 1);
          // Every batch is all there or not there at all.
          expect([...new Set(perDate.values())]).toEqual([BATCH]);
          expect(perDate.size).toBeGreaterThanOrEqual(writer.committed());
          // Each record has its audit entry, and no audit entry lacks its record.
          const audited = new AuditRepo(db).list({ action: 'attendance.create', limit: 1_000_000 });
          expect(audited.length).toBe(records.length);
          expect(new Set(audited.map((a) => Number(a.target_id)))).toEqual(new Set(records.map((r) => r.id)));
          // And each record belongs to the batch of its date.
          for (const r of records) {
            expect(r.note).toBe(`batch ${(Date.parse(r.local_date) - Date.parse('2001-01-01')) / 86_400_000}`);
          }
        } finally {
          db.close();
        }
      }
    } finally {
      env.cleanup();
    }
  }, 60_000);
});
