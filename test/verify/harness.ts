// Shared wiring for the verify end-to-end tests: the production controls (createControls) on real
// Redis, the real check worker with the baseline store, and a cluster that can be "upgraded":
// the context name stays, the sandbox behind it is replaced by one serving the "after" objects.
import { randomBytes } from "node:crypto";
import type { Worker } from "bullmq";
import { inject } from "vitest";
import { type Controls, createControls } from "../../cli/compose.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ChatPoster } from "../../src/chat/types.ts";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { type FileConfig, fileConfigSchema } from "../../src/config/schema.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { producerConnection, type RedisConnection, workerConnection } from "../../src/redis/connection.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { type ClusterShape, clusterObjects } from "../fixtures/verify/clusters.ts";
import { quietLogger } from "../slack/harness.ts";

/** One kubeconfig context whose server can be swapped, as an in-place upgrade looks to a client. */
export class UpgradableCluster {
  private sandbox?: SandboxServer;
  private directory?: ClusterDirectory;
  readonly context: string;
  constructor(context: string) {
    this.context = context;
  }

  async serve(shape: ClusterShape): Promise<void> {
    const next = await startSandbox({ objects: clusterObjects(shape), serverVersion: shape.server });
    await this.sandbox?.close();
    this.sandbox = next;
    this.directory = ClusterDirectory.fromString(next.kubeconfig(this.context));
  }
  private get dir(): ClusterDirectory {
    if (!this.directory) throw new Error("serve() first");
    return this.directory;
  }
  names = () => [this.context];
  defaultName = () => this.context;
  has = (name: string) => name === this.context;
  client = (name: string) => this.dir.client(name);
  kubeConfig = (name: string) => this.dir.kubeConfig(name);
  /** The server goes away; the context still points at its (now closed) loopback port. */
  async stop(): Promise<void> {
    await this.sandbox?.close();
    this.sandbox = undefined;
  }
  async close(): Promise<void> {
    await this.sandbox?.close();
  }
}

export interface VerifyStack {
  controls: Controls;
  prefix: string;
  close(): Promise<void>;
}

/** Resolves once a producer connection is up: producers keep no offline queue (src/redis/connection.ts). */
export async function connected(connection: RedisConnection): Promise<void> {
  if (connection.status === "ready") return;
  await new Promise((resolve) => connection.once("ready", resolve));
}

/** Controls and a check worker (which keeps baselines and runs verifies) posting through `poster`. */
export async function startVerifyStack(opts: {
  cluster: UpgradableCluster;
  poster: ChatPoster;
  file?: FileConfig;
  maxChars?: (platform: string) => number;
}): Promise<VerifyStack> {
  const prefix = `t-verify-${randomBytes(4).toString("hex")}`;
  const file = opts.file ?? fileConfigSchema.parse({});
  const redis = producerConnection(inject("redisUrl"));
  const controls = createControls(redis, prefix, { file });
  const connection = workerConnection(inject("redisUrl"));
  const worker: Worker = startCheckWorker(
    {
      clusters: opts.cluster,
      checks: allChecks,
      posters: new PosterRegistry([opts.poster]),
      file,
      lastChecks: controls.lastChecks,
      baselines: controls.baselines,
      logger: quietLogger(),
      maxChars: opts.maxChars,
    },
    { connection, prefix, concurrency: 2 },
  );
  await Promise.all([connected(redis), controls.jobs.ready()]);
  return {
    controls,
    prefix,
    async close() {
      await worker.close();
      await controls.close();
      connection.disconnect();
      redis.disconnect();
    },
  };
}
