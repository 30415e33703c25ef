// ioredis connections as BullMQ wants them, for every REDIS_URL topology (src/redis/redisUrl.ts):
// one server, a Sentinel-managed master, or Redis Cluster. Workers block on Redis, so their
// connections must not fail commands after N retries (maxRetriesPerRequest: null); producers in
// the bot should fail fast instead, so a Redis outage turns into a clear "try again" rather than
// a hung ack.
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { parseRedisUrl, type RedisTarget } from "./redisUrl.ts";

/**
 * What BullMQ accepts: one server (also behind Sentinel) or a cluster. Upshift's stores take the
 * narrower RedisCommands (commands.ts), which both satisfy.
 */
export type RedisConnection = Redis | Cluster;

type Role = "worker" | "producer";

const TIMEOUTS: Record<Role, { connectTimeout: number; commandTimeout?: number }> = {
  worker: { connectTimeout: 10_000 },
  // Workers issue blocking commands (BZPOPMIN) that legitimately outlast any command timeout.
  producer: { connectTimeout: 5_000, commandTimeout: 2_000 },
};

/** A connection for BullMQ workers: commands wait out a Redis outage instead of failing. */
export function workerConnection(url: string): RedisConnection {
  return connect(parseRedisUrl(url), "worker");
}

/** A connection for producers (bot, stores): commands fail after a short timeout. */
export function producerConnection(url: string): RedisConnection {
  return connect(parseRedisUrl(url), "producer");
}

/**
 * Producers keep no offline queue and never re-send a command after a reconnect. ioredis starts
 * a command's commandTimeout before it queues it offline: the caller gets its timeout error and
 * tells the user "nothing was queued", yet the command stays queued and runs once Redis is back
 * (7 of 10 commands did so in a 7 s outage). Without the queue a command fails at once while
 * Redis is down, and one in flight at a disconnect is failed rather than sent again. Workers
 * keep both: they must wait an outage out.
 */
function offline(role: Role): Pick<RedisOptions, "enableOfflineQueue" | "autoResendUnfulfilledCommands"> {
  return { enableOfflineQueue: role === "worker", autoResendUnfulfilledCommands: role === "worker" };
}

export function connect(target: RedisTarget, role: Role): RedisConnection {
  const timeouts = TIMEOUTS[role];
  const perCommand: RedisOptions = {
    ...timeouts,
    maxRetriesPerRequest: role === "worker" ? null : 2,
    username: target.username,
    password: target.password,
  };
  switch (target.kind) {
    case "standalone":
      return new Redis({
        ...perCommand,
        host: target.host,
        port: target.port,
        db: target.db,
        // servername (SNI) defaults to the host in tls.connect.
        ...(target.tls ? { tls: {} } : {}),
        ...offline(role),
      });
    case "sentinel":
      return new Redis({
        ...perCommand,
        sentinels: target.sentinels,
        name: target.masterName,
        role: "master",
        db: target.db,
        sentinelUsername: target.sentinelUsername,
        sentinelPassword: target.sentinelPassword,
        // A sentinel that accepts the connection but never answers must not stall the connect.
        sentinelCommandTimeout: 5_000,
        ...offline(role),
      });
    case "cluster": {
      const options: ClusterOptions = {
        redisOptions: perCommand,
        // The cluster's offline queue has no command timeout (commandTimeout only starts once a
        // node has the command), so producers do without it and fail at once while no node is
        // reachable, as BullMQ recommends for queues; workers keep it and wait for the cluster.
        enableOfflineQueue: role === "worker",
        slotsRefreshTimeout: 2_000,
      };
      return new Cluster(target.nodes, options);
    }
  }
}

/**
 * A second connection with the same target and options, plus `extra` (Cluster's duplicate takes
 * startup nodes first). `autoResendUnfulfilledCommands: false` means a command sent before a
 * disconnect is failed, never re-sent after the reconnect; a Cluster's nodes get it too.
 */
export function duplicateConnection(
  connection: RedisConnection,
  extra: { enableAutoPipelining?: boolean; enableOfflineQueue?: boolean; autoResendUnfulfilledCommands?: boolean },
): RedisConnection {
  if (connection instanceof Cluster) {
    const { autoResendUnfulfilledCommands, ...rest } = extra;
    const redisOptions = { ...connection.options.redisOptions, autoResendUnfulfilledCommands };
    return connection.duplicate([], { ...rest, redisOptions });
  }
  return connection.duplicate(extra);
}
