// The upshift executable as users run it: bin/upshift.js in a child process, run to its exit.
// One runner for every test that drives the CLI, so each sees the same environment (PATH, HOME,
// LOG_LEVEL=warn, nothing else of the test's) and the same bound on a process that never exits.
import { spawn } from "node:child_process";

export const UPSHIFT_BIN = new URL("../../bin/upshift.js", import.meta.url).pathname;

export interface UpshiftRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface UpshiftRunOptions {
  /** Written to stdin, which is then closed (default: empty). */
  input?: string;
  /** Added to (or overriding) PATH, HOME and LOG_LEVEL=warn. */
  env?: Record<string, string | undefined>;
  /** Killed with SIGKILL, and the promise rejected, after this long (default 60 s). */
  timeoutMs?: number;
}

export function runUpshift(args: string[], opts: UpshiftRunOptions = {}): Promise<UpshiftRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [UPSHIFT_BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "warn", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`upshift ${args.join(" ")} did not exit in time\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}
