import { create } from 'zustand';

const KEY = 'hadir.cameraDeviceId';

function load(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

interface CameraState {
  /**
   * The chosen camera's deviceId, kept on this device: the id is per browser profile and origin, so
   * it would mean nothing to the server or to another kiosk. null: the default camera.
   */
  deviceId: string | null;
  setDeviceId: (deviceId: string | null) => void;
}

export const useCamera = create<CameraState>()((set) => ({
  deviceId: typeof localStorage === 'undefined' ? null : load(),
  setDeviceId: (deviceId) => {
    try {
      if (deviceId) localStorage.setItem(KEY, deviceId);
      else localStorage.removeItem(KEY);
    } catch {
      // Storage may be disabled: the choice then lasts until the page reloads.
    }
    set({ deviceId });
  },
}));
