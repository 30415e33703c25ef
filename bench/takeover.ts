// Takeover benchmark (issue 14): a worker running a watch or an add-on cycle is SIGKILLed, and the
// time until another, already running worker resumes it is measured. Workers are real child
// processes (the crash tests' entries, test/watch/watchWorkerEntry.ts and
// test/cycles/workerEntry.ts) on production lock settings (src/queue/takeover.ts), against an
// embedded redis-server, the sandbox API server and the fake microk8s CLI.
//  - watch: kill → the survivor's watch session connected again (listed and watching from the
//    stored resourceVersions); WATCH_TRIALS kills, a fresh worker replacing each dead one;
//  - cycle: kill mid-step → the survivor posts "resuming after a worker restart" for that step;
//  - redis load: commands/s (INFO stats total_commands_processed over a quiet window) with
//    IDLE_WATCHES idle watches on two workers, with these settings and with the old 30 s / 15 s.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { buildPlan } from "../src/cycles/plan.ts";
import { LONG_JOB_LOCK, TAKEOVER_BOUND_MS } from "../src/queue/takeover.ts";
import { startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";
import { kubeconfigFor, startSandbox } from "../src/sandbox/index.ts";
import { QueueWatchControl } from "../src/watch/control.ts";
import { APPROVER, HERE as CYCLE_TESTS, FakeMicrok8s, fileConfig, startStack } from "../test/cycles/harness.ts";
import { node, pod } from "../test/watch/helpers.ts";
import { below } from "./figures.ts";

const WATCH_ENTRY = new URL("../test/watch/watchWorkerEntry.ts", import.meta.url).pathname;
const CYCLE_ENTRY = join(CYCLE_TESTS, "workerEntry.ts");
const GOAL_MS = 10_000;
const WATCH_TRIALS = 3;
const IDLE_WATCHES = 20;
const LOAD_WINDOW_MS = 10_000;

interface Line {
  kind: string;
  by?: string;
  pid?: number;
  text?: string;
  at?: number;
}

function readLines(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`takeover bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function spawnWorker(entry: string, env: NodeJS.ProcessEnv, children: ChildProcess[]): ChildProcess {
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  children.push(child);
  return child;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samplesMs: samples.map(Math.round), minMs: Math.round(sorted[0]), maxMs: Math.round(sorted.at(-1) ?? 0) };
}

export async function benchTakeover(): Promise<Record<string, unknown>> {
  const redisServer = await startEmbeddedRedis();
  const sandbox = await startSandbox({ objects: [node("node-a", true), pod("web-1"), pod("web-2")] });
  const redis = new Redis(redisServer.url);
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), "bench-takeover-"));
  const contexts = Array.from({ length: IDLE_WATCHES }, (_, i) => `sb-${i}`);
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigFor(contexts.map((name) => ({ name, url: sandbox.url }))));
  try {
    const watch = await watchTakeover(redisServer.url, kubeconfig, dir, children);
    const cycle = await cycleTakeover(redisServer.url, dir, children);
    const load = {
      shortLocks: await redisLoad(redis, redisServer.url, kubeconfig, contexts, dir, children, {}),
      oldLocks: await redisLoad(redis, redisServer.url, kubeconfig, contexts, dir, children, {
        LOCK_MS: "30000",
        STALLED_MS: "15000",
      }),
    };
    const watchMax = Math.max(...watch.samples);
    return {
      watchTakeover: below(
        Math.round(watchMax),
        GOAL_MS,
        "ms",
        "worst of the trials: SIGKILL → the survivor's watch connected",
      ),
      cycleTakeover: below(Math.round(cycle.ms), GOAL_MS, "ms", "SIGKILL mid-step → the survivor resumes the step"),
      watch: { trials: WATCH_TRIALS, ...summary(watch.samples) },
      cycle: { ms: Math.round(cycle.ms), resumedBy: cycle.resumedBy },
      settings: { ...LONG_JOB_LOCK, boundMs: TAKEOVER_BOUND_MS },
      redisCommandsPerSecond: {
        idleWatches: IDLE_WATCHES,
        workers: 2,
        windowMs: LOAD_WINDOW_MS,
        note: "whole redis-server; watch workers poll each watch's stop key once a second (pollMs 1000, as in production)",
        ...load,
      },
    };
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    redis.disconnect();
    await sandbox.close();
    await redisServer.stop();
  }
}

async function watchTakeover(redisUrl: string, kubeconfig: string, dir: string, children: ChildProcess[]) {
  const posts = join(dir, "watch-posts.jsonl");
  const prefix = `bench-tk-watch-${process.pid}`;
  const env = { REDIS_URL: redisUrl, PREFIX: prefix, KUBECONFIG_PATH: kubeconfig, POSTS_FILE: posts, POLL_MS: "1000" };
  const redis = new Redis(redisUrl);
  const control = new QueueWatchControl(redis, prefix);
  const alive = new Map<string, ChildProcess>();
  const start = async () => {
    const c = spawnWorker(WATCH_ENTRY, env, children);
    alive.set(String(c.pid), c);
    await until("a watch worker ready", () =>
      readLines(posts).some((l) => l.kind === "ready" && l.by === String(c.pid)),
    );
  };
  const sessionsOf = (by: string) => readLines(posts).filter((l) => l.kind === "session" && l.by === by).length;
  try {
    await start();
    await start();
    await control.start("sb-0", { platform: "slack", channel: "C-ops" }, 3_600_000, { by: "command" });
    const samples: number[] = [];
    let holder = await until("the first session", () => readLines(posts).find((l) => l.kind === "session")?.by);
    for (let t = 0; t < WATCH_TRIALS; t++) {
      const survivor = [...alive.keys()].find((by) => by !== holder)!;
      const before = sessionsOf(survivor);
      const victim = alive.get(holder)!;
      const killedAt = performance.now();
      victim.kill("SIGKILL");
      alive.delete(holder);
      await until("the survivor's session", () => sessionsOf(survivor) > before);
      samples.push(performance.now() - killedAt);
      holder = survivor;
      await start();
    }
    await control.stop("sb-0");
    return { samples };
  } finally {
    for (const c of alive.values()) c.kill("SIGKILL");
    await control.close();
    redis.disconnect();
  }
}

async function cycleTakeover(redisUrl: string, dir: string, children: ChildProcess[]) {
  const file = fileConfig();
  const m = new FakeMicrok8s({
    addons: [
      { name: "hostpath-storage", status: "enabled", version: "1.0.0" },
      { name: "ingress", status: "enabled", version: "1.8.0", nextVersion: "1.11.2" },
      { name: "dns", status: "enabled", version: "1.10.1" },
    ],
    sleepMs: { "enable ingress": 3_000 },
  });
  const stack = await startStack({ redisUrl, file, microk8s: m, withWorker: false });
  const posts = join(dir, "cycle-posts.jsonl");
  const env = {
    ...m.env,
    REDIS_URL: redisUrl,
    PREFIX: stack.prefix,
    POSTS_FILE: posts,
    UPSHIFT_FILE_CONFIG: JSON.stringify({ approvals: { approvers: { slackUsers: [APPROVER] } } }),
  };
  try {
    const plan = await buildPlan({
      cluster: "sandbox",
      addons: [],
      requester: stack.requester,
      dryRun: false,
      file,
      drivers: stack.drivers("sandbox"),
    });
    const req = await stack.approvals.requestApproval(plan, stack.reply);
    const workers = [spawnWorker(CYCLE_ENTRY, env, children), spawnWorker(CYCLE_ENTRY, env, children)];
    await until("two cycle workers ready", () => readLines(posts).filter((l) => l.kind === "ready").length === 2);
    await stack.approvals.onReaction({
      platform: "slack",
      added: true,
      userId: APPROVER,
      emoji: "white_check_mark",
      channel: "C1",
      messageId: req.messageId,
    });
    await until("enable ingress to start", () => m.read().counts?.["enable ingress"] === 1);
    // The worker that announced the ingress step holds the cycle.
    const isIngressStart = (l: Line) => l.text?.startsWith("▶️ Step") && l.text.includes("*ingress*");
    const step2 = readLines(posts).find(isIngressStart);
    const victim = workers.find((w) => w.pid === step2?.pid);
    if (!victim) throw new Error("takeover bench: could not tell which worker runs the cycle");
    const survivor = workers.find((w) => w !== victim)!;
    const killedAt = performance.now();
    victim.kill("SIGKILL");
    await until("the survivor to resume the ingress step", () =>
      readLines(posts).some((l) => l.pid === survivor.pid && isIngressStart(l) && l.text?.includes("resuming")),
    );
    const ms = performance.now() - killedAt;
    await until("the cycle to finish", async () => (await stack.approvals.plans.get(plan.id))?.state === "done");
    return { ms, resumedBy: "the other running worker" };
  } finally {
    await stack.close();
  }
}

async function redisLoad(
  redis: Redis,
  redisUrl: string,
  kubeconfig: string,
  contexts: string[],
  dir: string,
  children: ChildProcess[],
  lockEnv: Record<string, string>,
) {
  const posts = join(dir, `load-${Object.keys(lockEnv).length ? "old" : "short"}.jsonl`);
  const prefix = `bench-tk-load-${Object.keys(lockEnv).length ? "old" : "short"}-${process.pid}`;
  const env = {
    REDIS_URL: redisUrl,
    PREFIX: prefix,
    KUBECONFIG_PATH: kubeconfig,
    POSTS_FILE: posts,
    POLL_MS: "1000",
    PERSIST_EVERY_MS: "3000",
    CONCURRENCY: String(contexts.length),
    ...lockEnv,
  };
  const control = new QueueWatchControl(redis, prefix);
  const workers = [spawnWorker(WATCH_ENTRY, env, children), spawnWorker(WATCH_ENTRY, env, children)];
  try {
    await until("two watch workers ready", () => readLines(posts).filter((l) => l.kind === "ready").length === 2);
    for (const c of contexts)
      await control.start(c, { platform: "slack", channel: "C-ops" }, 3_600_000, { by: "command" });
    await until(
      "every watch connected",
      () => readLines(posts).filter((l) => l.kind === "session").length >= contexts.length,
    );
    // Let start-up traffic settle, then count.
    await new Promise((r) => setTimeout(r, 2_000));
    const count = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info("stats"))?.[1] ?? 0);
    const c0 = await count();
    const s0 = commandStats(await redis.info("commandstats"));
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, LOAD_WINDOW_MS));
    const seconds = (performance.now() - t0) / 1000;
    // Minus this bench's own INFO calls.
    const perSecond = ((await count()) - c0 - 2) / seconds;
    const s1 = commandStats(await redis.info("commandstats"));
    const ops = Number(/instantaneous_ops_per_sec:(\d+)/.exec(await redis.info("stats"))?.[1] ?? 0);
    const byCommand = Object.fromEntries(
      Object.entries(s1)
        .map(([cmd, calls]) => [cmd, Math.round(((calls - (s0[cmd] ?? 0)) / seconds) * 10) / 10] as const)
        .filter(([cmd, rate]) => rate > 0 && cmd !== "info")
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8),
    );
    for (const c of contexts) await control.stop(c);
    return { commandsPerSecond: Math.round(perSecond), instantaneousOpsPerSec: ops, byCommand, ...lockEnv };
  } finally {
    for (const w of workers) w.kill("SIGKILL");
    await control.close();
  }
}

/** calls per command from INFO commandstats (commands run by Lua scripts included). */
function commandStats(info: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchTakeover(), null, 2));
  process.exit(0);
}
