// Discord path benchmark, all over real sockets (discord.js gateway client, fake Discord gateway
// and REST, embedded redis-server): 200 concurrent /upgrade-check interactions dispatched by the
// fake gateway, all distinct (50 contexts × 4 targets) so each really enqueues a job through the
// shared router; no worker runs, so this is the acknowledgement path only.
//  - deferMs: from the fake's INTERACTION_CREATE send to its receipt of the type-5 callback
//    (Discord's 3 s limit applies to this);
//  - replyMs: from the same send to the ephemeral reply edit (includes the Redis enqueue); the
//    figure (replyP99) is the worst p99 of BURSTS bursts, each on an emptied queue. Interaction
//    replies are not held by the bot's global 50/s limit (adapters/discord/interactionResponder.ts),
//    and the fake enforces that limit for bot-token requests only, as Discord does.
// The fake runs in a worker thread, as Discord runs elsewhere: its event loop does not compete
// with the bot's, and it stamps both ends of each measurement on its own clock.
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { createDiscordBot } from "../adapters/discord/index.ts";
import { platformTraits } from "../adapters/platformTraits.ts";
import { CommandRouter } from "../commands/router.ts";
import { upgradeCheckCommand } from "../commands/upgradeCheck.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { createLogger } from "../src/log.ts";
import { JobSubmitter } from "../src/queue/jobSubmitter.ts";
import { producerConnection } from "../src/redis/connection.ts";
import { startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";
import { kubeconfigFor } from "../src/sandbox/index.ts";
import { FakeDiscord } from "../test/fakes/fakeDiscord.ts";
import { below } from "./figures.ts";

const INTERACTIONS = 200;
const CONTEXTS = 50;
const TARGETS = ["1.32", "1.32.1", "1.32.2", "1.32.3"];
const BURSTS = 3;
const REPLY_GOAL_MS = 1_000;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { count: sorted.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(sorted.at(-1) ?? Number.NaN) };
}

interface FakeInfo {
  url: string;
  token: string;
  applicationId: string;
  guildId: string;
}

interface Sample {
  deferMs: number;
  replyMs: number;
  deferType: number;
  reply: string;
}

type Command = { cmd: "burst"; commands: Array<{ context: string; target: string }> } | { cmd: "close" };
type Request = Command & { id: number };

export async function benchDiscord(): Promise<Record<string, unknown>> {
  const started = performance.now();
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? "silent");
  const redis = await startEmbeddedRedis();
  const fakeThread = new Worker(new URL(import.meta.url));
  const [fake] = (await once(fakeThread, "message")) as [FakeInfo];
  let nextId = 0;
  const call = async <T>(req: Command): Promise<T> => {
    const id = ++nextId;
    fakeThread.postMessage({ ...req, id });
    for (;;) {
      const [msg] = (await once(fakeThread, "message")) as [{ id: number; result?: T; error?: string }];
      if (msg.id !== id) continue;
      if (msg.error) throw new Error(msg.error);
      return msg.result as T;
    }
  };
  const producer = producerConnection(redis.url);
  const queues = new JobSubmitter(producer, `bench-discord-${process.pid}`);
  // The contexts only need to exist in the kubeconfig: no worker reads the clusters here.
  const contexts = Array.from({ length: CONTEXTS }, (_, i) => `ctx-${i}`);
  const clusters = ClusterDirectory.fromString(
    kubeconfigFor(contexts.map((name) => ({ name, url: "http://127.0.0.1:9" }))),
  );
  const bot = createDiscordBot({
    token: fake.token,
    applicationId: fake.applicationId,
    apiUrl: fake.url,
    guildAllowlist: [fake.guildId],
    router: new CommandRouter([upgradeCheckCommand({ clusters, jobs: queues, platforms: platformTraits })]),
    contexts: () => clusters.names(),
    logger,
  });
  try {
    await bot.start();
    // One warm-up so connection setup is not in the samples.
    await call<Sample[]>({ cmd: "burst", commands: [{ context: "ctx-0", target: "1.33" }] });

    const commands = Array.from({ length: INTERACTIONS }, (_, i) => ({
      context: contexts[i % CONTEXTS],
      target: TARGETS[Math.floor(i / CONTEXTS) % TARGETS.length],
    }));
    const bursts = [];
    for (let b = 0; b < BURSTS; b++) {
      await queues.check.obliterate({ force: true });
      const runStart = performance.now();
      const results = await call<Sample[]>({ cmd: "burst", commands });
      const wallMs = performance.now() - runStart;
      const notQueued = results.filter((r) => !r.reply.startsWith("Queued"));
      if (notQueued.length)
        throw new Error(`${notQueued.length} interactions were not queued, e.g. "${notQueued[0].reply}"`);
      const counts = await queues.check.getJobCounts("waiting", "prioritized", "delayed");
      bursts.push({
        deferMs: stats(results.map((r) => r.deferMs)),
        replyMs: stats(results.map((r) => r.replyMs)),
        over3s: results.filter((r) => r.deferMs > 3_000).length,
        allDeferred: results.every((r) => r.deferType === 5),
        jobsQueued: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
        wallMs: Math.round(wallMs),
      });
    }
    return {
      replyP99: below(
        Math.max(...bursts.map((b) => b.replyMs.p99)),
        REPLY_GOAL_MS,
        "ms",
        `worst p99 of ${BURSTS} bursts of ${INTERACTIONS} concurrent commands: INTERACTION_CREATE → the edited reply`,
      ),
      deferP99: below(
        Math.max(...bursts.map((b) => b.deferMs.p99)),
        3_000,
        "ms",
        "worst p99 of the type-5 callbacks (Discord's 3 s limit)",
      ),
      interactions: INTERACTIONS,
      bursts,
      totalMs: Math.round(performance.now() - started),
    };
  } finally {
    await bot.stop();
    await queues.close();
    producer.disconnect();
    await call({ cmd: "close" }).catch(() => undefined);
    await fakeThread.terminate();
    await redis.stop();
  }
}

/** The worker-thread side: runs the fake and times each interaction on its own clock. */
async function runFakeThread(): Promise<void> {
  const port = parentPort!;
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 10_000 });
  port.postMessage({
    url: fake.url,
    token: fake.token,
    applicationId: fake.applicationId,
    guildId: fake.guildId,
  } satisfies FakeInfo);
  port.on("message", async (req: Request) => {
    try {
      if (req.cmd === "close") {
        await fake.close();
        port.postMessage({ id: req.id, result: true });
        return;
      }
      const result = await Promise.all(req.commands.map((c) => timeOne(fake, c.context, c.target)));
      port.postMessage({ id: req.id, result });
    } catch (err) {
      port.postMessage({ id: req.id, error: (err as Error).message });
    }
  });
}

async function timeOne(fake: FakeDiscord, context: string, target: string): Promise<Sample> {
  const sentAt = performance.now();
  const { id, token } = fake.interaction({
    name: "upgrade-check",
    options: [
      { name: "context", value: context },
      { name: "target", value: target },
    ],
  });
  const defer = await fake.waitForCall(
    (c) => c.path.startsWith(`/interactions/${id}/`),
    30_000,
    `the callback of ${id}`,
  );
  const reply = await fake.waitForCall(
    (c) => c.method === "PATCH" && c.path === `/webhooks/${fake.applicationId}/${token}/messages/@original`,
    30_000,
    `the reply of ${id}`,
  );
  return {
    deferMs: defer.hr - sentAt,
    replyMs: reply.hr - sentAt,
    deferType: defer.body?.type,
    reply: String(reply.body?.content ?? ""),
  };
}

if (!isMainThread) {
  void runFakeThread();
} else if (import.meta.url === `file://${process.argv[1]}`) {
  benchDiscord().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
