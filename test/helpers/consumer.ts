/**
 * A package-lock for a throwaway consumer project that installs the packed rqts tarball and, from the
 * repository's own lockfile, the exact versions of its dependencies (plus typescript and @types/node for
 * the TypeScript consumers). `npm ci --offline` then installs it from npm's cache alone: no registry.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
}

/** Where Node would find `name` from the package at `from` (a lockfile path, '' for the root). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

/**
 * package.json and package-lock.json for a consumer beside `tarball` that depends on it and on `extra`
 * (names from the repository's lockfile).
 */
export function consumerProject(repoLockPath: string, tarball: string, extra: string[]): { lock: unknown; packageJson: unknown } {
  const tarballName = basename(tarball);
  const repo = JSON.parse(readFileSync(repoLockPath, 'utf8')) as { packages: Record<string, LockEntry> };
  const rqts = repo.packages['']!;
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, names: string[]): void => {
    for (const name of names) {
      const at = locate(repo.packages, from, name);
      if (!at) throw new Error(`${name} (needed by ${from || 'rqts'}) is not in package-lock.json`);
      if (out[at]) continue;
      const entry = repo.packages[at]!;
      out[at] = { ...entry, dev: undefined, devOptional: undefined, peer: undefined } as LockEntry;
      const required = Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional);
      visit(at, [...Object.keys(entry.dependencies ?? {}), ...required]);
    }
  };
  visit('', [...Object.keys(rqts.dependencies ?? {}), ...extra]);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const rootDeps: Record<string, string> = { rqts: `file:${tarballName}` };
  for (const name of extra) rootDeps[name] = out[`node_modules/${name}`]!.version!;
  const lock = {
    name: 'consumer',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'consumer', dependencies: rootDeps },
      'node_modules/rqts': { version: String(rqts.version), resolved: `file:${tarballName}`, integrity, dependencies: rqts.dependencies, engines: rqts.engines },
      ...Object.fromEntries(Object.entries(out).map(([k, v]) => [k, JSON.parse(JSON.stringify(v))])),
    },
  };
  return { lock, packageJson: { name: 'consumer', private: true, dependencies: rootDeps } };
}
