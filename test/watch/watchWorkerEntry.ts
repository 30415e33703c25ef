// The real watch worker in its own process, for the crash tests: the test SIGKILLs it (a crash) or
// sends SIGTERM (the graceful shutdown cli/compose.ts does) and starts another. Everything comes
// from the environment. The chat platform is the only fake: posts are appended as JSON lines to
// POSTS_FILE, tagged with this process's pid; so are "ready" and "session" markers.
import { appendFileSync } from "node:fs";
import { Redis } from "ioredis";
import { pino } from "pino";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { startWatchWorker } from "../../worker/watchWorker.ts";
import { RecordingPoster } from "./helpers.ts";

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const postsFile = env("POSTS_FILE");
const by = String(process.pid);
const mark = (kind: string, extra: object = {}) =>
  appendFileSync(postsFile, `${JSON.stringify({ kind, by, ...extra })}\n`);

const redisUrl = env("REDIS_URL");
const prefix = env("PREFIX");
const logger = pino({ level: process.env.LOG_LEVEL ?? "warn" }, pino.destination(2));
const redis = new Redis(redisUrl);
const blocking = new Redis(redisUrl, { maxRetriesPerRequest: null });
const poster = new RecordingPoster(postsFile, `${by}.`, by);
// HANG_ON: posts containing this text never complete (the worker is then killed mid-post).
if (process.env.HANG_ON) {
  poster.hangOn = process.env.HANG_ON;
  const original = poster.postRoot.bind(poster);
  poster.postRoot = async (channel, message) => {
    if (message.text.includes(process.env.HANG_ON!)) mark("hanging");
    return original(channel, message);
  };
}

const worker = startWatchWorker(
  {
    clusters: ClusterDirectory.load(env("KUBECONFIG_PATH"), { timeoutMs: 5_000 }),
    posters: new PosterRegistry([poster]),
    redis,
    prefix,
    logger,
    // Production lock, stalled check and alert claim (src/queue/takeover.ts): the crash tests
    // prove the real takeover, not a shortened one.
    tuning: {
      timeoutSeconds: 5,
      persistEveryMs: Number(process.env.PERSIST_EVERY_MS ?? 200),
      pollMs: Number(process.env.POLL_MS ?? 100),
      claimMs: process.env.CLAIM_MS ? Number(process.env.CLAIM_MS) : undefined,
    },
    onSession: (session) => {
      session.connected().then(
        () => mark("session"),
        () => undefined,
      );
    },
  },
  // LOCK_MS / STALLED_MS: bench/takeover.ts compares the Redis load with BullMQ's old settings.
  {
    connection: blocking,
    prefix,
    concurrency: Number(process.env.CONCURRENCY ?? 5),
    ...(process.env.LOCK_MS ? { lockDurationMs: Number(process.env.LOCK_MS) } : {}),
    ...(process.env.STALLED_MS ? { stalledIntervalMs: Number(process.env.STALLED_MS) } : {}),
  },
);
worker.on("ready", () => mark("ready"));

process.once("SIGTERM", () => {
  // As cli/compose.ts closes: signal the watch to hand its job back, then wait for it.
  worker.cancelAllJobs("shutdown");
  worker
    .close()
    .then(async () => {
      mark("closed");
      await redis.quit();
      await blocking.quit();
      process.exit(0);
    })
    .catch((err) => {
      process.stderr.write(`close failed: ${(err as Error).message}\n`);
      process.exit(1);
    });
});
