import os from 'node:os';
import path from 'node:path';

/**
 * The per-user data folder. It must be the folder Electron's `app.getPath('userData')` gives for
 * productName "Hadir", so the CLI, the headless server and the desktop app share one database and
 * one set of imported models without Electron being loaded here.
 */
export function userDataDir(): string {
  const override = process.env.HADIR_DATA_DIR;
  if (override) return path.resolve(override);
  const home = os.homedir();
  switch (process.platform) {
    case 'win32':
      return path.join(process.env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Hadir');
    case 'darwin':
      return path.join(home, 'Library', 'Application Support', 'Hadir');
    default:
      // Electron follows the XDG base-directory spec on Linux and the BSDs.
      return path.join(process.env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Hadir');
  }
}

/** Where `hadir models import/fetch` install weights, and where pins and licence acceptances live. */
export function userModelsDir(): string {
  return path.join(userDataDir(), 'models');
}
