/**
 * What Redis says of its own work (INFO), for the profiling scripts: CPU time, and per-command calls and
 * time. `send` is any way to run one command and get its reply (an rqts Connection's `command`).
 */
type Send = (args: string[]) => Promise<unknown>;

/** Redis's own CPU time so far (INFO cpu: user + system), in microseconds. */
export async function redisCpuMicros(send: Send): Promise<number> {
  const text = String(await send(['INFO', 'cpu']));
  const field = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
}

/** INFO commandstats as { command: { calls, usec } } (a script's usec includes the commands it runs). */
export async function commandStats(send: Send): Promise<Record<string, { calls: number; usec: number }>> {
  const text = String(await send(['INFO', 'commandstats']));
  const stats: Record<string, { calls: number; usec: number }> = {};
  for (const m of text.matchAll(/cmdstat_(\S+?):calls=(\d+),usec=(\d+)/g)) stats[m[1]!] = { calls: Number(m[2]), usec: Number(m[3]) };
  return stats;
}
