/** Edits typed into a form and not yet saved, per form: leaving the screen asks first. */
import { create } from 'zustand';

interface UnsavedState {
  forms: Record<string, boolean>;
  mark: (form: string, dirty: boolean) => void;
  clear: () => void;
}

export const useUnsaved = create<UnsavedState>()((set) => ({
  forms: {},
  mark: (form, dirty) => set((s) => (Boolean(s.forms[form]) === dirty ? s : { forms: { ...s.forms, [form]: dirty } })),
  clear: () => set({ forms: {} }),
}));

export function hasUnsaved(forms: Record<string, boolean>): boolean {
  return Object.values(forms).some(Boolean);
}
