/** The enrollment flow: choose or describe the person, capture samples with feedback, commit with consent. */
import { create } from 'zustand';
import type {
  ConsentInput,
  EnrollmentSampleFeedback,
  EnrollmentSession,
  PersonFields,
  PersonListItem,
} from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import type { BBox } from '../../../shared/face';
import type { EnrollmentResult } from '../../../shared/people';
import { api } from '../api/client';

export type EnrollmentTarget = { kind: 'existing'; person: PersonListItem } | { kind: 'new'; fields: PersonFields };

export interface AcceptedSample {
  index: number;
  /** A blob: URL of the captured picture, for the operator to see what was kept. */
  preview: string;
  /** Where the judged face is in that picture (frame pixels): a refused duplicate shows it cropped. */
  face: { bbox: BBox; frameWidth: number; frameHeight: number } | null;
}

interface EnrollmentState {
  step: 'person' | 'capture' | 'result';
  target: EnrollmentTarget | null;
  session: EnrollmentSession | null;
  samples: AcceptedSample[];
  feedback: EnrollmentSampleFeedback | null;
  ready: boolean;
  result: EnrollmentResult | null;
  /** The consent given with the last commit (a confirmed duplicate is committed again with it). */
  consent: ConsentInput | null;
  error: ErrorInfo | null;
  busy: boolean;
  begin: (target: EnrollmentTarget) => Promise<void>;
  addSample: (frame: { jpeg: ArrayBuffer; width: number; height: number }) => Promise<void>;
  removeSample: (index: number) => Promise<void>;
  commit: (consent: ConsentInput, confirmDuplicate?: boolean) => Promise<void>;
  /** Back to capturing after a refused commit (the session and its samples stay). */
  retake: () => void;
  cancel: () => Promise<void>;
}

const blank = {
  step: 'person' as const,
  target: null,
  session: null,
  samples: [],
  feedback: null,
  ready: false,
  result: null,
  consent: null,
  error: null,
  busy: false,
};

function revoke(samples: AcceptedSample[]): void {
  for (const s of samples) URL.revokeObjectURL(s.preview);
}

export const useEnrollment = create<EnrollmentState>()((set, get) => ({
  ...blank,
  begin: async (target) => {
    set({ busy: true, error: null });
    const r = await api().startEnrollment(target.kind === 'existing' ? { personId: target.person.id } : {});
    if (!r.ok) return set({ busy: false, error: r.error });
    revoke(get().samples);
    set({ ...blank, step: 'capture', target, session: r.value });
  },
  addSample: async (frame) => {
    const { session } = get();
    if (!session || get().busy) return;
    set({ busy: true, error: null });
    const r = await api().addEnrollmentSample({ sessionId: session.sessionId, ...frame, mirrored: false });
    if (!r.ok) return set({ busy: false, error: r.error });
    const fb = r.value;
    const samples =
      fb.accepted && fb.index !== null
        ? [
            ...get().samples,
            {
              index: fb.index,
              preview: URL.createObjectURL(new Blob([frame.jpeg], { type: 'image/jpeg' })),
              face: fb.face ? { bbox: fb.face.bbox, frameWidth: fb.frameWidth, frameHeight: fb.frameHeight } : null,
            },
          ]
        : get().samples;
    set({ busy: false, feedback: fb, samples, ready: fb.ready });
  },
  removeSample: async (index) => {
    const { session } = get();
    if (!session) return;
    set({ busy: true, error: null });
    const r = await api().removeEnrollmentSample({ sessionId: session.sessionId, index });
    if (!r.ok) return set({ busy: false, error: r.error });
    const gone = get().samples.filter((s) => s.index === index);
    revoke(gone);
    set({ busy: false, samples: get().samples.filter((s) => s.index !== index), ready: r.value.ready });
  },
  commit: async (consent, confirmDuplicate) => {
    const { session, target } = get();
    if (!session || !target) return;
    set({ busy: true, error: null, consent });
    const r = await api().commitEnrollment({
      sessionId: session.sessionId,
      person: target.kind === 'existing' ? { personId: target.person.id } : { create: target.fields },
      consent,
      confirmDuplicate,
    });
    if (!r.ok) return set({ busy: false, error: r.error });
    set({ busy: false, step: 'result', result: r.value });
  },
  retake: () => set({ step: 'capture', result: null, error: null }),
  cancel: async () => {
    const { session, result } = get();
    // A committed session is gone already; an open one is dropped with its samples.
    if (session && !result?.ok) await api().cancelEnrollment({ sessionId: session.sessionId });
    revoke(get().samples);
    set({ ...blank });
  },
}));
