import os from 'node:os';
import type { Actor } from '../../shared/people';
import { openPipeline } from '../engine/open-pipeline';
import type { FacePipeline } from '../engine/pipeline';
import { pipelineAnalyzer } from '../services/analyzer';
import { FaceService } from '../services/face-service';
import { defaultDbFile, openDb, type Db } from '../store/db';

/** The CLI's identity in the audit log: the operating-system user who ran the command. */
export function cliActor(): Actor {
  let user: string | null = null;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME ?? null;
  }
  return { type: 'cli', id: user };
}

/**
 * The database of the data folder (`HADIR_DATA_DIR`, else the per-user folder the app uses) and the
 * face service over the single-threaded pipeline of the site's active pack (or `packId`).
 */
export async function openFaceService(opts: { packId?: string } = {}): Promise<{
  db: Db;
  service: FaceService;
  pipeline: FacePipeline;
  close: () => Promise<void>;
}> {
  const db = openDb({ file: defaultDbFile() });
  try {
    const pipeline = await openPipeline(opts.packId ?? FaceService.activePack(db));
    const service = FaceService.open({ db, analyzer: pipelineAnalyzer(pipeline) });
    return {
      db,
      service,
      pipeline,
      close: async () => {
        await pipeline.dispose();
        db.close();
      },
    };
  } catch (e) {
    db.close();
    throw e;
  }
}
