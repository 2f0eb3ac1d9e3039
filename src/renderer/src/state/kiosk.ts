import { create } from 'zustand';
import { initialKioskState, kioskReducer, type KioskAction, type KioskState } from './kiosk-machine';

interface KioskStore {
  state: KioskState;
  dispatch: (action: KioskAction) => void;
}

/** The kiosk screen's state machine (kiosk-machine.ts) held for React. */
export const useKiosk = create<KioskStore>()((set) => ({
  state: initialKioskState(),
  dispatch: (action) => set((s) => ({ state: kioskReducer(s.state, action) })),
}));
