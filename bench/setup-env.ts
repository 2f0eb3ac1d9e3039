import { existsSync } from 'node:fs';
import { modelsDir } from '../src/main/testing/paths';

// Benchmarks run from a checkout with ../shared beside it, like the tests.
if (!process.env.HADIR_MODELS_DIR && existsSync(modelsDir)) process.env.HADIR_MODELS_DIR = modelsDir;
