// Shared wiring for the Slack tests: a real Bolt app on a free port in front of the real command
// router and BullMQ queue (real Redis, a prefix per test so files and tests do not see each other).
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { pino } from "pino";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { createSlackApp, type SlackAppHandle, type SlackAppOptions } from "../../adapters/slack/slackApp.ts";
import { CommandRouter } from "../../commands/router.ts";
import { upgradeCheckCommand } from "../../commands/upgradeCheck.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { QUEUES } from "../../src/queue/queues.ts";
import { producerConnection, type RedisConnection } from "../../src/redis/connection.ts";
import type { FakeSlackApi } from "../fakes/fakeSlackApi.ts";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export function uniquePrefix(label: string): string {
  return `t-${label}-${randomBytes(4).toString("hex")}`;
}

export const quietLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

export interface SlackHarness {
  slack: SlackAppHandle;
  queues: JobSubmitter;
  connection: RedisConnection;
  eventsUrl: string;
  baseUrl: string;
  prefix: string;
  jobCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startSlackHarness(opts: {
  fake: FakeSlackApi;
  redisUrl: string;
  contexts: { names(): string[]; defaultName(): string | undefined };
  prefix?: string;
  /** Wait until the add connection is up before serving (default). A test of a dead Redis says false. */
  waitForRedis?: boolean;
  app?: Partial<SlackAppOptions>;
}): Promise<SlackHarness> {
  const prefix = opts.prefix ?? uniquePrefix("slack");
  const connection = producerConnection(opts.redisUrl);
  // A test that points at a dead Redis expects connection errors; they must not print as unhandled.
  connection.on("error", () => {});
  const queues = new JobSubmitter(connection, prefix);
  queues.check.on("error", () => {});
  const router = new CommandRouter(
    [upgradeCheckCommand({ clusters: opts.contexts, jobs: queues, platforms: platformTraits })],
    { logger: quietLogger() },
  );
  const slack = createSlackApp({
    botToken: opts.fake.botToken,
    signingSecret: SIGNING_SECRET,
    slackApiUrl: opts.fake.apiUrl,
    port: 0,
    router,
    logger: quietLogger(),
    ...opts.app,
  });
  // The enqueue connection has no offline queue: a command that arrives before it is connected is
  // answered "nothing was queued". A running bot is long connected; a test must not race that.
  if (opts.waitForRedis !== false) await queues.ready();
  await slack.start();
  const baseUrl = `http://127.0.0.1:${slack.port()}`;
  return {
    slack,
    queues,
    connection,
    prefix,
    baseUrl,
    eventsUrl: `${baseUrl}/slack/events`,
    jobCount: () => countJobs(queues.check),
    async close() {
      await slack.stop();
      await queues.close();
      connection.disconnect();
    },
  };
}

/** Every job in the check queue, whatever its state. */
export async function countJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts(
    "wait",
    "active",
    "delayed",
    "completed",
    "failed",
    "prioritized",
    "waiting-children",
  );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function checkQueue(connection: RedisConnection, prefix: string): Queue {
  return new Queue(QUEUES.check.name, { connection, prefix });
}
