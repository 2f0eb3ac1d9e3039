import { describe, expect, it } from 'vitest';
import type { Landmarks5 } from '../../shared/face';
import { syntheticLandmarks } from '../testing/synthetic-landmarks';
import { estimateHeadPose } from './head-pose';

describe('estimateHeadPose', () => {
  it('reads a frontal face as yaw 0 and roll 0', () => {
    const p = estimateHeadPose(syntheticLandmarks())!;
    expect(p.yaw).toBeCloseTo(0, 6);
    expect(p.roll).toBeCloseTo(0, 6);
  });

  it('recovers yaw in degrees, signed toward the image +x side, at any roll and size', () => {
    for (const yaw of [-45, -30, -15, -5, 5, 15, 30, 45]) {
      for (const roll of [-25, 0, 20]) {
        const p = estimateHeadPose(syntheticLandmarks({ yaw, roll, scale: 40 + Math.abs(yaw) }))!;
        expect(p.yaw, `yaw ${yaw} roll ${roll}`).toBeCloseTo(yaw, 6);
        expect(p.roll, `yaw ${yaw} roll ${roll}`).toBeCloseTo(roll, 6);
      }
    }
  });

  it('stays within a few degrees under pixel noise on a small face', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const p = estimateHeadPose(syntheticLandmarks({ yaw: 25, scale: 40, jitter: 1, seed }))!;
      expect(Math.abs(p.yaw - 25)).toBeLessThan(6);
    }
  });

  it('does not see a turn in a flat photo tilted in front of the camera', () => {
    for (const yaw of [-50, -20, 20, 50]) {
      expect(estimateHeadPose(syntheticLandmarks({ yaw, flat: true }))!.yaw).toBeCloseTo(0, 6);
    }
  });

  it('gives null for degenerate points', () => {
    const same: Landmarks5 = [
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
    ];
    expect(estimateHeadPose(same)).toBeNull();
    const nan = syntheticLandmarks();
    nan[2] = [Number.NaN, 1];
    expect(estimateHeadPose(nan)).toBeNull();
  });
});
