/**
 * Crash consistency: a bulk import in a child process is killed with SIGKILL part-way, twice; each
 * time the database must be intact with no half-enrolled person, and a re-run must finish the job
 * without enrolling anyone twice.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../store/db';
import { repoRoot } from '../testing/paths';
import { tempDb } from '../testing/temp-db';

const PEOPLE = 400;
const CHILD = path.join(repoRoot, 'src/main/testing/crash-import-child.ts');

/**
 * Run the child; kill it with SIGKILL once it has reported `killAfter` more people (or let it finish).
 * With `inTransaction`, the kill waits for the next person's transaction to be open (written, not
 * committed), and says whose it was.
 */
function runChild(
  file: string,
  killAfter: number | null,
  inTransaction = false,
): Promise<{ reported: number; killed: boolean; stderr: string; killedIn: string | null }> {
  return new Promise((resolve, reject) => {
    const args = [
      path.join(repoRoot, 'bin/run-ts.mjs'),
      CHILD,
      file,
      String(PEOPLE),
      ...(inTransaction ? ['pause'] : []),
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let reported = 0;
    let killed = false;
    let killedIn: string | null = null;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line.startsWith('enrolled ')) reported++;
        if (killAfter === null || killed || reported < killAfter) continue;
        if (inTransaction && !line.startsWith('in-transaction ')) continue;
        killed = true;
        killedIn = inTransaction ? line.slice('in-transaction '.length) : null;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ reported, killed, stderr, killedIn }));
  });
}

function checkConsistent(file: string): { people: number; imported: number } {
  const db = openDb({ file });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const q = (sql: string) => db.prepare(sql).pluck().get() as number;
    // Nobody without templates, consent or an audit entry; every template whole.
    expect(
      q('SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM face_templates t WHERE t.person_id = p.id)'),
    ).toBe(0);
    expect(
      q('SELECT count(*) FROM people p WHERE (SELECT count(*) FROM face_templates t WHERE t.person_id = p.id) <> 3'),
    ).toBe(0);
    expect(
      q('SELECT count(*) FROM people p WHERE (SELECT count(*) FROM consents c WHERE c.person_id = p.id) <> 1'),
    ).toBe(0);
    expect(
      q(
        "SELECT count(*) FROM people p WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'person.enroll' AND a.target_id = CAST(p.id AS TEXT))",
      ),
    ).toBe(0);
    // Every template whole and sealed (the floats plus the 33-byte envelope: store/data-cipher.ts).
    expect(q('SELECT count(*) FROM face_templates WHERE key_id IS NULL OR length(embedding) <> 4 * dim + 33')).toBe(0);
    // Progress rows and people agree one to one.
    const people = q('SELECT count(*) FROM people');
    const imported = q("SELECT count(*) FROM import_items WHERE status = 'enrolled'");
    expect(imported).toBe(people);
    expect(
      q(
        "SELECT count(*) FROM import_items i WHERE status = 'enrolled' AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = i.person_id)",
      ),
    ).toBe(0);
    expect(q('SELECT count(*) - count(DISTINCT employee_number) FROM people')).toBe(0);
    return { people, imported };
  } finally {
    db.close();
  }
}

describe('crash consistency', () => {
  const t = tempDb('hadir-crash-');
  t.db.close();
  afterAll(() => t.cleanup());

  it('survives SIGKILL in the middle of a bulk import, twice, and a re-run completes it', async () => {
    const first = await runChild(t.file, 40);
    expect(first.killed, first.stderr).toBe(true);
    const a = checkConsistent(t.file);
    expect(a.people).toBeGreaterThanOrEqual(40);
    expect(a.people).toBeLessThan(PEOPLE);

    // The second kill lands inside an open transaction: that person must not be there at all.
    const second = await runChild(t.file, 5, true);
    expect(second.killed, second.stderr).toBe(true);
    const b = checkConsistent(t.file);
    expect(b.people).toBe(a.people + 5);
    const db = openDb({ file: t.file });
    try {
      expect(db.prepare('SELECT count(*) FROM import_items WHERE source = ?').pluck().get(second.killedIn)).toBe(0);
      const index = Number(second.killedIn!.split('#')[1]);
      expect(db.prepare('SELECT count(*) FROM people WHERE full_name = ?').pluck().get(`Pegawai ${index}`)).toBe(0);
    } finally {
      db.close();
    }

    const last = await runChild(t.file, null);
    expect(last.killed).toBe(false);
    expect(last.reported).toBe(PEOPLE - b.people);
    const c = checkConsistent(t.file);
    expect(c.people).toBe(PEOPLE);
    console.log(
      `[crash] killed after ${a.people} people, then inside the transaction of ${second.killedIn} (${b.people} committed); the re-run enrolled the other ${last.reported}`,
    );
  });
});
