// A cycle worker in its own process, for the crash test: the test SIGKILLs it mid-step and
// starts another. Everything comes from the environment; chat posts are appended as JSON lines
// to POSTS_FILE (the test's stand-in for the chat platform).
import { appendFileSync } from "node:fs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import { ApprovalEngine } from "../../src/approvals/approvalEngine.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ChatMessage, ChatPoster } from "../../src/chat/types.ts";
import { type FileConfig, fileConfigSchema } from "../../src/config/schema.ts";
import { CycleControl } from "../../src/cycles/cycleControl.ts";
import { Microk8sDriver } from "../../src/cycles/drivers/microk8sDriver.ts";
import { startCycleWorker } from "../../worker/cycleWorker.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const postsFile = env("POSTS_FILE");
let next = 1;
const record = (entry: object) => appendFileSync(postsFile, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
const poster: ChatPoster = {
  platform: "slack",
  traits: slackTraits,
  async postRoot(channel: string, m: ChatMessage) {
    const id = `${process.pid}.${next++}`;
    record({ kind: "root", channel, id, text: m.text });
    return { id, thread: id };
  },
  async postInThread(a, m) {
    const id = `${process.pid}.${next++}`;
    record({ kind: "thread", channel: a.channel, thread: a.thread, id, text: m.text });
    return id;
  },
  async update(channel, id, m) {
    record({ kind: "update", channel, id, text: m.text });
  },
};

const redisUrl = env("REDIS_URL");
const prefix = env("PREFIX");
const file: FileConfig = fileConfigSchema.parse(JSON.parse(env("UPSHIFT_FILE_CONFIG")));
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const posters = new PosterRegistry([poster]);
const control = new CycleControl(redis, prefix, { platforms: platformTraits });
const logger = pino({ level: process.env.LOG_LEVEL ?? "warn" });
const approvals = new ApprovalEngine({
  redis,
  prefix,
  posters,
  file,
  onApproved: (run) => control.enqueueRun(run),
  logger,
});
const driver = new Microk8sDriver({ timeoutMs: 30_000 });
const worker = startCycleWorker(
  {
    redis,
    prefix,
    posters,
    file,
    approvals,
    drivers: () => ({ microk8s: driver }),
    // Production step lease, cluster lock, BullMQ lock and stalled check (src/queue/takeover.ts).
    logger,
  },
  {
    connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: 1,
  },
);
worker.on("ready", () => record({ kind: "ready" }));
