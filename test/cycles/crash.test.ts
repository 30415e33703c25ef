// A worker SIGKILLed in the middle of a step is replaced; the job is handed on as stalled and
// the cycle continues from the journal: no finished step repeats and no step runs twice.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, expect, inject, it } from "vitest";
import { buildPlan } from "../../src/cycles/plan.ts";
import { APPROVER, FakeMicrok8s, fileConfig, HERE, type Stack, startStack, waitFor } from "./harness.ts";

const redisUrl = inject("redisUrl");
const children: ChildProcess[] = [];
let stack: Stack | undefined;
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
  children.length = 0;
  await stack?.close();
});

function startWorker(env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [resolve(HERE, "workerEntry.ts")], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  child.on("exit", (code, signal) => {
    if (code && code !== 0 && !signal) console.error(`worker exited ${code}: ${stderr}`);
  });
  children.push(child);
  return child;
}

it("a worker killed mid-step is replaced and the cycle finishes with every step run once", async () => {
  const file = fileConfig();
  const m = new FakeMicrok8s({
    addons: [
      { name: "hostpath-storage", status: "enabled", version: "1.0.0" },
      { name: "ingress", status: "enabled", version: "1.8.0", nextVersion: "1.11.2" },
      { name: "dns", status: "enabled", version: "1.10.1" },
    ],
    // Long enough that the orphaned CLI is still running when the second worker takes the step over.
    sleepMs: { "enable ingress": 6_000 },
  });
  stack = await startStack({ redisUrl, file, microk8s: m, withWorker: false });
  const posts = join(mkdtempSync(join(tmpdir(), "crash-posts-")), "posts.jsonl");
  const env = {
    ...m.env,
    REDIS_URL: redisUrl,
    PREFIX: stack.prefix,
    POSTS_FILE: posts,
    UPSHIFT_FILE_CONFIG: JSON.stringify({ approvals: { approvers: { slackUsers: [APPROVER] } } }),
  };
  const lines = () =>
    existsSync(posts)
      ? readFileSync(posts, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { pid: number; kind: string; text?: string })
      : [];

  const plan = await buildPlan({
    cluster: "sandbox",
    addons: [],
    requester: stack.requester,
    dryRun: false,
    file,
    drivers: stack.drivers("sandbox"),
  });
  const req = await stack.approvals.requestApproval(plan, stack.reply);
  const first = startWorker(env);
  await waitFor(() => lines().some((l) => l.kind === "ready" && l.pid === first.pid), "the first worker");
  expect(
    await stack.approvals.onReaction({
      platform: "slack",
      added: true,
      userId: APPROVER,
      emoji: "white_check_mark",
      channel: "C1",
      messageId: req.messageId,
    }),
  ).toBe("approved");

  // Kill the worker while `microk8s enable ingress` (step 2) is in progress.
  await waitFor(() => m.read().counts?.["enable ingress"] === 1, "enable ingress to start");
  first.kill("SIGKILL");
  await waitFor(() => first.signalCode === "SIGKILL", "the first worker to die");

  const second = startWorker(env);
  await waitFor(
    async () => (await stack!.approvals.plans.get(plan.id))?.state === "done",
    "the cycle to finish",
    60_000,
  );

  const counts = m.read().counts ?? {};
  for (const addon of ["dns", "ingress", "hostpath-storage"]) {
    expect(counts[`disable ${addon}`], `disable ${addon}`).toBe(1);
    expect(counts[`enable ${addon}`], `enable ${addon}`).toBe(1);
  }
  expect(m.read().addons.find((a) => a.name === "ingress")).toMatchObject({ status: "enabled", version: "1.11.2" });
  const texts = lines().filter((l) => l.kind === "thread");
  const takeover = texts.find((l) => l.text?.includes("taken over"));
  expect(takeover?.pid).toBe(second.pid);
  expect(takeover?.text).toMatch(/found ingress enabled: enable counts as done/);
  // Step 1 was finished by the first worker and not announced or run again by the second.
  expect(texts.filter((l) => l.text?.startsWith("✅ Step 1/3")).map((l) => l.pid)).toEqual([first.pid]);
  expect(texts.filter((l) => l.text?.startsWith("✅ Step 3/3")).map((l) => l.pid)).toEqual([second.pid]);
  expect(texts.some((l) => l.text?.startsWith("🏁 Cycle on sandbox finished: 3 of 3"))).toBe(true);
}, 120_000);
