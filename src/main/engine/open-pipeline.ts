import { FacePipeline, type PipelineOptions } from './pipeline';
import { resolvePack } from './model-files';

/**
 * Resolve a pack's files (verified) and load the single-threaded pipeline on them, with its liveness
 * models when the pack has them and they are all present.
 */
export async function openPipeline(packId: string | undefined, opts: PipelineOptions = {}): Promise<FacePipeline> {
  const resolved = await resolvePack(packId, { verify: true });
  return FacePipeline.load(
    {
      pack: resolved.pack,
      detectorPath: resolved.detectorPath,
      recognizerPath: resolved.recognizerPath,
      livenessPaths: resolved.livenessPaths,
    },
    opts,
  );
}
