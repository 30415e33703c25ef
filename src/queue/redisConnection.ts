// ioredis connections as BullMQ wants them. Workers block on Redis, so their connections must
// not fail commands after N retries (maxRetriesPerRequest: null); producers in the bot should
// fail fast instead, so a Redis outage turns into a clear "try again" rather than a hung ack.
import { Redis } from "ioredis";

export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 10_000, lazyConnect: false });
}

export function producerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, connectTimeout: 5_000, commandTimeout: 2_000, enableOfflineQueue: true });
}
