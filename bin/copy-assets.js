// Build step after tsc, which emits JavaScript only: the files the code reads beside itself
// (Redis Lua scripts in src/redis/scripts, sandbox scenario YAML) are copied to the same place
// under dist/, so the built output (what the image ships) finds them where the sources do.
//   node bin/copy-assets.js [target directory, default dist]
import { cpSync, globSync } from "node:fs";

/** The kinds of file under src/ that code reads at run time. */
const ASSET_PATTERNS = ["src/**/*.lua", "src/**/*.yaml"];

const target = process.argv[2] ?? "dist";
for (const file of globSync(ASSET_PATTERNS)) cpSync(file, `${target}/${file}`);
