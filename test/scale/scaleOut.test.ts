// Scale-out (issue 7): two bot and two worker processes against one Redis, one fake Slack and
// one sandbox cluster named by 50 kubeconfig contexts. 500 distinct /upgrade-check requests,
// alternating between the bots, each become exactly one thread; duplicates are answered
// "Already running" (or queued anew if the original had finished); one worker is SIGKILLed
// part-way and BullMQ's stalled-job recovery hands its running checks to the other worker,
// which continues in the same threads: no lost job, no duplicate root, no duplicate reply.
//
// KILL WINDOW (closed): a worker killed between a post and the write that records it used to
// leave a post its job did not know about, and the replacement posted it again (5 runs in 9).
// Every post now carries a key and an in-flight marker written before it, so the replacement
// finds the post in Slack by its metadata key instead (worker/checkProcessor.ts, postOnce). Any
// duplicate root or reply fails this test.

import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Job, Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CheckJobData } from "../../src/queue/jobs.ts";
import { QUEUES } from "../../src/queue/queues.ts";
import { freePort } from "../../src/redis/embeddedRedis.ts";
import { kubeconfigFor, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { type FakeMessage, FakeSlackApi, waitFor } from "../fakes/fakeSlackApi.ts";
import { type PostResult, postSigned, slashCommandBody } from "../fakes/slackSigning.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const SECRET = "5c2a9e1f0b7d4c3a8e6f1d2b9a0c7e4f";
const CONTEXTS = Array.from({ length: 50 }, (_, i) => `scale-${String(i).padStart(2, "0")}`);
const TARGETS = Array.from({ length: 10 }, (_, i) => `1.32.${i}`);
const IN_FLIGHT = 25;
const KILL_AFTER_DONE = 150;
/** "*Upgrade check:* scale-07 v1.31.4 → 1.32.3, requested by <@U0ALICE>: <state>" (no version while "checking…") */
const HEADLINE = /^\*Upgrade check:\* (\S+)(?: v\S+)? → (\S+), requested by <@U0ALICE>: (.*)$/s;
const VERDICT = /^\*(blocked|warnings|ready)\*/;

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
}

let sandbox: SandboxServer;
let fake: FakeSlackApi;
let connection: Redis;
let queue: Queue;
const procs: Proc[] = [];

function start(name: string, command: "bot" | "worker", env: Record<string, string>): Proc {
  // From the TypeScript sources (no build): bin/upshift.js runs them in a checkout.
  const child = spawn(process.execPath, [join(ROOT, "bin/upshift.js"), command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const proc: Proc = { name, child, log: "" };
  // Keep the tail only: 500 checks log a few thousand lines, enough to explain a failure.
  const append = (d: Buffer) => {
    proc.log = (proc.log + d).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  procs.push(proc);
  return proc;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function logs(): string {
  return procs
    .map((p) => `--- ${p.name} (exit ${p.child.exitCode ?? p.child.signalCode ?? "running"})\n${p.log}`)
    .join("\n");
}

async function ready(port: number, proc: Proc): Promise<void> {
  await waitFor(
    async () =>
      (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined))
        ?.status === 200,
    60_000,
    `${proc.name} ready\n${proc.log}`,
  );
}

/** Runs `task` over `items` with at most `limit` in flight, results in input order. */
async function pool<T, R>(items: T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}

interface Sent {
  context: string;
  target: string;
  ack: PostResult;
}

/**
 * Wall-clock time (ms) the fake received the chat.postMessage that created each message:
 * successful posts create messages in call order, so the two lists pair up one to one.
 */
function postTimes(): Map<FakeMessage, number> {
  const posts = fake.callsOf("chat.postMessage");
  const created = fake.messages.filter((m) => m.files.length === 0);
  if (posts.length !== created.length)
    throw new Error(`${posts.length} chat.postMessage calls but ${created.length} messages: a post failed`);
  return new Map(created.map((m, i) => [m, performance.timeOrigin + posts[i].at]));
}

/** The posts and edits of one thread, in ms relative to the worker kill: evidence for a failure. */
function timelineOf(root: FakeMessage, killedAt: number): string {
  const at = postTimes();
  const lines = [root, ...fake.replies(root.channel, root.ts)].map(
    (m) =>
      `  ${Math.round((at.get(m) ?? Number.NaN) - killedAt)} ms ${m.thread_ts ? "reply" : "root"}: ${m.history.map((t) => t.split("\n")[0].slice(0, 90)).join(" ⇒ ")}`,
  );
  return `posts relative to the SIGKILL:\n${lines.join("\n")}`;
}

function finalState(root: FakeMessage): string {
  return HEADLINE.exec(root.text)?.[3] ?? root.text;
}

function doneRoots(): number {
  return fake.messages.filter((m) => !m.thread_ts && VERDICT.test(finalState(m))).length;
}

beforeAll(async () => {
  sandbox = await startSandbox({ objects: plantedProblems(), serverVersion: "v1.31.4" });
  // Wall-clock ts, as Slack's: the takeover's search for a post is bounded by time.
  fake = await FakeSlackApi.start({ wallClockTs: true });
}, 60_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await queue?.close();
  connection?.disconnect();
  await sandbox?.close();
  await fake?.close();
});

describe("scale-out: 2 bots and 2 workers against one Redis", () => {
  it("handles 500 checks with no duplicate post and no lost job, across a worker SIGKILL", async () => {
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), "upshift-scale-"));
    const kubeconfig = join(dir, "config");
    // 50 contexts, one sandbox: enough distinct (cluster, target) pairs for 500 non-duplicate checks.
    writeFileSync(kubeconfig, kubeconfigFor(CONTEXTS.map((name) => ({ name, url: sandbox.url }))));
    const prefix = `scale-${randomBytes(4).toString("hex")}`;
    const env = {
      REDIS_URL: inject("redisUrl"),
      UPSHIFT_QUEUE_PREFIX: prefix,
      KUBECONFIG: kubeconfig,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.apiUrl,
      WORKER_CONCURRENCY: "8",
    };
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const bots = [
      start("bot-a", "bot", { ...env, PORT: String(ports[0]) }),
      start("bot-b", "bot", { ...env, PORT: String(ports[1]) }),
    ];
    const workers = [
      start("worker-a", "worker", { ...env, PORT: String(ports[2]) }),
      start("worker-b", "worker", { ...env, PORT: String(ports[3]) }),
    ];
    await Promise.all([...bots, ...workers].map((p, i) => ready(ports[i], p)));
    connection = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
    queue = new Queue(QUEUES.check.name, { connection, prefix });

    let n = 0;
    const send = async (context: string, target: string): Promise<Sent> => {
      const i = n++;
      const port = ports[i % 2];
      const body = slashCommandBody({
        command: "/upgrade-check",
        text: `${context} ${target}`,
        response_url: fake.responseUrl(`r${i}`),
      });
      const ack = await postSigned(`http://127.0.0.1:${port}/slack/events`, body, {
        signingSecret: SECRET,
        timeoutMs: 30_000,
      });
      return { context, target, ack };
    };

    // 500 distinct pairs, interleaved so consecutive requests hit different contexts.
    const pairs = TARGETS.flatMap((target) => CONTEXTS.map((context) => ({ context, target })));
    expect(pairs).toHaveLength(500);

    // Part-way through, SIGKILL one worker; its running checks must be taken over, not lost.
    const killed = (async () => {
      await waitFor(() => doneRoots() >= KILL_AFTER_DONE, 180_000, `${KILL_AFTER_DONE} checks done\n${logs()}`);
      const activeIds = new Set((await queue.getActive()).map((j) => j.id ?? ""));
      const wallAt = Date.now();
      workers[0].child.kill("SIGKILL");
      const exit = await exited(workers[0].child);
      return { activeIds, doneAtKill: doneRoots(), exit, wallAt };
    })();

    const sent = await pool(pairs, IN_FLIGHT, ({ context, target }) => send(context, target));
    for (const s of sent) {
      expect(s.ack.status, `${s.context} ${s.target}: ${s.ack.text}`).toBe(200);
      expect(s.ack.json).toMatchObject({ response_type: "ephemeral" });
      expect(s.ack.json?.text, `${s.context} ${s.target}`).toContain(
        `Queued upgrade check of ${s.context} → ${s.target}`,
      );
    }

    // Exact duplicates of the last requests sent (most still queued): each is either told the
    // check is already running, or, if the original just finished, queued as a new check.
    const duplicates = await pool(pairs.slice(-20), 10, ({ context, target }) => send(context, target));
    let alreadyRunning = 0;
    for (const d of duplicates) {
      expect(d.ack.status).toBe(200);
      const text = d.ack.json?.text ?? "";
      if (text.startsWith("Already running")) {
        alreadyRunning++;
        expect(text).toContain(`the check of ${d.context} → ${d.target}`);
      } else expect(text).toContain(`Queued upgrade check of ${d.context} → ${d.target}`);
    }
    const queuedAcks = [...sent, ...duplicates].filter((s) => s.ack.json?.text?.startsWith("Queued"));
    const queuedPerKey = new Map<string, number>();
    for (const q of queuedAcks)
      queuedPerKey.set(`${q.context} ${q.target}`, (queuedPerKey.get(`${q.context} ${q.target}`) ?? 0) + 1);

    const kill = await killed;
    expect(kill.exit.signal).toBe("SIGKILL");

    // Every queued check ends with its root edited to a verdict and its job completed. The
    // deadline covers the killed worker's lock (30 s) plus a stalled-check interval (15 s).
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts("completed", "waiting", "active", "delayed", "prioritized");
        return (
          doneRoots() >= queuedAcks.length &&
          counts.completed >= queuedAcks.length &&
          counts.waiting + counts.active + counts.delayed + counts.prioritized === 0
        );
      },
      180_000,
      `all ${queuedAcks.length} checks done (done roots: ${doneRoots()})\n${logs()}`,
    );
    // Posts that would follow a late duplicate (a second root or reply) get a moment to show.
    await new Promise((r) => setTimeout(r, 1_000));

    // Jobs are matched to their roots through the root id each job stored in its data (the
    // headline names the cluster and the target minor only: 1.32.3 is checked as 1.32).
    const jobs = (await queue.getCompleted(0, -1)) as Job<CheckJobData>[];
    expect(jobs).toHaveLength(queuedAcks.length);
    const jobsPerKey = new Map<string, number>();
    for (const j of jobs)
      jobsPerKey.set(
        `${j.data.cluster} ${j.data.target}`,
        (jobsPerKey.get(`${j.data.cluster} ${j.data.target}`) ?? 0) + 1,
      );
    expect(jobsPerKey).toEqual(queuedPerKey);
    const rootOf = new Map<Job<CheckJobData>, FakeMessage>();
    for (const j of jobs) {
      const root = fake.message(j.data.reply.channel, j.data.reply.rootMessage ?? "");
      expect(root, `root of job ${j.id}`).toBeDefined();
      expect(HEADLINE.exec(root?.history[0] ?? "")?.[1], `root of job ${j.id}`).toBe(j.data.cluster);
      rootOf.set(j, root as FakeMessage);
    }
    expect(new Set(rootOf.values()).size, "two jobs share a root").toBe(jobs.length);

    // Every root belongs to a job: a second root for a job is a duplicate post.
    const owned = new Set(rootOf.values());
    const strays = fake.roots().filter((r) => !owned.has(r));
    expect(
      strays.map((r) => `root ${r.ts} (${JSON.stringify(r.history)})\n${timelineOf(r, kill.wallAt)}`),
      "roots that belong to no job",
    ).toEqual([]);

    let reference: string[] | undefined;
    for (const [job, root] of rootOf) {
      // Every root ends on a verdict; the planted problems make it blocked (HELM-01 is a blocker).
      expect(finalState(root), root.text).toMatch(/^\*blocked\*/);
      const replies = fake.replies(root.channel, root.ts);
      const byText = new Map<string, FakeMessage[]>();
      for (const m of replies) {
        // Same post but for the cluster's name and the measured duration (a re-run measures anew).
        const text = m.text.replaceAll(job.data.cluster, "<cluster>").replace(/ in \d+\.\d s\./, " in <n> s.");
        const key = `${text}|${m.files.map((f) => f.name).join(",")}`;
        byText.set(key, [...(byText.get(key) ?? []), m]);
      }
      for (const [text, copies] of byText) {
        expect(
          copies.length,
          `duplicate reply in the thread of job ${job.id} (${job.data.cluster} ${job.data.target}, stalled ${job.stalledCounter}): ${text.split("\n")[0]}\n${timelineOf(root, kill.wallAt)}`,
        ).toBe(1);
      }
      // All threads carry the same report (but for the cluster's name): a lost post shows here.
      const distinct = [...byText.keys()];
      reference ??= distinct;
      expect(distinct, `thread of job ${job.id}`).toEqual(reference);
    }
    expect(reference?.join("\n")).toContain("HELM-01");
    expect(reference?.at(-1)).toMatch(/^Checked <cluster> \(v1\.31\.4 → 1\.32\)/);
    // Every reply sits in a job's thread.
    const threads = new Set([...owned].map((r) => `${r.channel} ${r.ts}`));
    expect(fake.messages.filter((m) => m.thread_ts && !threads.has(`${m.channel} ${m.thread_ts}`))).toEqual([]);
    // No command fell back to a late reply (an ack past Slack's deadline).
    expect(fake.responses).toEqual([]);

    // BullMQ agrees: every job completed, none failed or left behind.
    const counts = await queue.getJobCounts(
      "completed",
      "failed",
      "waiting",
      "active",
      "delayed",
      "prioritized",
      "waiting-children",
    );
    expect(counts).toEqual({
      completed: queuedAcks.length,
      failed: 0,
      waiting: 0,
      active: 0,
      delayed: 0,
      prioritized: 0,
      "waiting-children": 0,
    });
    // The kill interrupted running checks, and stalled-job recovery finished them elsewhere.
    const recovered = jobs.filter((j) => j.stalledCounter > 0);
    expect(kill.activeIds.size).toBeGreaterThan(0);
    expect(recovered.length, `active at kill: ${kill.activeIds.size}`).toBeGreaterThan(0);

    // The survivors stop cleanly.
    for (const p of [...bots, workers[1]]) p.child.kill("SIGTERM");
    for (const p of [...bots, workers[1]]) expect((await exited(p.child)).code, `${p.name}\n${p.log}`).toBe(0);

    console.info(
      `scale-out: ${queuedAcks.length} checks (${alreadyRunning} of ${duplicates.length} duplicates already running), ` +
        `worker killed with ${kill.activeIds.size} active after ${kill.doneAtKill} done, ${recovered.length} recovered, ` +
        `${fake.callsOf("conversations.history").length + fake.callsOf("conversations.replies").length} look-ups of an in-flight post by taken-over jobs, no duplicate, ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 420_000);
});
