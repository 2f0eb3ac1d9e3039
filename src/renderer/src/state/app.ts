/** App-wide state: the status from main (engine, database, setup) and which screen is shown. */
import { create } from 'zustand';
import type { AppStatus } from '../../../shared/contract';
import type { ErrorInfo } from '../../../shared/errors';
import { api } from '../api/client';
import { useLanguage } from './language';

export type Screen = 'kiosk' | 'signIn' | 'enrollment' | 'people' | 'attendance' | 'settings';

/** Screens behind a sign-in, and the role they need. */
export const SCREEN_ROLE: Partial<Record<Screen, 'operator' | 'admin'>> = {
  enrollment: 'operator',
  people: 'operator',
  attendance: 'operator',
  settings: 'admin',
};

interface AppState {
  status: AppStatus | null;
  /** Why the status could not be read (the server is unreachable, …). */
  statusError: ErrorInfo | null;
  screen: Screen;
  navigate: (screen: Screen) => void;
  refreshStatus: () => Promise<void>;
}

let languageFromSite = false;

export const useApp = create<AppState>()((set) => ({
  status: null,
  statusError: null,
  screen: 'kiosk',
  navigate: (screen) => set({ screen }),
  refreshStatus: async () => {
    const r = await api().getStatus();
    if (r.ok) {
      set({ status: r.value, statusError: null });
      // The site's language is the starting point, once; after that the person's choice stands.
      if (!languageFromSite) {
        languageFromSite = true;
        useLanguage.getState().setLanguage(r.value.language);
      }
    } else {
      set({ statusError: r.error });
    }
  },
}));
