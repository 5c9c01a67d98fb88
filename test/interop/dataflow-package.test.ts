/**
 * The dataflow helper as a deployment gets it: packed into the npm tarball, `pip install`ed from the path
 * inside the unpacked package (no network: `--no-build-isolation --no-index`), and a stock `rq worker`
 * whose path holds only that install (not the repo's python/ folder) runs a `resultOf` job.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Queue, resultOf } from '../../src/index.js';
import { PYTHON_DIR, REPO_ROOT, privateRedis, rqVersions, uniqueName } from '../helpers/index.js';
import { forgetTempDir, run, trackTempDir } from '../helpers/processes.js';

const env = privateRedis();
const dir = mkdtempSync(join(tmpdir(), 'rqts-pkg-'));
trackTempDir(dir);
afterAll(() => forgetTempDir(dir));

it('pip installs the helper from the npm package; a stock worker with only that install runs resultOf jobs', async () => {
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  expect(pack.exitCode, pack.all).toBe(0);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  expect(tarball, pack.all).toBeDefined();
  const untar = await run('tar', ['xzf', join(dir, tarball!), '-C', dir], { timeoutMs: 60_000 });
  expect(untar.exitCode, untar.all).toBe(0);
  expect(readdirSync(join(dir, 'package', 'python')).sort()).toEqual(['pyproject.toml', 'rqts_dataflow.py']);

  // Offline, pip builds with the interpreter's own setuptools and wheel (Debian's python3 has both).
  const builders = await Promise.all(rqVersions().map(async (v) => (await run(v.python, ['-c', 'import setuptools, wheel'], { timeoutMs: 60_000 })).exitCode === 0));
  const rq = rqVersions().find((_, i) => builders[i]);
  expect(rq, 'an installed RQ whose python has setuptools and wheel').toBeDefined();
  const site = join(dir, 'site');
  const pipEnv = { ...process.env, TMPDIR: dir, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const pip = await run(rq!.python, ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', '--no-deps', '--target', site, join(dir, 'package', 'python')], {
    env: pipEnv, timeoutMs: 180_000,
  });
  expect(pip.exitCode, pip.all).toBe(0);
  expect(readdirSync(site)).toContain('rqts_dataflow.py');

  const q = new Queue(uniqueName('pkg'), { connection: env.connection });
  const a = await q.enqueue<number>('mylib.add', 1, 2);
  const b = await q.enqueue<number>('mylib.add', 3, 4);
  const total = await q.enqueue<number>('mylib.add', resultOf(a), resultOf(b));
  // Only mylib and the pip-installed helper on the path: the repo's python/ folder is not.
  const workerEnv = { ...process.env, PYTHONPATH: [PYTHON_DIR, site].join(':'), PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const worker = await run(rq!.rq, ['worker', '--burst', '--url', env.redis.url, '--worker-class', 'rq.worker.SimpleWorker', q.name], {
    env: workerEnv, timeoutMs: 60_000, stopSignals: ['SIGTERM', 'SIGTERM'],
  });
  expect(worker.exitCode, worker.all).toBe(0);
  expect(worker.all).not.toContain('Traceback');
  expect(await total.wait({ timeout: 10_000 })).toBe(10);
}, 300_000);
