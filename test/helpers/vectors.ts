/**
 * Where the golden vectors are: `shared/vectors` beside the repository (CI lays a copy of shared/ next to
 * the clone), or RQTS_VECTORS. A missing folder is an error, never a skipped test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './paths.js';

export const VECTORS_DIR = process.env.RQTS_VECTORS ?? resolve(REPO_ROOT, '../shared/vectors');

if (!existsSync(VECTORS_DIR)) {
  throw new Error(`Golden vectors not found at ${VECTORS_DIR}; set RQTS_VECTORS to the shared/vectors folder`);
}

/** Version folders: `1.13.0`, `2.10.0`, `HEAD-aa666a8`. */
export function vectorVersions(): string[] {
  return readdirSync(VECTORS_DIR).filter((d) => /^(\d|HEAD)/.test(d)).sort();
}

/** One vector file, parsed. Python wrote bare `Infinity`/`NaN` for zset scores; they become strings. */
export function readVector(version: string, file: string): any {
  const text = readFileSync(join(VECTORS_DIR, version, file), 'utf8');
  return JSON.parse(text.replace(/(?<=[:[,]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '"$1"'));
}
