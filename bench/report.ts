/**
 * Results → the printed tables (absolute numbers and ratios), the targets of issue #6 with met/missed,
 * `bench/results.json`'s shape and the SVG chart's panels.
 */
import type { EnqueueResults } from './enqueue.js';
import type { LatencyResults } from './latency.js';
import type { Sizes } from './lib/context.js';
import type { MemoryResult } from './memory.js';
import type { WorkerMeasured } from './workers.js';
import { barChart, COLORS, type Bar, type Panel } from './lib/chart.js';
import { fmtInt, fmtMs, fmtPct, fmtRatio, textTable } from './lib/table.js';
import { ratio } from './lib/stats.js';

export interface Machine {
  /** `git describe`-style: the commit measured, `+dirty` when the work tree had changes. */
  rqtsCommit: string;
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  node: string;
  redis: string;
  python: string;
  rq: string;
  bullmq: string;
  ioredis: string;
  nodeRedis: string;
  /** 1-minute load average at the start and the end of the run: other work on the machine shows here. */
  loadAverage: { start: number; end: number };
}

export interface Results {
  date: string;
  machine: Machine;
  sizes: Sizes;
  wallSeconds: number;
  enqueue?: EnqueueResults;
  latency?: LatencyResults;
  workers?: Record<string, WorkerMeasured>;
  memory?: MemoryResult;
  targets: Target[];
}

export interface Target {
  id: string;
  description: string;
  measured: number;
  required: number;
  /** How `measured` reads: a ratio, milliseconds or megabytes. */
  unit: 'ratio' | 'ms' | 'MB' | 's' | 'us' | 'jobs/s';
  op: '>=' | '<=' | '<';
  met: boolean;
}

function target(id: string, description: string, measured: number, op: Target['op'], required: number, unit: Target['unit']): Target {
  const met = Number.isFinite(measured) && (op === '>=' ? measured >= required : op === '<=' ? measured <= required : measured < required);
  return { id, description, measured, required, unit, op, met };
}

/** The targets of issue #6, each as measured in this run. */
export function evaluateTargets(r: Omit<Results, 'targets'>): Target[] {
  const out: Target[] = [];
  const e = r.enqueue;
  if (e) {
    // Issue #15's targets (they tighten #6's).
    const s = e.sequential;
    out.push(target('seq-bullmq', 'sequential enqueue ÷ BullMQ queue.add', ratio(s.rqts?.rate, s.bullmq?.rate), '>=', 1, 'ratio'));
    out.push(target('seq-floor', 'sequential enqueue ÷ sequential HSET floor', ratio(s.rqts?.rate, s.floor?.rate), '>=', 0.95, 'ratio'));
    out.push(target('seq-rq', 'sequential enqueue ÷ RQ 2.12 queue.enqueue', ratio(s.rqts?.rate, s.rq?.rate), '>=', 2, 'ratio'));
    const c = e.concurrent;
    out.push(target('con-bullmq', '100 in flight ÷ BullMQ, 100 in flight', ratio(c.rqts?.rate, c.bullmq?.rate), '>=', 1.3, 'ratio'));
    const b = e.bulk;
    out.push(target('bulk-bullmq', 'enqueueMany ÷ BullMQ addBulk', ratio(b.rqts?.rate, b.bullmq?.rate), '>=', 1.5, 'ratio'));
    out.push(target('bulk-rq', 'enqueueMany ÷ RQ 2.12 enqueue_many', ratio(b.rqts?.rate, b.rq?.rate), '>=', 4, 'ratio'));
    out.push(target('bulk-floor', 'enqueueMany ÷ pipelined HSET floor', ratio(b.rqts?.rate, b.floor?.rate), '>=', 0.6, 'ratio'));
    out.push(target('bulk-cpu', 'client CPU per job, enqueueMany (process.cpuUsage)', b.rqts?.cpuMicrosPerJob ?? Number.NaN, '<=', 8, 'us'));
    out.push(target('bulk-redis', 'Redis time per job, enqueueMany (script usec, INFO commandstats)', b.rqts?.redisMicrosPerJob ?? Number.NaN, '<=', 8, 'us'));
  }
  const w = r.workers;
  if (w?.rqts1 && w.bullmq1) {
    out.push(target('node-c1', 'rqts Worker ÷ BullMQ Worker, concurrency 1 (no-op jobs)', ratio(w.rqts1.rate, w.bullmq1.rate), '>=', 1, 'ratio'));
    if (w.rqts1.idleLatency && w.bullmq1.idleLatency) {
      out.push(target('node-idle', 'idle worker enqueue → result p50, rqts ÷ BullMQ', ratio(w.rqts1.idleLatency.p50, w.bullmq1.idleLatency.p50), '<=', 1, 'ratio'));
    }
  }
  if (w?.rqts50 && w.bullmq50) out.push(target('node-c50', 'rqts Worker ÷ BullMQ Worker, concurrency 50', ratio(w.rqts50.rate, w.bullmq50.rate), '>=', 1, 'ratio'));
  const l = r.latency?.systems.rqts;
  if (l) out.push(target('wait-lag', 'wait(): result written (XADD) → resolved, p50', l.writeLag.p50, '<=', 0.5, 'ms'));
  if (r.memory) {
    out.push(target('memory', `peak RSS enqueuing ${fmtInt(r.memory.jobs)} jobs`, r.memory.peakRssMB, '<', 200, 'MB'));
    out.push(target('memory-rate', `${fmtInt(r.memory.jobs)} jobs through enqueueStream (enqueueMany batches) from a generator, jobs/s`, r.memory.rate, '>=', 50_000, 'jobs/s'));
  }
  out.push(target('wall', 'bench wall time (this process)', r.wallSeconds, '<', 600, 's'));
  return out;
}

function fmtTargetValue(t: Target, v: number): string {
  if (t.unit === 'ratio') return fmtRatio(v);
  if (t.unit === 'ms') return fmtMs(v);
  if (t.unit === 'MB') return `${v.toFixed(0)} MB`;
  if (t.unit === 'us') return `${v.toFixed(1)} µs`;
  if (t.unit === 'jobs/s') return fmtInt(v);
  return `${v.toFixed(0)} s`;
}

/** Every table, as Markdown-compatible text. */
export function renderTables(r: Results): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`${r.date} · rqts ${m.rqtsCommit} · ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB · ${m.os} · Node ${m.node} · Redis ${m.redis} · ` +
    `Python ${m.python}, RQ ${m.rq} · BullMQ ${m.bullmq} (ioredis ${m.ioredis}) · node-redis ${m.nodeRedis} · ` +
    `load ${m.loadAverage.start.toFixed(2)} → ${m.loadAverage.end.toFixed(2)}`);
  out.push('');

  const e = r.enqueue;
  if (e) {
    const rows: string[][] = [];
    const scenario = (title: string, jobs: number, set: EnqueueResults['sequential']): void => {
      const floor = set.floor?.rate;
      const rqts = set.rqts?.rate;
      for (const [key, meas] of Object.entries(set)) {
        const rates = meas.runs.map((x) => x.rate);
        rows.push([
          key === Object.keys(set)[0] ? `${title} (${fmtInt(jobs)} jobs)` : '',
          meas.label,
          fmtInt(meas.rate),
          `${fmtInt(Math.min(...rates))}–${fmtInt(Math.max(...rates))}`,
          fmtPct(ratio(meas.rate, floor)),
          key === 'rqts' || key === 'floor' ? '' : fmtRatio(ratio(rqts, meas.rate)),
          meas.cpuMicrosPerJob === undefined ? '' : `${meas.cpuMicrosPerJob.toFixed(1)} µs`,
          meas.redisMicrosPerJob === undefined ? '' : `${meas.redisMicrosPerJob.toFixed(1)} µs`,
        ]);
      }
    };
    scenario('1. sequential', r.sizes.sequential, e.sequential);
    scenario(`2. ${r.sizes.inFlight} in flight`, r.sizes.concurrent, e.concurrent);
    scenario(`3. bulk, batches of ${fmtInt(r.sizes.batch)}`, r.sizes.bulk, e.bulk);
    rows.push(['', `redis-benchmark SET -P 64 (ceiling)`, fmtInt(e.ceiling.rate), `${fmtInt(Math.min(...e.ceiling.runs))}–${fmtInt(Math.max(...e.ceiling.runs))}`, '', '', '', '']);
    out.push(`Enqueue throughput (jobs/s, median of ${r.sizes.quickRepeats} runs for 1–2 and ${r.sizes.repeats} for 3; ` +
      `the floor writes the ${e.floorJob.fields} fields, ${e.floorJob.bytes} bytes, of a real rqts job per key; client CPU is this process\'s user + system time per job, Redis time the usec of the top-level command per job from INFO commandstats: the scripts for rqts and BullMQ, HSET for the floor)`);
    out.push('');
    out.push(textTable(['scenario', 'system', 'jobs/s', 'min–max', '÷ floor', 'rqts ÷ it', 'client CPU/job', 'Redis/job'], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']));
    out.push('');
  }

  const l = r.latency;
  if (l) {
    const rows = Object.values(l.systems).map((s) => [
      s.label,
      `${fmtMs(s.total.p50)} / ${fmtMs(s.total.p95)}`,
      fmtMs(s.run.p50),
      `${fmtMs(s.writeLag.p50)} / ${fmtMs(s.writeLag.p95)}`,
      `${fmtMs(s.lag.p50)} / ${fmtMs(s.lag.p95)}`,
    ]);
    out.push(`4. Result latency (${l.systems.rqts?.total.n ?? 0} jobs each, job sleeps ${l.jobSeconds * 1000} ms; ${l.worker}; p50 / p95). ` +
      'Result written → resolved: from the XADD as MONITOR times it (µs), and from the entry\'s stream id (ms steps, reads 0–1 ms high)');
    out.push('');
    out.push(textTable(['waiting with', 'enqueue → resolved', 'job run', 'written (XADD) → resolved', 'written (stream id) → resolved'], rows, ['l', 'r', 'r', 'r', 'r']));
    out.push('');
  }

  const w = r.workers;
  if (w) {
    const rows = Object.values(w).map((s) => [
      s.label,
      fmtInt(s.jobs),
      fmtInt(s.rate),
      `${(1000 / s.rate).toFixed(2)} ms`,
      s.netRate === undefined ? '' : fmtInt(s.netRate),
      s.startupSeconds === undefined ? '' : `${s.startupSeconds.toFixed(2)} s`,
      s.idleLatency === undefined ? '' : `${fmtMs(s.idleLatency.p50)} / ${fmtMs(s.idleLatency.p95)}`,
    ]);
    out.push(`5. Worker throughput, no-op jobs (jobs/s, median of ${r.sizes.repeats}; RQ: process start → exit of a --burst worker)`);
    out.push('');
    out.push(textTable(['worker', 'jobs', 'jobs/s', 'per job', 'net of start-up', 'start-up', 'idle enqueue → result p50 / p95'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r']));
    out.push('');
  }

  const mem = r.memory;
  if (mem) {
    out.push(`6. Memory: ${fmtInt(mem.jobs)} jobs via enqueueStream (enqueueMany batches of ${fmtInt(mem.batch)}) from a generator in a child process: ` +
      `${mem.seconds.toFixed(1)} s (${fmtInt(mem.rate)} jobs/s); RSS ${mem.startRssMB.toFixed(0)} MB at start, peak ${mem.peakRssMB.toFixed(0)} MB; ` +
      `RSS every 10%: ${mem.samples.slice(1).map((s) => s.rssMB.toFixed(0)).join(', ')} MB; Redis used ${mem.redisUsedMB.toFixed(0)} MB`);
    out.push('');
  }

  out.push('Targets');
  out.push('');
  out.push(textTable(
    ['target', 'measured', 'required', ''],
    r.targets.map((t) => [t.description, fmtTargetValue(t, t.measured), `${t.op} ${fmtTargetValue(t, t.required)}`, t.met ? 'met' : 'MISSED']),
    ['l', 'r', 'r', 'l'],
  ));
  return out.join('\n');
}

const colorOf = (key: string): string =>
  key.startsWith('rqts') ? COLORS.rqts : key === 'floor' || key === 'xread' ? COLORS.floor : key.startsWith('bullmq') ? COLORS.bullmq : COLORS.rq;

export function renderChart(r: Results): string {
  const panels: Panel[] = [];
  const throughput = (title: string, set: EnqueueResults['sequential'] | undefined): void => {
    if (!set) return;
    panels.push({
      title,
      bars: Object.entries(set).map(([key, m]): Bar => ({ label: m.label, value: m.rate, text: `${fmtInt(m.rate)} jobs/s`, color: colorOf(key) })),
    });
  };
  const e = r.enqueue;
  throughput(`1. Sequential enqueue (${fmtInt(r.sizes.sequential)} jobs)`, e?.sequential);
  throughput(`2. ${r.sizes.inFlight} enqueues in flight (${fmtInt(r.sizes.concurrent)} jobs)`, e?.concurrent);
  throughput(`3. Bulk enqueue, batches of ${fmtInt(r.sizes.batch)} (${fmtInt(r.sizes.bulk)} jobs; redis-benchmark SET -P 64: ${fmtInt(e?.ceiling.rate)}/s)`, e?.bulk);
  if (r.latency) {
    panels.push({
      title: '4. Result written (XADD) → wait resolved, p50 (lower is better)',
      bars: Object.entries(r.latency.systems).map(([key, s]) => ({ label: s.label, value: s.writeLag.p50, text: fmtMs(s.writeLag.p50), color: colorOf(key) })),
    });
  }
  if (r.workers) {
    panels.push({
      title: '5. Worker throughput, no-op jobs',
      bars: Object.entries(r.workers).map(([key, s]) => ({ label: s.label, value: s.rate, text: `${fmtInt(s.rate)} jobs/s`, color: colorOf(key) })),
    });
  }
  const m = r.machine;
  const mem = r.memory ? ` · 1M-job enqueueStream peak RSS ${r.memory.peakRssMB.toFixed(0)} MB` : '';
  return barChart('rqts benchmarks', `${r.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores · Redis ${m.redis} · RQ ${m.rq} · BullMQ ${m.bullmq}${mem}`, panels);
}
