// One real redis-server per test run, on a free port. Tests get its URL with inject("redisUrl")
// and isolate themselves by BullMQ prefix / key prefix, so files can run in parallel.
import type { TestProject } from "vitest/node";
import { startEmbeddedRedis } from "../src/redis/embeddedRedis.ts";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const redis = await startEmbeddedRedis();
  project.provide("redisUrl", redis.url);
  return async () => {
    await redis.stop();
  };
}
