/**
 * Plain JavaScript for child processes whose memory is measured: `src/` and the given bench files are
 * transpiled one by one with TypeScript (a devDependency) into `.tmp/bench-build/`, keeping the layout so
 * relative imports and `node_modules` resolve as from the sources. Running that with bare `node` keeps
 * the tsx loader (its own thread and heap, ~35 MB) out of the numbers.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp', 'bench-build');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Where the JavaScript for a repo-relative .ts path is written. */
export function builtPath(file: string): string {
  return join(OUT, file.replace(/\.ts$/, '.js'));
}

/** Transpile `src/**` plus `entries` (repo-relative .ts paths); returns the absolute .js path of each entry. */
export function transpileForChild(entries: string[]): string[] {
  const files = [...sources(join(ROOT, 'src')), ...entries.map((e) => join(ROOT, e))];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const dest = builtPath(relative(ROOT, file));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, outputText);
  }
  return entries.map(builtPath);
}
