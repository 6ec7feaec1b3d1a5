/**
 * Built framework apps (Next.js, xmcp) as their own Node process: a bare environment, the
 * recipes' manifest in the working directory, ready when the metadata route answers.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PRM_PATH, recipeManifest, type RunningRecipe } from './checks.js';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 20_000;

/** What the app sees of the environment: no manifest variables; HOME outside the project (Next checks). */
export function bareEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...extra };
}

/** Runs a build step (`node <script> ...args`), failing with its output. */
export async function buildStep(
  what: string,
  script: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<void> {
  await run(process.execPath, [script, ...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`${what} failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    },
  );
}

/**
 * Writes the recipes' manifest (`recipeManifest(manifest)`) to `cwd/mcp-auth.config.json`, starts
 * `node <script> ...args` there and resolves when `http://127.0.0.1:<port>` serves the metadata.
 */
export async function startAppServer(options: {
  readonly script: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly port: number;
  readonly env: Record<string, string>;
  readonly manifest?: Parameters<typeof recipeManifest>[0];
}): Promise<RunningRecipe> {
  await writeFile(
    join(options.cwd, 'mcp-auth.config.json'),
    JSON.stringify(recipeManifest(options.manifest)),
  );
  const child = spawn(process.execPath, [options.script, ...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const base = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited ${child.exitCode}:\n${output}`);
    const ready = await fetch(new URL(PRM_PATH, base)).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return { url: `${base}/mcp`, close };
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the app did not answer within ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
