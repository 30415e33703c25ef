// `upshift all | bot | worker`: the long-running processes. The bot turns chat commands into
// jobs; the worker runs them and posts through the platforms' Web APIs itself, so either can be
// scaled or restarted without the other. One HTTP port serves Slack, probes, metrics and the
// queue dashboard.
import { createDiscordBot, DiscordPoster } from "../adapters/discord/index.ts";
import { createSlackApp } from "../adapters/slack/slackApp.ts";
import { SlackPoster } from "../adapters/slack/slackPoster.ts";
import { createRouter } from "../commands/index.ts";
import { allChecks } from "../src/checks/catalog/index.ts";
import { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ChatPoster } from "../src/chat/types.ts";
import { loadConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors/configError.ts";
import { type OpsServer, startOpsServer } from "../src/http/opsServer.ts";
import { onShutdown, type ShutdownStep } from "../src/http/shutdown.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { createLogger } from "../src/log.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { JobQueues } from "../src/queue/jobQueues.ts";
import { LastCheckStore } from "../src/queue/lastCheckStore.ts";
import { producerConnection, workerConnection } from "../src/queue/redisConnection.ts";
import { startCheckWorker } from "../worker/checkWorker.ts";

export type ServiceMode = "all" | "bot" | "worker";

export async function runServices(mode: ServiceMode): Promise<number> {
  const config = loadConfig();
  const { env } = config;
  const logger = createLogger(env.LOG_LEVEL);
  const clusters = ClusterDirectory.load(env.KUBECONFIG);
  const runsBot = mode !== "worker";
  const runsWorker = mode !== "bot";
  const slackConfigured = Boolean(env.SLACK_BOT_TOKEN);
  const discordConfigured = Boolean(env.DISCORD_TOKEN);
  if (!slackConfigured && !discordConfigured) {
    throw new ConfigError([
      "SLACK_BOT_TOKEN / DISCORD_TOKEN: no chat platform is configured; set Slack (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) or Discord (DISCORD_TOKEN and DISCORD_APPLICATION_ID). For a local try-out without either, run: npm run demo",
    ]);
  }

  const metrics = createMetrics();
  const prefix = env.UPSHIFT_QUEUE_PREFIX;
  const producer = producerConnection(env.REDIS_URL);
  const queues = new JobQueues(producer, prefix);
  // A Redis outage is reported (readiness goes 503, commands answer "queue unavailable"),
  // never an unhandled 'error' event that kills the process.
  producer.on("error", (err) => logger.warn({ err: err.message }, "Redis connection error"));
  queues.check.on("error", (err) => logger.warn({ err: err.message }, "queue error"));
  metrics.setQueues([queues.check]);
  // Shutdown runs these in order: stop intake, finish running work, close connections.
  const steps: ShutdownStep[] = [];
  const closing: ShutdownStep[] = [];

  let slack: ReturnType<typeof createSlackApp> | undefined;
  let discord: ReturnType<typeof createDiscordBot> | undefined;
  if (runsBot) {
    const router = createRouter({ clusters, jobs: queues });
    if (slackConfigured) {
      slack = createSlackApp({
        botToken: env.SLACK_BOT_TOKEN!,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        slackApiUrl: env.SLACK_API_URL,
        port: env.PORT,
        router,
        logger,
        readiness: () => readiness(),
        // Over HTTP, Slack shares the ops server's port (with /healthz, /readyz, /metrics, /admin).
        externalServer: true,
      });
      await slack.start();
      steps.push({ name: "stop Slack", run: () => slack!.stop(), timeoutMs: 5_000 });
      logger.info({ mode: env.SLACK_APP_TOKEN ? "socket" : "http" }, "Slack adapter started");
    }
    if (discordConfigured) {
      discord = createDiscordBot({
        token: env.DISCORD_TOKEN!,
        applicationId: env.DISCORD_APPLICATION_ID!,
        apiUrl: env.DISCORD_API_URL,
        guildAllowlist: env.DISCORD_GUILD_IDS,
        router,
        contexts: () => clusters.names(),
        logger,
      });
      await discord.start();
      steps.push({ name: "close the Discord gateway", run: () => discord!.stop(), timeoutMs: 5_000 });
      logger.info("Discord adapter connected");
    }
  }

  if (runsWorker) {
    const posters: ChatPoster[] = [];
    if (slackConfigured) posters.push(new SlackPoster({ botToken: env.SLACK_BOT_TOKEN!, slackApiUrl: env.SLACK_API_URL, logger }));
    if (discordConfigured) posters.push(new DiscordPoster({ token: env.DISCORD_TOKEN!, apiUrl: env.DISCORD_API_URL }));
    const workerRedis = workerConnection(env.REDIS_URL);
    workerRedis.on("error", (err) => logger.warn({ err: err.message }, "worker Redis connection error"));
    const worker = startCheckWorker(
      {
        clusters,
        checks: allChecks,
        posters: new PosterRegistry(posters),
        file: config.file,
        lastChecks: new LastCheckStore(producer, prefix),
        logger,
        maxChars: (platform) => (platform === "discord" ? 2_000 : 3_000),
        onReport: (report) => {
          for (const f of report.findings) metrics.findingsTotal.inc({ check: f.check, severity: f.severity });
        },
      },
      { connection: workerRedis, prefix, concurrency: env.WORKER_CONCURRENCY },
    );
    worker.on("completed", (job) => {
      metrics.jobsTotal.inc({ type: job.data.kind, outcome: "completed" });
      if (job.finishedOn && job.processedOn) metrics.jobDurationSeconds.observe({ type: job.data.kind }, (job.finishedOn - job.processedOn) / 1000);
    });
    worker.on("failed", (job) => {
      if (job) metrics.jobsTotal.inc({ type: job.data.kind, outcome: "failed" });
    });
    // worker.close() waits for running jobs to finish; the kubelet's grace period bounds it.
    steps.push({ name: "finish running jobs", run: () => worker.close(), timeoutMs: 25_000 });
    closing.push({ name: "close worker Redis", run: async () => void (await workerRedis.quit()), timeoutMs: 2_000 });
    logger.info({ concurrency: env.WORKER_CONCURRENCY, platforms: posters.map((p) => p.platform) }, "worker started");
  }

  async function readiness(): Promise<{ ok: boolean; detail: string }> {
    const problems: string[] = [];
    try {
      await producer.ping();
    } catch (err) {
      problems.push(`redis: ${(err as Error).message}`);
    }
    if (discord && !discord.isReady()) problems.push("discord: gateway not connected");
    return problems.length ? { ok: false, detail: problems.join("; ") } : { ok: true, detail: "redis reachable; adapters connected" };
  }

  // In Socket Mode Bolt runs its own small health server on PORT; otherwise one server does it all.
  if (!(slack && env.SLACK_APP_TOKEN)) {
    const ops: OpsServer = await startOpsServer({
      port: env.PORT,
      metrics,
      readiness,
      adminToken: env.ADMIN_TOKEN,
      queues: [queues.check],
      fallback: slack?.requestListener,
      logger,
    });
    steps.unshift({ name: "close HTTP", run: () => ops.close(), timeoutMs: 5_000 });
    logger.info({ port: ops.port }, "HTTP listening");
  }
  closing.push(
    { name: "close queues", run: () => queues.close(), timeoutMs: 2_000 },
    { name: "close Redis", run: async () => void (await producer.quit()), timeoutMs: 2_000 },
  );
  onShutdown(["SIGTERM", "SIGINT"], [...steps, ...closing], logger);
  logger.info({ mode, clusters: clusters.names() }, "upshift running");
  // Runs until a signal; the shutdown handler exits the process.
  await new Promise<never>(() => undefined);
  return 0;
}
