// The post-then-record window, reproduced on purpose: a check worker (its own process, the real
// SlackPoster or DiscordPoster) is SIGKILLed the moment the fake platform has stored a post and
// before the answer is sent, so the post exists and the job's data in Redis does not say so.
// A second worker takes the stalled job over and must finish it with every post exactly once:
// on Slack by finding the post through its metadata key, on Discord through the nonce.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import type { CheckJobData } from "../../src/queue/jobs.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import type { CheckJobProgress } from "../../worker/checkProcessor.ts";
import { FakeDiscord, shownText } from "../fakes/fakeDiscord.ts";
import { FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const ENTRY = new URL("./checkWorkerEntry.ts", import.meta.url).pathname;
const SLACK_CHANNEL = "C0UPGRADES";

let sandbox: SandboxServer;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
}, 30_000);
afterAll(async () => {
  await sandbox?.close();
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Worker {
  child: ChildProcess;
  stderr: () => string;
}

async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, [ENTRY], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr?.on("data", (d) => {
    stderr = (stderr + String(d)).slice(-10_000);
  });
  await waitFor(() => stdout.includes("ready\n") || child.exitCode !== null, 30_000, `worker ready\n${stderr}`);
  if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
  return { child, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
}

function setupQueue() {
  const prefix = `pc-${randomBytes(4).toString("hex")}`;
  const producer = new Redis(inject("redisUrl"));
  const queues = new JobSubmitter(producer, prefix, { backoffDelayMs: 50 });
  cleanups.push(
    () => queues.close(),
    () => producer.quit(),
  );
  return { prefix, queues };
}

const request = (reply: CheckJobData["reply"]): CheckJobData => ({
  kind: "check",
  cluster: "prod",
  target: "1.32",
  requester: { platform: reply.platform, userId: "U0ALICE", name: "alice" },
  reply,
  requestedAt: new Date().toISOString(),
});

/** Waits for the job to complete and reads it then (stalled counter, final data). */
async function completed(queues: JobSubmitter, jobId: string, worker: Worker) {
  await waitFor(
    async () => (await queues.check.getJobState(jobId)) === "completed",
    30_000,
    `job ${jobId} completed\n${worker.stderr()}`,
  );
  const job = await queues.check.getJob(jobId);
  return job as NonNullable<typeof job> & { data: CheckJobProgress };
}

/** A reply's text as each attempt writes it: a re-run measures its own duration. */
const normalized = (text: string) => text.replace(/ in \d+(\.\d+)? s\./, " in <n> s.");

describe("Slack: a worker killed right after a post", () => {
  let fake: FakeSlackApi;
  beforeAll(async () => {
    fake = await FakeSlackApi.start({ wallClockTs: true });
  });
  afterAll(async () => {
    await fake?.close();
  });
  afterEach(() => {
    fake.onAnswer = undefined;
  });

  const env = (prefix: string) => ({
    PLATFORM: "slack",
    REDIS_URL: inject("redisUrl"),
    PREFIX: prefix,
    KUBECONFIG_YAML: sandbox.kubeconfig("prod"),
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
  });

  /** Runs a check, SIGKILLs the first worker when `killAt` matches a stored post, lets a second finish. */
  async function crashAt(killAt: (body: Record<string, unknown>, nth: number) => boolean) {
    const { prefix, queues } = setupQueue();
    const first = await startWorker(env(prefix));
    let nth = 0;
    let killedAfter: Record<string, unknown> | undefined;
    fake.onAnswer = (method, body, answer) => {
      if (method !== "chat.postMessage" || answer.ok !== true || killedAfter) return;
      if (!killAt(body, nth++)) return;
      // Before the answer leaves the fake: the post is stored, the worker never learns its ts.
      first.child.kill("SIGKILL");
      killedAfter = answer;
    };
    const channel = `${SLACK_CHANNEL}${randomBytes(2).toString("hex").toUpperCase()}`;
    const enq = await queues.enqueueCheck(request({ platform: "slack", channel }));
    expect(enq.status).toBe("queued");
    expect(await exited(first.child)).toBe("SIGKILL");
    expect(killedAfter, "the kill hook fired").toBeDefined();
    const second = await startWorker(env(prefix));
    const job = await completed(queues, enq.jobId, second);
    return { job, channel, killedTs: killedAfter?.ts as string };
  }

  function expectEveryPostOnce(job: CheckJobProgress & object, channel: string) {
    const roots = fake.roots(channel);
    expect(roots).toHaveLength(1);
    const root = roots[0];
    expect(job.reply.rootMessage).toBe(root.ts);
    expect(root.metadata).toEqual({
      event_type: "upshift_post",
      event_payload: { key: expect.stringMatching(/:root$/) },
    });
    expect(root.text).toMatch(/: \*blocked\* \(1 blocker, 1 high\)$/);
    const replies = fake.replies(channel, root.ts);
    const texts = replies.map((r) => normalized(r.text));
    expect(new Set(texts).size, texts.join("\n---\n")).toBe(texts.length);
    expect(replies).toHaveLength(job.posted ?? -1);
    expect(replies.map((r) => String(r.metadata?.event_payload.key).split(":").at(-1))).toEqual(
      replies.map((_, i) => String(i)),
    );
    expect(texts.join("\n")).toContain("HELM-01");
    expect(texts.at(-1)).toMatch(/^Checked prod \(v1\.31\.4 → 1\.32\)/);
    expect(job.inFlight).toBeUndefined();
  }

  it("after the root: the next worker finds the root by its key and posts no second one", async () => {
    const historyBefore = fake.callsOf("conversations.history").length;
    const { job, channel, killedTs } = await crashAt((body) => body.thread_ts === undefined);
    expect(job.stalledCounter).toBeGreaterThan(0);
    expectEveryPostOnce(job.data, channel);
    // The root the killed worker posted (and never recorded) is the one the job adopted.
    expect(job.data.reply.rootMessage).toBe(killedTs);
    const lookups = fake.callsOf("conversations.history").slice(historyBefore);
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups[0].body).toMatchObject({ channel, include_all_metadata: "true" });
    expect(lookups[0].body.oldest).toMatch(/^\d+\.\d{6}$/);
  }, 60_000);

  it("after the second reply: the next worker finds that reply and continues with the third", async () => {
    const repliesBefore = fake.callsOf("conversations.replies").length;
    const { job, channel, killedTs } = await crashAt(
      (body) =>
        body.thread_ts !== undefined && body.metadata !== undefined && String(body.metadata).includes(":reply:1"),
    );
    expect(job.stalledCounter).toBeGreaterThan(0);
    expect(job.data.posted).toBeGreaterThanOrEqual(3);
    expectEveryPostOnce(job.data, channel);
    const root = fake.roots(channel)[0];
    expect(fake.replies(channel, root.ts)[1].ts).toBe(killedTs);
    const lookups = fake.callsOf("conversations.replies").slice(repliesBefore);
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups[0].body).toMatchObject({ channel, ts: root.ts, include_all_metadata: "true" });
  }, 60_000);
});

describe("Discord: a worker killed right after a post", () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(async () => {
    await fake?.close();
  });

  const env = (prefix: string) => ({
    PLATFORM: "discord",
    REDIS_URL: inject("redisUrl"),
    PREFIX: prefix,
    KUBECONFIG_YAML: sandbox.kubeconfig("prod"),
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.url,
  });

  async function crashAt(
    killAt: (c: { method: string; path: string; body: { nonce?: string } }, nth: number) => boolean,
  ) {
    const { prefix, queues } = setupQueue();
    const channel = fake.channelId;
    const first = await startWorker(env(prefix));
    const callsBefore = fake.calls.length;
    let nth = 0;
    let killed = false;
    // "call" is emitted after the fake stored the effect and before it writes the answer.
    const onCall = (c: { method: string; path: string; status: number; body: { nonce?: string } }) => {
      if (killed || c.status >= 300 || !killAt(c, nth++)) return;
      first.child.kill("SIGKILL");
      killed = true;
    };
    fake.on("call", onCall);
    cleanups.push(async () => fake.off("call", onCall));
    const enq = await queues.enqueueCheck(request({ platform: "discord", channel, guild: fake.guildId }));
    expect(enq.status).toBe("queued");
    expect(await exited(first.child)).toBe("SIGKILL");
    expect(killed, "the kill hook fired").toBe(true);
    const second = await startWorker(env(prefix));
    const job = await completed(queues, enq.jobId, second);
    return { job, channel, calls: fake.calls.slice(callsBefore) };
  }

  function expectEveryPostOnce(job: CheckJobProgress & object, rootsBefore: number) {
    const roots = fake.messagesIn(fake.channelId);
    expect(roots).toHaveLength(rootsBefore + 1);
    const root = roots.at(-1)!;
    expect(job.reply.rootMessage).toBe(root.id);
    expect(job.reply.thread).toBe(root.id);
    expect([...fake.threads.values()].filter((t) => t.message_id === root.id)).toHaveLength(1);
    expect(shownText(root)).toContain(": blocked (1 blocker, 1 high)");
    const replies = fake.messagesIn(root.id);
    const texts = replies.map((r) => normalized(shownText(r)));
    expect(new Set(texts).size, texts.join("\n---\n")).toBe(texts.length);
    expect(new Set(replies.map((r) => r.nonce)).size).toBe(replies.length);
    expect(texts.join("\n")).toContain("HELM-01");
    expect(texts.at(-1)).toMatch(/^Checked prod \(v1\.31\.4 → 1\.32\)/);
    expect(job.inFlight).toBeUndefined();
  }

  it("after the root's thread was started: the re-sent root comes back from its nonce and the thread is kept", async () => {
    const rootsBefore = fake.messagesIn(fake.channelId).length;
    const { job, calls } = await crashAt(
      (c) => c.method === "POST" && /^\/channels\/\d+\/messages\/\d+\/threads$/.test(c.path),
    );
    expect(job.stalledCounter).toBeGreaterThan(0);
    expectEveryPostOnce(job.data, rootsBefore);
    // Two creates with the same nonce made one message; the second thread start was refused.
    const rootPosts = calls.filter((c) => c.method === "POST" && c.path === `/channels/${fake.channelId}/messages`);
    expect(rootPosts).toHaveLength(2);
    expect(rootPosts[0].body.nonce).toHaveLength(25);
    expect(rootPosts[1].body).toMatchObject({ nonce: rootPosts[0].body.nonce, enforce_nonce: true });
    // The second start has a valid name, so its 400 is 160004 (a thread exists): the poster took it as the thread.
    const threadStarts = calls.filter((c) => c.method === "POST" && c.path.endsWith("/threads"));
    expect(threadStarts.map((c) => c.status)).toEqual([201, 400]);
    expect(threadStarts[1].body.name).toBe(threadStarts[0].body.name);
  }, 60_000);

  it("after the second reply: the re-sent reply comes back from its nonce and is not posted twice", async () => {
    const rootsBefore = fake.messagesIn(fake.channelId).length;
    const { job, calls } = await crashAt(
      (c, _n) =>
        c.method === "POST" &&
        /^\/channels\/\d+\/messages$/.test(c.path) &&
        c.path !== `/channels/${fake.channelId}/messages` &&
        replyIndex(c.path) === 1,
    );
    expect(job.stalledCounter).toBeGreaterThan(0);
    expectEveryPostOnce(job.data, rootsBefore);
    // The reply at the kill was sent twice with one nonce and exists once.
    const threadPosts = calls.filter(
      (c) => c.method === "POST" && c.path === `/channels/${job.data.reply.thread}/messages`,
    );
    const nonces = threadPosts.map((c) => c.body.nonce as string);
    expect(nonces[1]).toBe(nonces[2]);
    expect(new Set(nonces).size).toBe(nonces.length - 1);
    expect(fake.messagesIn(job.data.reply.thread!)).toHaveLength(nonces.length - 1);
  }, 60_000);

  /** How many messages the thread held before this call (0 for the first reply). */
  function replyIndex(path: string): number {
    const thread = path.split("/")[2];
    return fake.messagesIn(thread).length - 1;
  }
});
