// A BullMQ worker with the long-job lock settings (src/queue/takeover.ts) in its own process,
// whose job blocks the event loop BLOCK_MS at a time, ROUNDS times: a slow but alive worker. The
// test runs the stalled check from another process and expects the job never to be handed on.
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import { LONG_JOB_LOCK } from "../../src/queue/takeover.ts";

const redisUrl = process.env.REDIS_URL ?? "";
const blockMs = Number(process.env.BLOCK_MS ?? 3_500);
const rounds = Number(process.env.ROUNDS ?? 2);

const worker = new Worker(
  "takeover-blocking",
  async () => {
    for (let i = 0; i < rounds; i++) {
      const until = Date.now() + blockMs;
      // Synchronous work: nothing else on this loop runs, the lock renewal timer included.
      while (Date.now() < until) {}
      await new Promise((r) => setTimeout(r, 20));
    }
    return { pid: process.pid };
  },
  {
    connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
    prefix: process.env.PREFIX,
    ...LONG_JOB_LOCK,
    maxStalledCount: 20,
  },
);
worker.on("ready", () => process.stdout.write("ready\n"));
