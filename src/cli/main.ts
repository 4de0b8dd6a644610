#!/usr/bin/env node
/**
 * The `s3hls` command: dispatches to `upload`, `playlist`, `serve` and `demo`. User errors end as
 * one `s3hls: ...` line and a documented exit status (see help.ts); only unexpected errors print
 * a stack trace.
 */
import { redactingWriter } from '../redact.js';
import { readFileSync } from 'node:fs';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runUpload } from './commands/upload.js';
import { runPlaylist } from './commands/playlist.js';
import { runExport } from './commands/export.js';
import { runServe } from './commands/serve.js';
import { runDemo } from './commands/demo.js';
import { runRecordings } from './commands/recordings.js';
import { runBucket } from './commands/bucket.js';
import { runKeep } from './commands/keep.js';
import { ExitCode } from './exit-codes.js';
import { BUCKET_HELP, EXPORT_HELP, KEEP_HELP, MAIN_HELP, PLAYLIST_HELP, RECORDINGS_HELP, SERVE_HELP } from './help.js';

// The @aws-sdk packages are pinned on purpose to releases that support Node 20 (docs/upload.md); their
// notice that *later* releases need Node 22 is not actionable for a CLI user, so it is silenced here
// (the library itself leaves the decision to the embedding program).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Streams the dispatcher writes to (tests pass their own). */
export interface MainIo {
  readonly stdout?: { write(s: string): unknown; isTTY?: boolean } | undefined;
  readonly stderr?: { write(s: string): unknown; isTTY?: boolean } | undefined;
  /** Stops long-running commands (upload, serve, demo); the first abort finalizes and drains. */
  readonly signal?: AbortSignal | undefined;
  /** A second abort: stop waiting for the upload queue. */
  readonly forceSignal?: AbortSignal | undefined;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Runs the CLI.
 *
 * @param argv - the arguments after the program name, e.g. `['upload', '--input', 'x.mp4', ...]`
 * @param io - output streams and stop signals
 * @returns the exit status
 */
export async function main(argv: readonly string[], io: MainIo = {}): Promise<number> {
  // Every line goes through redaction: input URLs and ffmpeg's echo of them may hold a password.
  const out = redactingWriter(io.stdout ?? process.stdout);
  const err = redactingWriter(io.stderr ?? process.stderr);
  const [command, ...rest] = argv;
  switch (command) {
    case 'upload':
      return runUpload(rest, { stdout: out, stderr: err, signal: io.signal, forceSignal: io.forceSignal });
    case 'playlist':
      if (wantsHelp(rest)) return (out.write(PLAYLIST_HELP), ExitCode.Ok);
      return runPlaylist(rest, { stdout: out, stderr: err });
    case 'serve':
      if (wantsHelp(rest)) return (out.write(SERVE_HELP), ExitCode.Ok);
      return runServe(rest, { stdout: out, stderr: err, ...(io.signal ? { signal: io.signal } : {}) });
    case 'export':
      if (wantsHelp(rest)) return (out.write(EXPORT_HELP), ExitCode.Ok);
      return runExport(rest, { stdout: out, stderr: err });
    case 'demo':
      return runDemo(rest, { stdout: out, stderr: err, signal: io.signal });
    case 'recordings':
      if (wantsHelp(rest)) return (out.write(RECORDINGS_HELP), ExitCode.Ok);
      return runRecordings(rest, { stdout: out, stderr: err });
    case 'bucket':
      if (wantsHelp(rest)) return (out.write(BUCKET_HELP), ExitCode.Ok);
      return runBucket(rest, { stdout: out, stderr: err });
    case 'keep':
      if (wantsHelp(rest)) return (out.write(KEEP_HELP), ExitCode.Ok);
      return runKeep(rest, { stdout: out, stderr: err });
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      out.write(MAIN_HELP);
      return command === undefined ? ExitCode.Usage : ExitCode.Ok;
    case '-v':
    case '--version':
      out.write(`s3hls ${version()}\n`);
      return ExitCode.Ok;
    default:
      err.write(`s3hls: unknown command ${JSON.stringify(command)} (commands: upload, playlist, serve, recordings, export, keep, bucket, demo; see s3hls --help)\n`);
      return ExitCode.Usage;
  }
}

/**
 * Process entry: SIGINT/SIGTERM abort the command (finalize, drain); a second one forces the end.
 */
async function cli(): Promise<void> {
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      process.stderr.write(`\ns3hls: ${sig}: finishing (finalizing segments, draining uploads; again to stop waiting)\n`);
      stop.abort();
    } else {
      force.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), { signal: stop.signal, forceSignal: force.signal });
  process.exitCode = code;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

// Run only as the program (not when a test imports main()).
const invoked = process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invoked) {
  cli().catch((e: unknown) => {
    process.stderr.write(`s3hls: unexpected error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
