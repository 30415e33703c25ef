#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any Node to say which Node is needed, before a
// dependency that needs Node >= 22.19 (undici 8) fails with something unreadable.
import { existsSync } from "node:fs";

const REQUIRED = [22, 19];
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < REQUIRED[0] || (major === REQUIRED[0] && minor < REQUIRED[1])) {
  process.stderr.write(
    `upshift needs Node.js >= ${REQUIRED.join(".")} (Node 24 LTS recommended); this is ${process.version}.\n` +
      "Install it with: npm install -g node@24 (or nvm install 24 && nvm use, which reads .nvmrc).\n",
  );
  process.exit(1);
}

// The built output when there is one (the container image); otherwise the TypeScript sources,
// which Node >= 22.18 runs directly by stripping types.
const built = new URL("../dist/cli/main.js", import.meta.url);
const { runCli } = existsSync(built) ? await import(built.href) : await import(new URL("../cli/main.ts", import.meta.url).href);
await runCli(process.argv.slice(2));
