#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any Node to say which Node is needed, before a
// dependency that needs Node >= 22.19 (undici 8) fails with something unreadable.
import { existsSync } from "node:fs";
import module from "node:module";
import { requireNode } from "./node-version.js";

requireNode();

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
