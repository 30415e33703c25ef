// `npm run demo`: the whole system on one machine with nothing to configure. A sandbox cluster
// seeded with the five incidents, a private redis-server (or REDIS_URL), the real worker and
// the console chat. Ctrl-C (or the end of input) stops everything and leaves no process behind.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { ConsoleChat } from "../adapters/console/consoleChat.ts";
import { ConsolePoster } from "../adapters/console/consolePoster.ts";
import { CommandRouter } from "../commands/router.ts";
import { upgradeCheckCommand } from "../commands/upgradeCheck.ts";
import { allChecks } from "../src/checks/catalog/index.ts";
import { PosterRegistry } from "../src/chat/posterRegistry.ts";
import { fileConfigSchema } from "../src/config/schema.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { createLogger } from "../src/log.ts";
import { JobQueues } from "../src/queue/jobQueues.ts";
import { LastCheckStore } from "../src/queue/lastCheckStore.ts";
import { producerConnection, workerConnection } from "../src/queue/redisConnection.ts";
import { type EmbeddedRedis, startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";
import { startSandbox } from "../src/sandbox/index.ts";
import { startCheckWorker } from "../worker/checkWorker.ts";

export const DEMO_SCENARIO = fileURLToPath(new URL("../src/sandbox/scenarios/demo.yaml", import.meta.url));

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

  const cleanups: Array<() => Promise<unknown>> = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    })();
    return stopping;
  };

  try {
    const sandbox = await startSandbox({ fixture: opts.scenario ?? DEMO_SCENARIO });
    cleanups.push(() => sandbox.close());
    say(`Sandbox cluster "demo" (Kubernetes ${sandbox.serverVersion}) at ${sandbox.url}, seeded with the five incidents of INCIDENTS.md.`);

    let redisUrl = opts.redisUrl ?? process.env.REDIS_URL;
    let embedded: EmbeddedRedis | undefined;
    if (!redisUrl) {
      embedded = await startEmbeddedRedis();
      cleanups.push(() => embedded!.stop());
      redisUrl = embedded.url;
      say(`Private redis-server on ${redisUrl}.`);
    } else {
      say(`Using Redis at ${new URL(redisUrl).host}.`);
    }

    // A prefix of its own, so a demo against a shared Redis never touches real queues.
    const prefix = `upshift-demo-${randomBytes(3).toString("hex")}`;
    const producer: Redis = producerConnection(redisUrl);
    const workerRedis: Redis = workerConnection(redisUrl);
    cleanups.push(() => producer.quit(), () => workerRedis.quit());
    const queues = new JobQueues(producer, prefix);
    cleanups.push(() => queues.close());

    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("demo"));
    const poster = new ConsolePoster(output);
    const worker = startCheckWorker(
      {
        clusters,
        checks: allChecks,
        posters: new PosterRegistry([poster]),
        file: fileConfigSchema.parse({}),
        lastChecks: new LastCheckStore(producer, prefix),
        logger,
      },
      { connection: workerRedis, prefix, concurrency: 2 },
    );
    cleanups.push(() => worker.close());

    const router = new CommandRouter([upgradeCheckCommand({ clusters, jobs: queues })]);
    const chat = new ConsoleChat({ router, input: opts.input, output });
    const onSignal = () => {
      say("\nStopping the demo…");
      chat.close();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    cleanups.push(async () => {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
    });
    say("Try: /upgrade-check            (the demo cluster, next minor)");
    say("     /upgrade-check demo 1.33  (skips a minor: SKEW-03)");
    await chat.run();
    // Input ended (piped commands, or /quit): let queued checks finish before stopping.
    await drain(queues, 120_000);
  } finally {
    await stop();
  }
}

async function drain(queues: JobQueues, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const counts = await queues.check.getJobCounts("waiting", "active", "delayed", "prioritized");
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
