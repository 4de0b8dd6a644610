/** Spawning the benchmark's helper processes (node scripts next to this file). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Starts `node <flags> <script next to this file> ...args` and resolves with the child and its
 * first stdout line parsed as JSON.
 *
 * @param script - file name in dist/bench, e.g. `null-sink.js`
 * @param args - arguments
 * @param nodeFlags - node flags @defaultValue none
 * @returns the child and its first JSON line
 * @throws Error when the child exits before printing a line
 */
export async function startChild<T>(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<{ child: ChildProcessWithoutNullStreams; first: T; lines: AsyncIterableIterator<string> }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, [...nodeFlags, path, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = await lines.next();
  if (next.done) throw new Error(`${script} exited without output: ${stderr.slice(0, 500)}`);
  return { child, first: JSON.parse(next.value) as T, lines };
}
