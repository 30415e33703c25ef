// Shared pieces of the cycle and approval tests: a recording ChatPoster (the only fake: it stands
// in for the chat platform), a fake-microk8s state file, and the real stack (Redis, BullMQ
// worker, ApprovalEngine, CycleControl, drivers against the sandbox API server).
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { pino } from "pino";
import { platformTraits } from "../../adapters/platformTraits.ts";
import { ApprovalEngine } from "../../src/approvals/approvalEngine.ts";
import type { GroupMembersLookup } from "../../src/chat/groupMembership.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type {
  ChatMessage,
  ChatPoster,
  Platform,
  PlatformTraits,
  PostedMessage,
  ReplyAddress,
} from "../../src/chat/types.ts";
import { type FileConfig, fileConfigSchema } from "../../src/config/schema.ts";
import { CycleControl } from "../../src/cycles/cycleControl.ts";
import { ManifestsDriver } from "../../src/cycles/drivers/manifestsDriver.ts";
import { Microk8sDriver } from "../../src/cycles/drivers/microk8sDriver.ts";
import type { DriverSet } from "../../src/cycles/types.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { startCycleWorker } from "../../worker/cycleWorker.ts";

export const HERE = dirname(fileURLToPath(import.meta.url));
export const FAKES = resolve(HERE, "../fakes");
export const FIXTURES = resolve(HERE, "../fixtures/addons");

export interface Recorded {
  kind: "root" | "thread" | "update" | "react";
  channel: string;
  thread?: string;
  id: string;
  text: string;
  file?: { name: string; content: string };
}

export class RecordingPoster implements ChatPoster {
  readonly platform: Platform;
  /** The real platform's traits: the recording stands in for its API only. */
  readonly traits: PlatformTraits;
  readonly log: Recorded[] = [];
  private next = 1;

  constructor(platform: Platform = "slack") {
    this.platform = platform;
    this.traits = platformTraits.traits(platform);
  }

  async postRoot(channel: string, message: ChatMessage): Promise<PostedMessage> {
    const id = `${this.next++}.000`;
    this.log.push({ kind: "root", channel, id, text: message.text, file: message.file });
    return { id, thread: this.platform === "discord" ? `thread-${id}` : id };
  }

  async postInThread(address: { channel: string; thread: string }, message: ChatMessage): Promise<string> {
    const id = `${this.next++}.000`;
    this.log.push({
      kind: "thread",
      channel: address.channel,
      thread: address.thread,
      id,
      text: message.text,
      file: message.file,
    });
    return id;
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    this.log.push({ kind: "update", channel, id: messageId, text: message.text });
  }

  async react(channel: string, messageId: string, emoji: string): Promise<void> {
    this.log.push({ kind: "react", channel, id: messageId, text: emoji });
  }

  thread(): Recorded[] {
    return this.log.filter((m) => m.kind === "thread");
  }

  texts(): string[] {
    return this.thread().map((m) => m.text);
  }

  /** Posts (roots and thread replies) whose text matches; edits of earlier posts do not count. */
  count(re: RegExp): number {
    return this.log.filter((m) => (m.kind === "root" || m.kind === "thread") && re.test(m.text)).length;
  }
}

export interface FakeAddon {
  name: string;
  status: "enabled" | "disabled";
  version?: string;
  nextVersion?: string;
  repository?: string;
}

export interface FakeMicrok8sState {
  running?: boolean;
  addons: FakeAddon[];
  failEnable?: string[];
  sleepMs?: Record<string, number>;
  calls?: Array<{ args: string[]; at: string; pid: number }>;
  counts?: Record<string, number>;
}

export class FakeMicrok8s {
  readonly path: string;
  readonly env: NodeJS.ProcessEnv;

  constructor(state: FakeMicrok8sState) {
    const dir = mkdtempSync(join(tmpdir(), "fake-microk8s-"));
    this.path = join(dir, "state.json");
    writeFileSync(this.path, JSON.stringify(state, null, 2));
    this.env = { ...process.env, FAKE_MICROK8S_STATE: this.path, PATH: `${FAKES}:${process.env.PATH}` };
  }

  read(): FakeMicrok8sState {
    return JSON.parse(readFileSync(this.path, "utf8")) as FakeMicrok8sState;
  }

  update(fn: (s: FakeMicrok8sState) => void): void {
    const s = this.read();
    fn(s);
    writeFileSync(this.path, JSON.stringify(s, null, 2));
  }

  /** Mutating calls in order, e.g. ["disable dns", "addons repo update core", "enable dns"]. */
  mutations(): string[] {
    return (this.read().calls ?? []).map((c) => c.args.join(" ")).filter((c) => !c.startsWith("status"));
  }
}

export const APPROVER = "UAPPROVER1";
export const APPROVER2 = "UAPPROVER2";
export const REQUESTER = "UREQUESTER";
export const STRANGER = "USTRANGER";

export function fileConfig(raw: Record<string, unknown> = {}): FileConfig {
  return fileConfigSchema.parse({
    approvals: { approvers: { slackUsers: [APPROVER, APPROVER2, REQUESTER] }, ...((raw.approvals as object) ?? {}) },
    ...Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "approvals")),
  });
}

export function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolvePromise, reject) => {
    const tick = async () => {
      try {
        const v = await fn();
        if (v) return resolvePromise(v as NonNullable<T>);
      } catch {
        // keep polling until the deadline
      }
      if (Date.now() > until) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 50);
    };
    void tick();
  });
}

export const silent = pino({ level: "silent" });

export interface StackOptions {
  redisUrl: string;
  file: FileConfig;
  microk8s?: FakeMicrok8s;
  kubeconfig?: string;
  cluster?: string;
  withWorker?: boolean;
  groupMembers?: GroupMembersLookup;
  now?: () => number;
  leaseMs?: number;
  /** Passed to the cycle worker: queues a verify when a cycle ends. */
  verifyAfter?: (cluster: string, reply: ReplyAddress) => Promise<void>;
}

/** The real stack with one recording poster. Close it with stack.close(). */
export async function startStack(opts: StackOptions) {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const cluster = opts.cluster ?? "sandbox";
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const poster = new RecordingPoster("slack");
  const discord = new RecordingPoster("discord");
  const posters = new PosterRegistry([poster, discord]);
  const control = new CycleControl(redis, prefix, { platforms: platformTraits });
  const approvals = new ApprovalEngine({
    redis,
    prefix,
    posters,
    file: opts.file,
    onApproved: (run) => control.enqueueRun(run),
    groupMembers: opts.groupMembers,
    now: opts.now,
    logger: silent,
  });
  control.setNotifier((planId, text, state) => approvals.note(planId, text, state));
  const directory = opts.kubeconfig ? ClusterDirectory.fromString(opts.kubeconfig) : undefined;
  const drivers = (name: string): DriverSet => {
    if (name !== cluster) throw new Error(`unknown cluster context "${name}"`);
    const client = directory?.client(name);
    return {
      ...(opts.microk8s
        ? {
            microk8s: new Microk8sDriver({
              env: opts.microk8s.env,
              timeoutMs: 20_000,
              client,
              verifyDeadlineMs: 5_000,
            }),
          }
        : {}),
      ...(directory && client
        ? {
            manifests: new ManifestsDriver({
              kc: directory.kubeConfig(name),
              client,
              addons: opts.file.addons,
              baseDir: FIXTURES,
              rolloutDeadlineMs: 3_000,
              pollMs: 50,
            }),
          }
        : {}),
    };
  };
  const backupDir = mkdtempSync(join(tmpdir(), "cycle-backups-"));
  const workerConn = opts.withWorker === false ? undefined : new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const worker = workerConn
    ? startCycleWorker(
        {
          redis,
          prefix,
          posters,
          file: opts.file,
          approvals,
          drivers,
          backupDir,
          // Production-like lease and lock: nothing here tests takeover (crash.test.ts runs its own
          // short-lived workers), and short ones turn a busy CI machine's pauses into false stalls.
          leaseMs: opts.leaseMs ?? 15_000,
          lockTtlMs: 10_000,
          logger: silent,
          verifyAfter: opts.verifyAfter,
        },
        { connection: workerConn, prefix, concurrency: 1, lockDurationMs: 30_000, stalledIntervalMs: 15_000 },
      )
    : undefined;
  return {
    prefix,
    cluster,
    redis,
    poster,
    discord,
    posters,
    control,
    approvals,
    drivers,
    backupDir,
    worker,
    reply: { platform: "slack" as const, channel: "C1", thread: "100.000", rootMessage: "100.000" },
    requester: { platform: "slack" as const, userId: REQUESTER },
    async close() {
      await worker?.close();
      await control.close();
      workerConn?.disconnect();
      redis.disconnect();
    },
  };
}
export type Stack = Awaited<ReturnType<typeof startStack>>;
