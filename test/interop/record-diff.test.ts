/**
 * Record fidelity: every call of `test/helpers/record-diff/rows.ts` is written once by rqts and once by the
 * installed Python RQ of every version × {pickle, JSON}, each into its own database of one private Redis,
 * and every key is diffed (hash fields, with `data`/`meta` compared as decoded values when their bytes
 * differ; TTLs; list order; set members; zset scores; timestamps relative to each writer's start). Every
 * difference must be one listed in `known-differences.ts`, and every listed one must still occur.
 *
 * One rqts run per serializer and one Python process per version × serializer, all against one Redis.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection.js';
import { Queue } from '../../src/queue.js';
import { resolveSerializer } from '../../src/serializers/index.js';
import { REPO_ROOT, rqVersions, runPythonJson, startRedis, type PySerializer, type RedisServer, type RqInstall } from '../helpers/index.js';
import { compareDumps, dumpDatabase, type Comparison, type Difference, type Dump } from '../helpers/record-diff/dump.js';
import { knownDifferences, type Where } from '../helpers/record-diff/known-differences.js';
import { rows, type Row } from '../helpers/record-diff/rows.js';

const SERIALIZERS: PySerializer[] = ['pickle', 'json'];
/** Seconds two readings of the clock may differ by, each relative to its writer's start of the row. */
const CLOCK_TOLERANCE = 3;

interface Combo {
  rq: RqInstall;
  major: number;
  minor: number;
  serializer: PySerializer;
  label: string;
  /** Database the Python writer uses (rqts uses 0 for pickle, 1 for JSON). */
  db: number;
}

const combos: Combo[] = rqVersions().flatMap((rq, i) => {
  const [major, minor] = rq.version.split('.').map(Number) as [number, number];
  return SERIALIZERS.map((serializer, j) => ({ rq, major, minor, serializer, label: `${rq.version}/${serializer}`, db: 2 + 2 * i + j }));
});

const rowsFor = (serializer: PySerializer, major: number, minor: number): Row[] =>
  rows.filter((r) => (r.serializers ?? SERIALIZERS).includes(serializer) && (r.versions?.(major, minor) ?? true));

let redis: RedisServer;
const rqtsDumps = new Map<PySerializer, Dump>();
const rqtsErrors: Record<string, string> = {};
const results = new Map<string, { comparison: Comparison; unexplained: Difference[]; explainedBy: Map<string, number>; pythonErrors: Record<string, string> }>();

async function connectTo(db: number): Promise<Connection> {
  return Connection.from(`${redis.url}/${db}`).open();
}

/** rqts writes every row once per serializer (rows limited to some RQ versions too; keys are per row). */
async function writeWithRqts(serializer: PySerializer, db: number): Promise<Dump> {
  const connection = await connectTo(db);
  try {
    const starts: Record<string, number> = {};
    for (const row of rowsFor(serializer, Infinity, 0)) {
      starts[row.name] = Date.now() / 1000;
      const name = `rd-${row.name}`;
      const ctx = {
        q: new Queue(name, { connection, serializer }),
        queue: (options = {}) => new Queue(name, { connection, serializer, ...options }),
        connection,
      };
      try {
        for (const s of row.steps) await s.js(ctx);
      } catch (error) {
        rqtsErrors[`${serializer} ${row.name}`] = String(error);
      }
    }
    return await dumpDatabase(connection, starts);
  } finally {
    await connection.close();
  }
}

async function writeWithPython(combo: Combo): Promise<{ dump: Dump; errors: Record<string, string> }> {
  const payload = rowsFor(combo.serializer, combo.major, combo.minor).map((r) => ({ name: r.name, queue: `rd-${r.name}`, steps: r.steps.map((s) => s.py) }));
  const out = await runPythonJson<{ starts: Record<string, number>; errors: Record<string, string> }>(
    combo.rq,
    'import record_diff_writer\nrecord_diff_writer.main()\n',
    { url: `${redis.url}/${combo.db}`, env: { RECORD_DIFF_ROWS: JSON.stringify(payload), RECORD_DIFF_SERIALIZER: combo.serializer } },
  );
  const connection = await connectTo(combo.db);
  try {
    return { dump: await dumpDatabase(connection, out.starts), errors: out.errors };
  } finally {
    await connection.close();
  }
}

/** The row a key belongs to: its queue is `rd-<row>`, its job ids `<row>-<n>` (longest row name first). */
const rowNames = rows.map((r) => r.name).sort((a, b) => b.length - a.length);
const rowOf = (key: string): string | undefined => rowNames.find((n) => key.includes(`rd-${n}`) || key.includes(`:${n}-`));

/** The rqts dump restricted to the keys of rows this combo runs (rqts wrote every row). */
function restrict(dump: Dump, combo: Combo): Dump {
  const names = new Set(rowsFor(combo.serializer, combo.major, combo.minor).map((r) => r.name));
  const keys = new Map([...dump.keys].filter(([key]) => {
    const row = rowOf(key);
    return row === undefined || names.has(row);
  }));
  // rq:queues names every queue rqts wrote to; keep the members of this combo's rows.
  const queues = keys.get('rq:queues');
  if (queues) {
    keys.set('rq:queues', { ...queues, value: (queues.value as Buffer[]).filter((m) => names.has(m.toString().replace(/^rq:queue:rd-/, ''))) });
  }
  return { ...dump, keys };
}

beforeAll(async () => {
  redis = await startRedis();
  const python = Promise.all(combos.map(async (combo) => [combo, await writeWithPython(combo)] as const));
  for (const [i, serializer] of SERIALIZERS.entries()) rqtsDumps.set(serializer, await writeWithRqts(serializer, i));
  for (const [combo, { dump, errors }] of await python) {
    const where: Where = combo;
    const comparison = compareDumps(restrict(rqtsDumps.get(combo.serializer)!, combo), dump, {
      serializer: resolveSerializer(combo.serializer),
      clockTolerance: CLOCK_TOLERANCE,
      rowOf,
    });
    const explainedBy = new Map<string, number>();
    const unexplained = comparison.differences.filter((d) => {
      const known = knownDifferences.find((k) => k.matches(d, where));
      if (known) explainedBy.set(known.id, (explainedBy.get(known.id) ?? 0) + 1);
      return !known;
    });
    results.set(combo.label, { comparison, unexplained, explainedBy, pythonErrors: errors });
  }
}, 120_000);

afterAll(async () => {
  const lines = [...results].map(([label, r]) =>
    `${label.padEnd(14)} ${String(r.comparison.checks).padStart(5)} checks  ${String(r.comparison.differences.length).padStart(3)} differ` +
    `  (${r.unexplained.length} unexplained; known: ${[...r.explainedBy].map(([id, n]) => `${id} ${n}`).join(', ') || 'none'})` +
    `${r.comparison.sameValueOtherBytes.length ? `; equal once decoded: ${r.comparison.sameValueOtherBytes.join(', ')}` : ''}`);
  console.log(`\nRecord diff, rqts vs Python RQ (${rows.length} rows)\n${lines.join('\n')}\n`);
  await redis?.stop();
});

const format = (d: Difference): string => `${d.kind} ${d.key}${d.field ? ` [${d.field}]` : ''}: rqts ${d.rqts} | python ${d.python}`;

it('rqts wrote every row', () => {
  expect(rqtsErrors).toEqual({});
});

describe.each(combos)('$label', ({ label }) => {
  it('Python RQ wrote every row', () => {
    expect(results.get(label)!.pythonErrors).toEqual({});
  });

  it('writes the same Redis state as Python RQ, apart from the known differences', () => {
    const r = results.get(label)!;
    expect(r.comparison.checks).toBeGreaterThan(500);
    expect(r.unexplained.map(format)).toEqual([]);
  });
});

describe('known differences', () => {
  it.each(knownDifferences.map((k) => [k.id, k] as const))('%s still occurs somewhere', (id) => {
    expect([...results.values()].some((r) => r.explainedBy.has(id))).toBe(true);
  });

  it('are the rows of the README table', () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const start = readme.indexOf('### Where the records differ from Python RQ');
    const section = readme.slice(start, readme.indexOf('\n## ', start));
    const ids = [...section.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(knownDifferences.map((k) => k.id));
  });
});
