import { contextBridge } from 'electron';
import type { HadirBridge } from '../shared/bridge';
import { HADIR_VERSION } from '../shared/version';

const bridge: HadirBridge = {
  version: HADIR_VERSION,
};

contextBridge.exposeInMainWorld('hadir', bridge);
