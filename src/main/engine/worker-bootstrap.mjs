// Starts the TypeScript inference worker from the sources: tsx's loader hooks are per thread, so
// the worker registers them itself before importing worker.ts. (The built app uses the bundle.)
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
