/**
 * The repository as a user meets it. A fresh clone, alone in an empty folder, installs from the lockfile and
 * passes its own unit tests (so nothing they read lives outside the repository). The package that clone
 * packs (`npm pack`, which builds it) installs into throwaway consumer projects — TypeScript ESM with
 * `nodenext`, TypeScript CommonJS (`module: commonjs`, and `nodenext` in a CommonJS package), and plain
 * JavaScript with `require()` and `import` — which compile with no error and then enqueue a job on a
 * private Redis and read it back.
 *
 * `git clone` takes the committed HEAD: uncommitted edits are not in it. Everything installs with
 * `npm ci --offline`, from the npm cache the bootstrap's `npm ci` filled; the consumers' lockfile pins the
 * repository's own versions of the dependencies (test/helpers/consumer.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerProject } from '../helpers/consumer.js';
import { REPO_ROOT, startRedis, type RedisServer } from '../helpers/index.js';
import { run, trackTempDir, type Captured } from '../helpers/processes.js';

/** Installs and builds on a loaded 2-core machine take minutes; these are deadlines, not expectations. */
const SLOW_MS = 10 * 60_000;

const base = mkdtempSync(join(tmpdir(), 'rqts-fresh-'));
trackTempDir(base);
const clone = join(base, 'clone', 'rqts');
const consumers = join(base, 'consumers');

/** The environment without the outer vitest's variables, so the nested run behaves as a top-level one. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !['NODE_OPTIONS', 'NODE_ENV', 'TEST'].includes(k)));
  return { ...env, ...extra };
}

async function sh(command: string, args: string[], cwd: string, env = cleanEnv()): Promise<Captured> {
  const result = await run(command, args, { cwd, env, timeoutMs: SLOW_MS });
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.exitCode}:\n${result.all}`);
  return result;
}

beforeAll(async () => {
  mkdirSync(dirname(clone), { recursive: true });
  await sh('git', ['clone', '--quiet', REPO_ROOT, clone], base);
  await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], clone);
}, SLOW_MS);

describe('a fresh clone', () => {
  it('has nothing beside it and passes its unit tests', async () => {
    expect(readdirSync(dirname(clone))).toEqual(['rqts']);
    const result = await run(join(clone, 'node_modules', '.bin', 'vitest'), ['run', 'test/unit'], { cwd: clone, env: cleanEnv(), timeoutMs: SLOW_MS });
    expect(result.exitCode, result.all).toBe(0);
    // The clone's vitest.config.ts writes a JSON report beside the text one.
    const report = JSON.parse(readFileSync(join(clone, '.vitest-results.json'), 'utf8')) as { numTotalTests: number; numPassedTests: number; numFailedTests: number };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(report.numTotalTests);
    expect(report.numTotalTests).toBeGreaterThan(100);
  }, SLOW_MS);
});

/** One program, written for each module system: enqueue a job, read it back, trip a typed error. */
const BODY = `
  const [url, name] = process.argv.slice(2);
  const queue = new Queue(name, { connection: url });
  const job = await queue.enqueue('mylib.add', 1, 2);
  const fetched = await queue.fetchJob(job.id);
  let invalid = 'nothing thrown';
  try {
    new Queue('bad name', { connection: url });
  } catch (error) {
    invalid = error instanceof InvalidArgumentError && error instanceof RqtsError ? error.name : String(error);
  }
  console.log(JSON.stringify({ count: await queue.count, funcName: fetched?.funcName, args: fetched?.args, description: job.description, status: String(await job.status), invalid }));
  await queue.close();
`;
const IMPORT_NAMES = '{ Queue, InvalidArgumentError, RqtsError }';

interface Consumer {
  name: string;
  /** Files to write, relative to the consumer's folder. */
  files: Record<string, string>;
  /** The tsc project to compile first, if any. */
  tsconfig?: string;
  /** The file node runs, relative to the consumer's folder. */
  main: string;
}

const tsconfig = (options: Record<string, unknown>, outDir: string): string =>
  JSON.stringify({ compilerOptions: { target: 'es2022', strict: true, skipLibCheck: false, types: ['node'], outDir, ...options }, files: ['main.ts'] });

const CONSUMERS: Consumer[] = [
  {
    name: 'esm-ts',
    files: {
      'package.json': JSON.stringify({ type: 'module' }),
      'tsconfig.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext' }, 'out'),
      'main.ts': `import ${IMPORT_NAMES} from 'rqts';\n${BODY}`,
    },
    tsconfig: 'tsconfig.json',
    main: 'out/main.js',
  },
  {
    name: 'cjs-ts',
    files: {
      'package.json': JSON.stringify({ type: 'commonjs' }),
      'tsconfig.json': tsconfig({ module: 'commonjs', esModuleInterop: true }, 'out'),
      'main.ts': `import ${IMPORT_NAMES} from 'rqts';\nasync function main(): Promise<void> {${BODY}}\nvoid main();\n`,
    },
    tsconfig: 'tsconfig.json',
    main: 'out/main.js',
  },
  {
    name: 'cjs-ts-nodenext',
    files: {
      'package.json': JSON.stringify({ type: 'commonjs' }),
      'tsconfig.json': tsconfig({ module: 'nodenext', moduleResolution: 'nodenext' }, 'out'),
      'main.ts': `import ${IMPORT_NAMES} from 'rqts';\nasync function main(): Promise<void> {${BODY}}\nvoid main();\n`,
    },
    tsconfig: 'tsconfig.json',
    main: 'out/main.js',
  },
  {
    name: 'cjs-js',
    files: { 'main.cjs': `'use strict';\nconst ${IMPORT_NAMES} = require('rqts');\n(async () => {${BODY}})();\n` },
    main: 'main.cjs',
  },
  {
    name: 'esm-js',
    files: { 'main.mjs': `import ${IMPORT_NAMES} from 'rqts';\n${BODY}` },
    main: 'main.mjs',
  },
];

describe('the packed tarball', () => {
  let redis: RedisServer;
  let packed: string[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    mkdirSync(consumers, { recursive: true });
    // `npm pack` runs the prepack build in the clone.
    const pack = await sh('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', consumers], clone);
    const [info] = JSON.parse(pack.stdout) as [{ filename: string; files: { path: string }[] }];
    packed = info.files.map((f) => f.path);
    const { packageJson, lock } = consumerProject(join(clone, 'package-lock.json'), join(consumers, info.filename), ['typescript', '@types/node']);
    writeFileSync(join(consumers, 'package.json'), JSON.stringify(packageJson, null, 2));
    writeFileSync(join(consumers, 'package-lock.json'), JSON.stringify(lock, null, 2));
    await sh('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], consumers);
    for (const c of CONSUMERS) {
      mkdirSync(join(consumers, c.name));
      for (const [file, text] of Object.entries(c.files)) writeFileSync(join(consumers, c.name, file), text);
    }
  }, SLOW_MS);
  afterAll(async () => {
    await redis?.stop();
  });

  it('ships the sources its source maps point at', () => {
    expect(packed).toContain('dist/index.js');
    expect(packed).toContain('dist/index.d.ts');
    const maps = packed.filter((p) => p.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    const unpacked = join(consumers, 'node_modules', 'rqts');
    for (const map of maps) {
      const { sources } = JSON.parse(readText(join(unpacked, map))) as { sources: string[] };
      for (const source of sources) {
        const target = posix.normalize(posix.join(posix.dirname(map), source));
        expect(packed, `${map} -> ${source}`).toContain(target);
      }
    }
  });

  it('publishes types with none of the internals', () => {
    const types = (file: string): string => readText(join(consumers, 'node_modules', 'rqts', 'dist', file));
    const index = types('index.d.ts');
    for (const name of ['LuaScript', 'Reply', 'Arg', 'SendOptions', 'RegistryContext', 'JobRecord', 'registeredTaskNames', 'pyRepr']) {
      expect(index, name).not.toMatch(new RegExp(`\\b${name}\\b`));
    }
    // A doc comment on the first export once made stripInternal drop Queue: the classes users start from are there.
    for (const name of ['Queue', 'Job', 'Worker', 'Connection', 'connect', 'job', 'configureTelemetry']) {
      expect(index, name).toMatch(new RegExp(`(\\{|,) ${name}(,| \\})`));
    }
    const connectionClass = types('connection.d.ts').split('export declare class Connection')[1]!;
    // openDuplicate() stays public: WATCH before a { pipeline } transaction needs a client of its own.
    expect(connectionClass).toContain('openDuplicate(');
    for (const member of ['command(', 'pipeline(', 'script(', 'blockingClient(', 'blockingCommand(', 'ownsPipeline(', 'static shared(']) {
      expect(connectionClass, member).not.toContain(member);
    }
    // Jobs and registries come from Job.fetch / a queue: no public constructor, no raw record.
    expect(types('job.d.ts')).toContain('private constructor();');
    expect(types('job.d.ts')).not.toMatch(/get record\(\)|fromRecord/);
    expect(types('registries.d.ts')).toContain('private constructor();');
  });

  it.each(CONSUMERS.map((c) => [c.name, c] as const))('%s compiles and runs', async (_name, consumer) => {
    const dir = join(consumers, consumer.name);
    if (consumer.tsconfig) await sh(join(consumers, 'node_modules', '.bin', 'tsc'), ['-p', consumer.tsconfig], dir);
    const result = await run('node', [consumer.main, redis.url, `consumer-${consumer.name}`], { cwd: dir, env: cleanEnv(), timeoutMs: SLOW_MS });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      count: 1,
      funcName: 'mylib.add',
      args: [1, 2],
      description: 'mylib.add(1, 2)',
      status: 'queued',
      invalid: 'InvalidArgumentError',
    });
  }, SLOW_MS);
});

function readText(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is not in the installed package`);
  return readFileSync(path, 'utf8');
}
