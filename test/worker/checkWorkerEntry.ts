// The real check worker in its own process, for the post-crash tests: the test SIGKILLs it right
// after the fake chat platform stored a post and before the worker hears the answer, then starts
// another. Everything comes from the environment; the chat platform is the fake Slack Web API or
// the fake Discord REST API (real sockets), reached through the production posters.
import { Redis } from "ioredis";
import { DiscordPoster } from "../../adapters/discord/discordPoster.ts";
import { SlackPoster } from "../../adapters/slack/slackPoster.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ChatPoster } from "../../src/chat/types.ts";
import { checksById } from "../../src/checks/catalog/index.ts";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { createLogger } from "../../src/log.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

const logger = createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr);
const poster: ChatPoster =
  env("PLATFORM") === "discord"
    ? new DiscordPoster({ token: env("DISCORD_TOKEN"), apiUrl: env("DISCORD_API_URL"), timeoutMs: 5_000 })
    : new SlackPoster({
        botToken: env("SLACK_BOT_TOKEN"),
        slackApiUrl: env("SLACK_API_URL"),
        logger,
        timeoutMs: 5_000,
      });
const connection = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: null });
const worker = startCheckWorker(
  {
    clusters: ClusterDirectory.fromString(env("KUBECONFIG_YAML"), { timeoutMs: 5_000 }),
    checks: checksById(["HELM-01", "SKEW-03", "PRB-01"]),
    posters: new PosterRegistry([poster]),
    file: fileConfigSchema.parse({}),
    logger,
    maxChars: (platform) => (platform === "discord" ? 2_000 : 3_000),
  },
  // A short lock so the replacement takes the killed worker's job over within a second or two.
  { connection, prefix: env("PREFIX"), concurrency: 1, lockDurationMs: 1_000, stalledIntervalMs: 500 },
);
// The test waits for this line before it enqueues (stdout carries nothing else).
worker.on("ready", () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => {
  void worker
    .close()
    .then(() => connection.quit())
    .then(() => process.exit(0));
});
