// `npm run bench`: every benchmark in turn, one JSON document on stdout (progress on stderr).
// Speed and memory targets live here, never in timed tests. `npm run bench -- slack watch` runs
// a subset.
import os from "node:os";
import { benchDiscord } from "./discord.ts";
import { benchPreflight } from "./preflight.ts";
import { benchSlack } from "./slack.ts";
import { benchTakeover } from "./takeover.ts";
import { benchWatch } from "./watch.ts";

const BENCHES: Record<string, () => Promise<Record<string, unknown>>> = {
  preflight: benchPreflight,
  slack: benchSlack,
  discord: benchDiscord,
  watch: benchWatch,
  takeover: benchTakeover,
};

const wanted = process.argv.slice(2).filter((a) => a in BENCHES);
const results: Record<string, unknown> = {
  machine: {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadavg: os.loadavg(),
  },
};
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  process.stderr.write(`bench: ${name}…\n`);
  const started = performance.now();
  try {
    results[name] = { ...(await BENCHES[name]()), benchSeconds: Math.round((performance.now() - started) / 100) / 10 };
  } catch (err) {
    results[name] = { error: (err as Error).message };
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
process.exit(0);
