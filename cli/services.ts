// `upshift all | bot | worker`: the long-running processes. The bot turns chat commands and
// reactions into jobs and votes; the worker runs jobs and posts through the platforms' Web APIs
// itself, so either can be scaled or restarted without the other. One HTTP port, the ops server,
// serves probes, metrics and the queue dashboard in every mode, and Slack too over HTTP. Every chat
// adapter is a ChatAdapter (src/chat/adapter.ts): started, stopped and asked for readiness alike.
import { createDiscordBot, DiscordPoster } from "../adapters/discord/index.ts";
import { createSlackApp } from "../adapters/slack/slackApp.ts";
import { SlackPoster } from "../adapters/slack/slackPoster.ts";
import { adapterProblems, type ChatAdapter } from "../src/chat/adapter.ts";
import type { ButtonClick } from "../src/chat/buttons.ts";
import { PosterRegistry } from "../src/chat/posterRegistry.ts";
import type { ReactionEvent } from "../src/chat/reactions.ts";
import type { ChatPoster } from "../src/chat/types.ts";
import { loadConfig } from "../src/config/load.ts";
import { ConfigError } from "../src/errors/configError.ts";
import { type OpsServer, startOpsServer } from "../src/http/opsServer.ts";
import { onShutdown, type ShutdownStep } from "../src/http/shutdown.ts";
import { ClusterDirectory } from "../src/kube/clusterDirectory.ts";
import { createLogger } from "../src/log.ts";
import { createMetrics } from "../src/metrics/metrics.ts";
import { producerConnection, workerConnection } from "../src/redis/connection.ts";
import { createAccessPolicy, createApprovals, createBotRouter, createControls, startWorkers } from "./compose.ts";
import {
  alertCounter,
  countApprovalOutcome,
  countingApiErrors,
  countRateLimitWaits,
  startCountingSweeper,
} from "./instrument.ts";

export type ServiceMode = "all" | "bot" | "worker";

export async function runServices(mode: ServiceMode): Promise<number> {
  const config = loadConfig();
  const { env } = config;
  const logger = createLogger(env.LOG_LEVEL);
  const clusters = ClusterDirectory.load(env.KUBECONFIG);
  const runsBot = mode !== "worker";
  const runsWorker = mode !== "bot";
  if (!env.SLACK_BOT_TOKEN && !env.DISCORD_TOKEN) {
    throw new ConfigError([
      "SLACK_BOT_TOKEN / DISCORD_TOKEN: no chat platform is configured; set Slack (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) or Discord (DISCORD_TOKEN and DISCORD_APPLICATION_ID). For a local try-out without either, run: npm run demo",
    ]);
  }

  const metrics = createMetrics();
  const prefix = env.UPSHIFT_QUEUE_PREFIX;
  const redis = producerConnection(env.REDIS_URL);
  // A Redis outage is reported (readiness goes 503, commands answer "queue unavailable"),
  // never an unhandled 'error' event that kills the process.
  redis.on("error", (err) => logger.warn({ err }, "Redis connection error"));
  const slackPoster = env.SLACK_BOT_TOKEN
    ? new SlackPoster({ botToken: env.SLACK_BOT_TOKEN, slackApiUrl: env.SLACK_API_URL, logger })
    : undefined;
  // Groups named by approvers and access rules are Slack user groups (Discord roles come with each event).
  const groupMembers = slackPoster ? (groupId: string) => slackPoster.groupMembers(groupId) : undefined;
  const access = createAccessPolicy({ file: config.file, groupMembers, logger });
  const controls = createControls(redis, prefix, { file: config.file, groupMembers });
  for (const q of controls.all()) q.on("error", (err) => logger.warn({ err, queue: q.name }, "queue error"));
  metrics.setQueues(controls.all());

  // Both sides post: the worker its results, the bot its approval bookkeeping.
  const posters: ChatPoster[] = [];
  if (slackPoster) posters.push(slackPoster);
  const discordPoster = env.DISCORD_TOKEN
    ? new DiscordPoster({ token: env.DISCORD_TOKEN, apiUrl: env.DISCORD_API_URL })
    : undefined;
  if (discordPoster) posters.push(discordPoster);
  countRateLimitWaits(metrics, { slack: slackPoster?.client, discord: discordPoster?.rest });
  const registry = new PosterRegistry(posters.map((p) => countingApiErrors(p, metrics)));
  const approvals = createApprovals({
    redis,
    prefix,
    posters: registry,
    file: config.file,
    controls,
    logger,
    groupMembers,
    access,
  });

  // Shutdown runs these in order: stop intake, finish running work, close connections.
  const steps: ShutdownStep[] = [];
  const closing: ShutdownStep[] = [];
  const adapters: ChatAdapter[] = [];
  let slack: ReturnType<typeof createSlackApp> | undefined;
  if (runsBot) {
    // Without access rules every channel may use every cluster: said once, at start.
    for (const warning of access.startupWarnings(clusters.names())) logger.warn(warning);
    const router = createBotRouter(clusters, controls, access, logger);
    const onReaction = async (event: ReactionEvent) => {
      const outcome = await approvals.onReaction(event);
      countApprovalOutcome(metrics, outcome);
      logger.debug({ outcome, platform: event.platform }, "reaction handled");
    };
    // Approve / Cancel buttons: the same engine and rules as reactions.
    const onButton = async (click: ButtonClick) => {
      const result = await approvals.onButton(click);
      logger.debug({ outcome: result.outcome, platform: click.platform }, "button handled");
      return result;
    };
    if (env.SLACK_BOT_TOKEN) {
      slack = createSlackApp({
        botToken: env.SLACK_BOT_TOKEN,
        signingSecret: env.SLACK_SIGNING_SECRET,
        appToken: env.SLACK_APP_TOKEN,
        slackApiUrl: env.SLACK_API_URL,
        router,
        logger,
        onReaction,
        onButton,
        // Over HTTP, Slack shares the ops server's port (with /healthz, /readyz, /metrics, /admin);
        // Socket Mode listens on no port.
        externalServer: true,
      });
      adapters.push(slack);
    }
    if (env.DISCORD_TOKEN) {
      const discord = createDiscordBot({
        token: env.DISCORD_TOKEN,
        applicationId: env.DISCORD_APPLICATION_ID!,
        apiUrl: env.DISCORD_API_URL,
        guildAllowlist: env.DISCORD_GUILD_IDS,
        router,
        contexts: () => clusters.names(),
        logger,
        onReaction,
        onButton,
      });
      adapters.push(discord);
    }
    for (const adapter of adapters) {
      await adapter.start();
      steps.push({ name: `stop ${adapter.name}`, run: () => adapter.stop(), timeoutMs: 5_000 });
    }
    // Expired plans are announced by whichever bot replica sweeps first.
    const stopSweeper = startCountingSweeper(approvals, metrics, logger);
    steps.push({ name: "stop the approval sweeper", run: async () => stopSweeper(), timeoutMs: 1_000 });
  }

  if (runsWorker) {
    const workerRedis = workerConnection(env.REDIS_URL);
    workerRedis.on("error", (err) => logger.warn({ err }, "worker Redis connection error"));
    const workers = startWorkers({
      clusters,
      posters: registry,
      file: config.file,
      configPath: env.UPSHIFT_CONFIG,
      redis,
      workerRedis,
      prefix,
      controls,
      approvals,
      concurrency: env.WORKER_CONCURRENCY,
      checkDeadlineMs: env.UPSHIFT_CHECK_DEADLINE_SECONDS * 1000,
      helmNamespaces: env.UPSHIFT_HELM_NAMESPACES,
      microk8s: { context: env.MICROK8S_CONTEXT, bin: env.MICROK8S_BIN },
      backupDir: env.UPSHIFT_BACKUP_DIR,
      docsUrl: env.UPSHIFT_DOCS_URL,
      logger,
      maxChars: (platform) => registry.traits(platform).maxMessageChars,
      onAlertPosted: alertCounter(metrics),
      onReport: (report) => {
        for (const f of report.findings) metrics.findingsTotal.inc({ check: f.check, severity: f.severity });
      },
    });
    for (const worker of workers.workers) {
      worker.on("completed", (job) => {
        metrics.jobsTotal.inc({ type: job.data.kind, outcome: "completed" });
        if (job.finishedOn && job.processedOn)
          metrics.jobDurationSeconds.observe({ type: job.data.kind }, (job.finishedOn - job.processedOn) / 1000);
      });
      worker.on("failed", (job) => {
        if (job) metrics.jobsTotal.inc({ type: job.data.kind, outcome: "failed" });
      });
    }
    // close() lets running checks and cycle steps finish; the kubelet's grace period bounds it.
    steps.push({ name: "finish running jobs", run: () => workers.close(), timeoutMs: 25_000 });
    closing.push({ name: "close worker Redis", run: async () => void (await workerRedis.quit()), timeoutMs: 2_000 });
    logger.info({ concurrency: env.WORKER_CONCURRENCY, platforms: registry.platforms() }, "worker started");
  }

  async function readiness(): Promise<{ ok: boolean; detail: string }> {
    const problems: string[] = [];
    try {
      await redis.ping();
    } catch (err) {
      problems.push(`redis: ${(err as Error).message}`);
    }
    problems.push(...adapterProblems(adapters));
    return problems.length
      ? { ok: false, detail: problems.join("; ") }
      : { ok: true, detail: "redis reachable; adapters connected" };
  }

  // Whatever Slack's mode: in Socket Mode there is no Slack route (requestListener is unset), and
  // probes, /metrics and /admin/queues stay on PORT all the same.
  const ops: OpsServer = await startOpsServer({
    port: env.PORT,
    metrics,
    readiness,
    adminToken: env.ADMIN_TOKEN,
    queues: controls.all(),
    fallback: slack?.requestListener,
    logger,
  });
  steps.unshift({ name: "close HTTP", run: () => ops.close(), timeoutMs: 5_000 });
  logger.info({ port: ops.port }, "HTTP listening");
  closing.push(
    { name: "close queues", run: () => controls.close(), timeoutMs: 2_000 },
    { name: "close Redis", run: async () => void (await redis.quit()), timeoutMs: 2_000 },
  );
  onShutdown(["SIGTERM", "SIGINT"], [...steps, ...closing], logger);
  logger.info({ mode, clusters: clusters.names() }, "upshift running");
  // Runs until a signal; the shutdown handler exits the process.
  await new Promise<never>(() => undefined);
  return 0;
}
