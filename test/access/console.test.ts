// The console demo obeys access rules too: the demo's own upshift.yaml allows its #upgrades
// channel the demo cluster, and the same router refuses another channel without queuing.
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ConsoleChat } from "../../adapters/console/consoleChat.ts";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { createAccessPolicy, createControls } from "../../cli/compose.ts";
import { DEMO_CHANNEL, DEMO_CONFIG } from "../../cli/demo.ts";
import { createRouter } from "../../commands/index.ts";
import { NO_ACCESS_RULES_WARNING } from "../../src/access/policy.ts";
import { loadConfig } from "../../src/config/load.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { producerConnection } from "../../src/redis/connection.ts";
import { countJobs } from "../slack/harness.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/** Feeds lines to a console chat and returns everything it said. */
async function chat(channel: string, lines: string[], contexts: string[]) {
  const { file } = loadConfig({ UPSHIFT_CONFIG: DEMO_CONFIG });
  const redis = producerConnection(inject("redisUrl"));
  const controls = createControls(redis, `t-console-access-${randomBytes(4).toString("hex")}`, { file });
  cleanups.push(async () => {
    await controls.close();
    redis.disconnect();
  });
  const router = createRouter({
    platforms: platformTraits,
    clusters: { names: () => contexts, defaultName: () => contexts[0] },
    jobs: controls.jobs,
    statusQueue: controls.statusQueue,
    watch: controls.watch,
    cycles: controls.cycles,
    access: createAccessPolicy({ file }),
  });
  const input = new PassThrough();
  const output = new PassThrough();
  let said = "";
  output.on("data", (d: Buffer) => {
    said += d.toString("utf8");
  });
  const run = new ConsoleChat({ router, channel, input, output }).run();
  input.end(`${lines.join("\n")}\n`);
  await run;
  const queued = (await Promise.all(controls.all().map((q) => countJobs(q)))).reduce((a, b) => a + b, 0);
  return { said, queued };
}

describe("access rules in the console demo", () => {
  it("the demo channel may use the demo cluster", async () => {
    const { said, queued } = await chat(DEMO_CHANNEL, ["/upgrade-check"], ["demo"]);
    expect(said).toContain("(only visible to you) Queued upgrade check of demo.");
    expect(queued).toBe(1);
  });

  it("another channel, or another cluster, is refused and nothing is queued", async () => {
    const other = await chat("random", ["/upgrade-check demo"], ["demo"]);
    expect(other.said).toContain(
      "(only visible to you) Refused: /upgrade-check on demo is not allowed in this channel. Here you may use no cluster",
    );
    const cluster = await chat(DEMO_CHANNEL, ["/upgrade-status prod", "/upgrade-check all"], ["demo", "prod"]);
    expect(cluster.said).toContain(
      "Refused: /upgrade-status on prod is not allowed in this channel. Here you may use: demo (every command).",
    );
    expect(cluster.said).toContain("Queued checks of 1 clusters.");
    expect(other.queued + cluster.queued).toBe(1);
  });

  it("bounds user text on the console too", async () => {
    const { said } = await chat(DEMO_CHANNEL, [`/upgrade-status ${"z".repeat(100_000)}`], ["demo"]);
    expect(said).toContain(`unknown cluster context "${"z".repeat(199)}…"`);
    expect(said.length).toBeLessThan(2_000);
  });

  it("without an access key, one start-up warning says every channel may use every cluster", () => {
    expect(createAccessPolicy({ file: fileConfigSchema.parse({}) }).startupWarnings(["a", "b"])).toEqual([
      NO_ACCESS_RULES_WARNING,
    ]);
    const { file } = loadConfig({ UPSHIFT_CONFIG: DEMO_CONFIG });
    expect(createAccessPolicy({ file }).startupWarnings(["demo", "next"])).toEqual([]);
    expect(createAccessPolicy({ file }).startupWarnings(["other"])[0]).toMatch(/not kubeconfig contexts.*demo/);
  });
});
