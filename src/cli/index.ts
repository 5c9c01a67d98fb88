#!/usr/bin/env node
/**
 * The `rqts` command: argument parsing and dispatch; each command lives in its own module.
 * Exit codes: 0 success, 1 an rqts error (one line on stderr), 2 bad usage (with the usage text).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Connection, RqtsError, resolveSerializer } from '../index.js';
import { UsageError, type Command, type Output } from './common.js';
import { cronCommand } from './cron.js';
import { emptyCommand } from './empty.js';
import { enqueueCommand } from './enqueue.js';
import { infoCommand } from './info.js';
import { enqueueManyCommand } from './enqueue-many.js';
import { progressInterval } from './progress.js';
import { releaseCommand } from './release.js';
import { requeueCommand } from './requeue.js';
import { resumeCommand, suspendCommand } from './suspend.js';
import { workerCommand } from './worker.js';

const COMMANDS: readonly Command[] = [infoCommand, enqueueCommand, enqueueManyCommand, requeueCommand, releaseCommand, emptyCommand, workerCommand, cronCommand, suspendCommand, resumeCommand];

const GLOBAL_OPTIONS = {
  url: { type: 'string', short: 'u' },
  serializer: { type: 'string', short: 'S' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

const GLOBAL_HELP = `Global options:
  -u, --url <url>          Redis URL (default: $REDIS_URL, else redis://localhost:6379/0)
  -S, --serializer <name>  pickle (default) or json: must match the workers' --serializer
  -h, --help               show help
  -V, --version            print the version`;

const USAGE = `Usage: rqts [options] <command> [command options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(23)}${c.summary}`).join('\n')}

${GLOBAL_HELP}

Run rqts <command> --help for a command's options.`;

const usageOf = (command: Command | undefined): string => (command ? `${command.usage}\n\n${GLOBAL_HELP}` : USAGE);

async function main(argv: string[], io: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command | undefined;
  let connection: Connection | undefined;
  try {
    // The command is the first positional; global options may come before or after it.
    const { tokens } = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true, tokens: true });
    const found = tokens.find((t) => t.kind !== 'option');
    const at = found?.kind === 'positional' ? found.index : -1;
    command = COMMANDS.find((c) => c.name === argv[at]);
    const rest = at === -1 ? argv : [...argv.slice(0, at), ...argv.slice(at + 1)];
    const helpAsked = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined).some((a) => a === '-h' || a === '--help');
    if (helpAsked && (command || at === -1)) {
      io.out(usageOf(command));
      return 0;
    }
    if (!command) {
      if (at !== -1) throw new UsageError(`unknown command: ${argv[at]}`);
      if (rest.includes('--version') || rest.includes('-V')) {
        io.out(version());
        return 0;
      }
      throw new UsageError('missing command');
    }
    const { values, positionals } = parseArgs({
      args: command.normalize ? command.normalize(rest) : rest,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
    });
    const run = command.prepare(values as Record<string, string | boolean | undefined>, positionals);
    const serializer = resolveSerializer(values.serializer === undefined ? 'pickle' : String(values.serializer)).name;
    connection = Connection.from(String(values.url ?? (env.REDIS_URL || 'redis://localhost:6379/0')));
    return await run({ connection, serializer }, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`rqts: ${(error as Error).message}\n\n${usageOf(command)}`);
      return 2;
    }
    if (error instanceof RqtsError) {
      io.err(`rqts: ${error.name}: ${error.message.split('\n')[0]}`);
      return 1;
    }
    throw error;
  } finally {
    await connection?.close();
  }
}

function version(): string {
  // Two levels up from both src/cli/ and dist/cli/.
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0); // e.g. `rqts info | head -1`
  throw error;
});
process.exitCode = await main(process.argv.slice(2), {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  streams: { stdout: process.stdout, stderr: process.stderr },
  progressInterval: progressInterval(process.env),
});
