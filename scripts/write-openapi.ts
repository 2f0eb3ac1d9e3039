/**
 * Writes the OpenAPI document of /api/v1 to docs/openapi.json (`npm run openapi`). The document is
 * generated from the route schemas; a test fails when the committed file and the served one differ,
 * so a change to the API shows up in review as a change to this file.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../src/main/api/server';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/openapi.json');
writeFileSync(out, JSON.stringify(openApiDocument(), null, 2) + '\n');
console.log(`wrote ${path.relative(process.cwd(), out)}`);
