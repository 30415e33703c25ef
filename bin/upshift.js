#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any Node to say which Node is needed, before a
// dependency that needs Node >= 22.19 (undici 8) fails with something unreadable.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";
import { requireNode } from "./node-version.js";

requireNode();

// `upshift check` reads a whole cluster into memory and keeps it: every object survives, and V8's
// young generation, sized from the machine's memory (up to 3 x 64 MB semi-spaces here), grows
// into RSS that holds nothing. Capped at 8 MB semi-spaces, peak RSS at 153,600 objects fell from
// ~510 MB to ~350 MB with slightly less CPU (bench/preflight.ts). The limit can only be set when
// V8 starts, so `check` runs in a child Node with it (~20 ms); an explicit flag is respected.
const SEMI_SPACE_FLAG = "--max-semi-space-size";
if (process.argv[2] === "check" && !process.execArgv.some((a) => a.startsWith(SEMI_SPACE_FLAG))) {
  const child = spawn(
    process.execPath,
    [`${SEMI_SPACE_FLAG}=8`, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (code !== null) process.exit(code);
    // Ended by a signal: end the same way, so the caller sees what the child saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
} else {
  // Caches compiled (and type-stripped) modules on disk: the second start is several times faster.
  module.enableCompileCache?.();

  // In a checkout, the TypeScript sources (Node >= 22.18 strips types), so a stale dist/ can never
  // run by mistake; in the image, which ships only dist/, the built output. UPSHIFT_RUN=dist forces
  // the built output (the test of what the image runs).
  const source = new URL("../cli/main.ts", import.meta.url);
  const built = new URL("../dist/cli/main.js", import.meta.url);
  const useBuilt = process.env.UPSHIFT_RUN === "dist" || !existsSync(source);
  const { runCli } = await import((useBuilt ? built : source).href);
  await runCli(process.argv.slice(2));
}
