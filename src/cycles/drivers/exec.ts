// Runs a CLI with a timeout and keeps its output (trimmed) for the journal and the thread.
import { execFile } from "node:child_process";

export interface ExecResult {
  code: number;
  output: string;
}

export const OUTPUT_LIMIT = 4_000;

export function trimOutput(text: string, limit = OUTPUT_LIMIT): string {
  const t = text.trim();
  return t.length <= limit ? t : `…${t.slice(t.length - limit)}`;
}

export function runCommand(
  bin: string,
  args: string[],
  opts: { timeoutMs: number; env?: NodeJS.ProcessEnv; onSpawn?: (pid: number) => void },
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      args,
      { timeout: opts.timeoutMs, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const output = trimOutput(`${stdout}${stderr ? `\n${stderr}` : ""}`);
        if (!err) return resolve({ code: 0, output });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: number | string };
        if (e.killed)
          return resolve({ code: 124, output: trimOutput(`${output}\n(killed after ${opts.timeoutMs} ms)`) });
        if (typeof e.code === "string")
          return resolve({ code: 127, output: `cannot run ${bin}: ${e.code} ${e.message}` });
        resolve({ code: typeof e.code === "number" ? e.code : 1, output });
      },
    );
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  });
}
