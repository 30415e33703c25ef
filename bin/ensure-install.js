#!/usr/bin/env node
// Runs before `npm run demo` and `npm test` (npm's pre-scripts): on a fresh clone it installs the
// locked dependencies first, so the README's two commands work as the first two commands typed.
// The Node version comes first: on an older Node nothing after it can work, and it says so.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { requireNode } from "./node-version.js";

requireNode();

const root = new URL("../", import.meta.url);
if (!existsSync(new URL("node_modules/.package-lock.json", root))) {
  process.stderr.write("upshift: installing dependencies (npm ci) on first run…\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
