// Cycles end to end below the chat adapters: command → plan job → plan posted → reaction →
// run job → steps through the real drivers (fake microk8s CLI, sandbox API server) → thread.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { parseCycleArgs, upgradeCycleCommand } from "../../commands/upgradeCycle.ts";
import { upgradeCycleAbortCommand } from "../../commands/upgradeCycleAbort.ts";
import { upgradeCycleStatusCommand } from "../../commands/upgradeCycleStatus.ts";
import { plainUserText } from "../../src/chat/userText.ts";
import { ClusterLock } from "../../src/cycles/clusterLock.ts";
import { StepJournalStore } from "../../src/cycles/stepJournal.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { cycleKeys } from "../../src/redis/keys.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import {
  APPROVER,
  FakeMicrok8s,
  type FakeMicrok8sState,
  FIXTURES,
  fileConfig,
  REQUESTER,
  type Stack,
  startStack,
  waitFor,
} from "./harness.ts";

const redisUrl = inject("redisUrl");
let stack: Stack | undefined;
let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await stack?.close();
  await sandbox?.close();
  stack = undefined;
  sandbox = undefined;
});

const ADDONS: FakeMicrok8sState["addons"] = [
  { name: "hostpath-storage", status: "enabled", version: "1.0.0", nextVersion: "1.1.0" },
  { name: "ingress", status: "enabled", version: "1.8.0", nextVersion: "1.11.2" },
  { name: "dns", status: "enabled", version: "1.10.1", nextVersion: "1.11.3" },
];

function commands(s: Stack) {
  const deps = { clusters: { names: () => [s.cluster], defaultName: () => s.cluster }, cycles: s.control };
  return {
    cycle: upgradeCycleCommand(deps),
    status: upgradeCycleStatusCommand(deps),
    abort: upgradeCycleAbortCommand(deps),
  };
}

const inv = (name: string, text: string) => ({
  platform: "slack" as const,
  name,
  text,
  requester: { platform: "slack" as const, userId: REQUESTER },
  channel: "C1",
});

/** Runs /upgrade-cycle, waits for the approval request, returns its message id and plan id. */
async function requestPlan(s: Stack, text: string) {
  const reply = await commands(s).cycle.handle(inv("upgrade-cycle", text));
  expect(reply.refused).toBe(false);
  const msg = await waitFor(() => s.poster.thread().find((m) => m.text.includes("React ✅")), "the approval request");
  // Seeding ✅/❌ is the last thing a request does: the plan is pending and its root says so by then.
  await waitFor(
    () => s.poster.log.filter((e) => e.kind === "react" && e.id === msg.id).length === 2,
    "the seeded reactions",
  );
  const planId = (await s.redis.get(cycleKeys(s.prefix).message("slack", msg.channel, msg.id)))!;
  return { messageId: msg.id, planId, channel: msg.channel };
}

const approve = (s: Stack, messageId: string, channel = "C1") =>
  s.approvals.onReaction({
    platform: "slack",
    added: true,
    userId: APPROVER,
    emoji: "white_check_mark",
    channel,
    messageId,
  });

async function sandboxWithV1() {
  return startSandbox({ fixture: resolve(FIXTURES, "demo-ingress/v1"), rolloutDelayMs: 30 });
}

async function get(s: SandboxServer, path: string): Promise<KubeObject | undefined> {
  const r = await fetch(`${s.url}${path}`, { headers: { authorization: "Bearer sandbox-token" } });
  return r.status === 200 ? ((await r.json()) as KubeObject) : undefined;
}

describe("add-on cycles", () => {
  it("parses /upgrade-cycle arguments", () => {
    expect(parseCycleArgs("prod dns ingress --dry-run", ["prod"])).toEqual({
      ok: true,
      value: { cluster: "prod", addons: ["dns", "ingress"], dryRun: true },
    });
    expect(parseCycleArgs("all", ["prod"])).toEqual({ ok: true, value: { addons: [], dryRun: false } });
    const bad = parseCycleArgs("dns --force", ["prod"]);
    expect(bad.ok).toBe(false);
    // The echoed word is marked as user text (each platform escapes it); the message reads the same.
    if (!bad.ok) expect(plainUserText(bad.error)).toBe('unknown option "--force" (expected --dry-run)');
    expect(parseCycleArgs("all dns", ["prod"])).toMatchObject({ ok: false });
  });

  it("runs an approved microk8s cycle in order, each step backup → disable → enable → verify, once", async () => {
    sandbox = await sandboxWithV1();
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m, kubeconfig: sandbox.kubeconfig("sandbox") });
    const { messageId, planId } = await requestPlan(stack, "sandbox");
    expect(m.mutations()).toEqual([]);
    expect(await approve(stack, messageId)).toBe("approved");
    await waitFor(() => stack!.poster.texts().some((t) => t.includes("🏁")), "the cycle to finish");

    expect(m.mutations()).toEqual([
      "disable dns",
      "addons repo update core",
      "enable dns",
      "disable ingress",
      "addons repo update core",
      "enable ingress",
      "disable hostpath-storage",
      "addons repo update core",
      "enable hostpath-storage",
    ]);
    expect(m.read().addons.map((a) => `${a.name}@${a.version}:${a.status}`)).toEqual([
      "hostpath-storage@1.1.0:enabled",
      "ingress@1.11.2:enabled",
      "dns@1.11.3:enabled",
    ]);
    const journal = await new StepJournalStore(stack.redis, cycleKeys(stack.prefix).journal(planId)).all(3);
    for (const j of journal) {
      expect(
        j.state,
        `journal of plan ${planId}: ${JSON.stringify(journal)}; posts: ${JSON.stringify(stack.poster.texts())}`,
      ).toBe("done");
      expect(j.phasesDone).toEqual(["backup", "disable", "enable", "verify"]);
      expect(j.attempts).toEqual({ backup: 1, disable: 1, enable: 1, verify: 1 });
      expect(existsSync(j.backupFile!)).toBe(true);
      expect(JSON.parse((await stack.redis.get(j.backupKey!))!)).toMatchObject({
        driver: "microk8s",
        config: { status: "enabled" },
      });
    }
    const done = stack.poster.thread().filter((m) => m.text.startsWith("✅ Step"));
    expect(done.map((d) => d.text.match(/\*([a-z-]+)\*/)?.[1])).toEqual(["dns", "ingress", "hostpath-storage"]);
    expect(done[0].text).toMatch(/1\.10\.1 → current/);
    expect(done[0].text).toContain("microk8s enable dns");
    expect(done[0].file?.name).toBe("backup-sandbox-dns.json");
    expect((await stack.approvals.plans.get(planId))?.state).toBe("done");
    const actions = (await stack.approvals.audit.entries()).map((e) => e.action);
    expect(actions).toEqual(["requested", "approve", "approved", "started", "finished"]);
    const status = await commands(stack).status.handle(inv("upgrade-cycle-status", ""));
    expect(status.text).toMatch(/: done\.\n1\. dns: done\n2\. ingress: done\n3\. hostpath-storage: done/);
  });

  it("a failing enable stops the cycle, alerts the channel and offers a rollback that needs approval", async () => {
    sandbox = await sandboxWithV1();
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS), failEnable: ["ingress"] });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m, kubeconfig: sandbox.kubeconfig("sandbox") });
    const { messageId, planId } = await requestPlan(stack, "sandbox");
    await approve(stack, messageId);
    const rollbackAsk = await waitFor(
      () =>
        stack!.poster.thread().find((t) => t.text.includes("Rollback plan for sandbox") && t.text.includes("React ✅")),
      "the rollback offer",
    );

    expect(m.mutations()).toEqual([
      "disable dns",
      "addons repo update core",
      "enable dns",
      "disable ingress",
      "addons repo update core",
      "enable ingress",
    ]);
    const alert = stack.poster.log.find((e) => e.kind === "root" && e.text.startsWith("🚨"));
    expect(alert?.text).toMatch(/failed at step 2 \(ingress\): microk8s enable ingress failed \(exit 1\)/);
    expect(stack.poster.texts().find((t) => t.startsWith("❌ Step 2/3"))).toContain(
      "failed to apply ingress manifests",
    );
    expect((await stack.approvals.plans.get(planId))?.state).toBe("failed");
    // The rollback restores the started steps, last first.
    expect(rollbackAsk.text.indexOf("*ingress*")).toBeLessThan(rollbackAsk.text.indexOf("*dns*"));
    expect(rollbackAsk.text).not.toContain("hostpath-storage");

    m.update((s) => {
      s.failEnable = [];
    });
    expect(await approve(stack, rollbackAsk.id)).toBe("approved");
    await waitFor(() => stack!.poster.texts().some((t) => t.startsWith("🏁 Rollback")), "the rollback to finish");
    expect(m.read().addons.find((a) => a.name === "ingress")?.status).toBe("enabled");
  });

  it("manifests driver: server-side-applies the new version, keeps PVCs and Secrets, waits for the rollout", async () => {
    sandbox = await sandboxWithV1();
    const pvcBefore = await get(sandbox, "/api/v1/namespaces/demo-ingress/persistentvolumeclaims/demo-ingress-cache");
    const file = fileConfig({
      addons: [
        {
          name: "demo-ingress",
          driver: "manifests",
          manifests: "demo-ingress/v2",
          namespace: "demo-ingress",
          version: "1.11.2",
          category: "ingress",
        },
      ],
    });
    stack = await startStack({ redisUrl, file, kubeconfig: sandbox.kubeconfig("sandbox") });
    const { messageId, planId } = await requestPlan(stack, "demo-ingress");
    await approve(stack, messageId);
    await waitFor(() => stack!.poster.texts().some((t) => t.includes("🏁")), "the cycle to finish");

    const dep = await get(sandbox, "/apis/apps/v1/namespaces/demo-ingress/deployments/demo-ingress-controller");
    expect(dep?.metadata?.labels?.["app.kubernetes.io/version"]).toBe("1.11.2");
    expect(dep?.spec).toMatchObject({ replicas: 2 });
    expect(dep?.status).toMatchObject({ availableReplicas: 2 });
    // Applied by server-side apply (PATCH, which the sandbox refuses without a fieldManager), not by create.
    const writes = sandbox.requests.filter(
      (r) => r.resource === "deployments" && r.name === "demo-ingress-controller" && r.method !== "GET",
    );
    expect(writes.map((r) => r.method)).toEqual(["DELETE", "PATCH"]);
    const pvcAfter = await get(sandbox, "/api/v1/namespaces/demo-ingress/persistentvolumeclaims/demo-ingress-cache");
    expect(pvcAfter?.metadata?.uid).toBe(pvcBefore?.metadata?.uid);
    const cm = await get(sandbox, "/api/v1/namespaces/demo-ingress/configmaps/demo-ingress-config");
    expect(cm?.data).toEqual({ "worker-processes": "4" });
    const [j] = await new StepJournalStore(stack.redis, cycleKeys(stack.prefix).journal(planId)).all(1);
    const disable = j.outputs.find((o) => o.action.startsWith("delete"))!.output;
    expect(disable).toContain("deleted Deployment/demo-ingress-controller");
    expect(disable).toContain("kept PersistentVolumeClaim/demo-ingress-cache");
    expect(disable).toContain("kept Secret/demo-ingress-tls");
    const backup = JSON.parse((await stack.redis.get(j.backupKey!))!) as { objects: KubeObject[] };
    expect(backup.objects.find((o) => o.kind === "Deployment")?.metadata?.labels?.["app.kubernetes.io/version"]).toBe(
      "1.8.0",
    );
  });

  it("manifests driver: a Deployment that never becomes available fails the step with the rollout reason", async () => {
    sandbox = await sandboxWithV1();
    const file = fileConfig({
      addons: [
        {
          name: "demo-ingress",
          driver: "manifests",
          manifests: "demo-ingress/broken",
          namespace: "demo-ingress",
          version: "1.11.2",
          category: "ingress",
        },
      ],
    });
    stack = await startStack({ redisUrl, file, kubeconfig: sandbox.kubeconfig("sandbox") });
    const { messageId } = await requestPlan(stack, "demo-ingress");
    await approve(stack, messageId);
    const offer = await waitFor(
      () => stack!.poster.thread().find((t) => t.text.includes("Rollback plan") && t.text.includes("React ✅")),
      "the rollback offer",
    );
    const alert = stack.poster.log.find((e) => e.kind === "root" && e.text.startsWith("🚨"));
    expect(alert?.text).toMatch(
      /demo-ingress did not roll out: Deployment\/demo-ingress-controller: ProgressDeadlineExceeded/,
    );
    expect(offer.text).toContain("*demo-ingress*");
  });

  it("an approval does not cover a cluster that changed since the plan: the run re-plans and asks again", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId, planId } = await requestPlan(stack, "dns");
    m.update((s) => {
      s.addons.find((a) => a.name === "dns")!.version = "1.11.0";
    });
    await approve(stack, messageId);
    await waitFor(
      () => stack!.poster.texts().some((t) => t.includes("The approval does not carry over")),
      "the re-plan",
    );
    const asks = await waitFor(() => {
      const a = stack!.poster.thread().filter((t) => t.text.includes("React ✅"));
      return a.length === 2 ? a : undefined;
    }, "the second approval request");
    expect(asks[1].text).toMatch(/\*dns\* \(dns, microk8s\) 1\.11\.0/);
    expect((await stack.approvals.plans.get(planId))?.state).toBe("superseded");
    expect(m.mutations()).toEqual([]);
  });

  it("abort stops before the next step; the running step finishes", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS), sleepMs: { "enable dns": 1_000 } });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId } = await requestPlan(stack, "dns ingress");
    await approve(stack, messageId);
    await waitFor(() => m.mutations().includes("enable dns"), "enable dns to start");
    const r = await commands(stack).abort.handle(inv("upgrade-cycle-abort", "sandbox"));
    expect(r.text).toMatch(/stops before its next step/);
    await waitFor(() => stack!.poster.texts().some((t) => t.startsWith("⏹️ Aborted")), "the abort");
    expect(m.mutations()).toEqual(["disable dns", "addons repo update core", "enable dns"]);
    expect(stack.poster.texts().some((t) => t.startsWith("✅ Step 1/2: *dns*"))).toBe(true);
  });

  it("one cycle per cluster: a second request is told which cycle holds it", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m, withWorker: false });
    await new ClusterLock(stack.redis, cycleKeys(stack.prefix).lock("sandbox"), 60_000).acquire("cycle-123");
    const r = await commands(stack).cycle.handle(inv("upgrade-cycle", "dns"));
    expect(r).toEqual({
      refused: true,
      text: "sandbox is busy: cycle cycle-123 holds it. See /upgrade-cycle-status sandbox.",
    });
    expect(await stack.control.queue.count()).toBe(0);
  });

  it("a dry run posts the plan only", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    await commands(stack).cycle.handle(inv("upgrade-cycle", "--dry-run"));
    const plan = await waitFor(
      () => stack!.poster.thread().find((t) => t.text.includes("Dry run")),
      "the dry-run plan",
    );
    expect(plan.text).toMatch(/1\. \*dns\*[\s\S]*2\. \*ingress\*[\s\S]*3\. \*hostpath-storage\*/);
    expect(stack.poster.log.filter((e) => e.kind === "react")).toEqual([]);
    expect(m.mutations()).toEqual([]);
  });
});

/** The root of the (first) cycle thread and every text it had, posted first then each edit. */
function rootTexts(s: Stack): string[] {
  const root = s.poster.log.find((e) => e.kind === "root" && e.text.includes("Add-on cycle"));
  if (!root) return [];
  return [root.text, ...s.poster.log.filter((e) => e.kind === "update" && e.id === root.id).map((e) => e.text)];
}

const stateOf = (text: string) => text.slice(text.indexOf(": ") + 2);

describe("the cycle's root message says where the cycle is", () => {
  it("planning → planned → approved → running step N of M → done", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId } = await requestPlan(stack, "dns ingress");
    expect(rootTexts(stack).map(stateOf)).toEqual(["planning", "*planned*: 2 steps, waiting for 1 approval"]);
    await approve(stack, messageId);
    await waitFor(() => rootTexts(stack!).at(-1)?.includes("*done*"), "the root to say done");
    expect(rootTexts(stack).map(stateOf)).toEqual([
      "planning",
      "*planned*: 2 steps, waiting for 1 approval",
      `*approved* by <@${APPROVER}>, starting`,
      "*running* step 1 of 2 (dns)",
      "*running* step 2 of 2 (ingress)",
      "*done*: 2 steps",
    ]);
    expect(rootTexts(stack)[0]).toBe(`*Add-on cycle for sandbox*, requested by <@${REQUESTER}>: planning`);
  });

  it("a dry run's root says so; a ❌ says cancelled by whom", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    await commands(stack).cycle.handle(inv("upgrade-cycle", "dns --dry-run"));
    await waitFor(() => rootTexts(stack!).length === 2, "the dry-run root edit");
    expect(rootTexts(stack).at(-1)).toBe(
      `*Add-on cycle (dry run) for sandbox*, requested by <@${REQUESTER}>: *dry run planned*: 1 step, nothing will run`,
    );
    await stack.close();

    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId } = await requestPlan(stack, "dns");
    expect(
      await stack.approvals.onReaction({
        platform: "slack",
        added: true,
        userId: APPROVER,
        emoji: "x",
        channel: "C1",
        messageId,
      }),
    ).toBe("cancelled");
    expect(stateOf(rootTexts(stack).at(-1)!)).toBe(`*cancelled* by <@${APPROVER}>`);
  });

  it("an abort is posted in the thread; the root says cancelled (pending) or aborted (running)", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS), sleepMs: { "enable dns": 1_000 } });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    await requestPlan(stack, "dns");
    const cancelled = await commands(stack).abort.handle(inv("upgrade-cycle-abort", "sandbox"));
    expect(cancelled.refused).toBe(false);
    expect(stack.poster.texts()).toContain(
      `❌ Cancelled by <@${REQUESTER}> (/upgrade-cycle-abort). Nothing was changed on sandbox.`,
    );
    expect(stateOf(rootTexts(stack).at(-1)!)).toBe(`*cancelled* by <@${REQUESTER}>`);
    await stack.close();

    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId } = await requestPlan(stack, "dns ingress");
    await approve(stack, messageId);
    await waitFor(() => m.mutations().includes("enable dns"), "enable dns to start");
    await commands(stack).abort.handle(inv("upgrade-cycle-abort", "sandbox"));
    expect(stack.poster.texts()).toContain(
      `⏹️ Abort requested by <@${REQUESTER}>: the cycle stops before its next step; the running step finishes.`,
    );
    await waitFor(() => rootTexts(stack!).at(-1)?.includes("*aborted*"), "the root to say aborted");
    expect(rootTexts(stack).map(stateOf).slice(-3)).toEqual([
      "*running* step 1 of 2 (dns)",
      `*aborting*: requested by <@${REQUESTER}>, stops before the next step`,
      "*aborted* after 1 of 2 steps",
    ]);
  });

  it("an unapproved plan's root says expired once the sweeper expires it", async () => {
    let now = Date.now();
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({
      redisUrl,
      file: fileConfig({ approvals: { expiresAfter: "10m" } }),
      microk8s: m,
      now: () => now,
    });
    await requestPlan(stack, "dns");
    now += 10 * 60_000 + 1;
    expect((await stack.approvals.sweep()).expired).toHaveLength(1);
    expect(stateOf(rootTexts(stack).at(-1)!)).toBe("*expired* without enough approvals");
  });

  it("a failed cycle's root names the step", async () => {
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS), failEnable: ["ingress"] });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { messageId } = await requestPlan(stack, "dns ingress");
    await approve(stack, messageId);
    await waitFor(() => rootTexts(stack!).some((t) => t.includes("*failed*")), "the root to say failed");
    expect(rootTexts(stack).map(stateOf)).toContain("*failed* at step 2 of 2 (ingress)");
  });

  it("a cycle of add-ons already at the expected version is not planned: nothing to do", async () => {
    sandbox = await sandboxWithV1();
    const file = fileConfig({
      addons: [
        {
          name: "demo-ingress",
          driver: "manifests",
          manifests: "demo-ingress/v1",
          namespace: "demo-ingress",
          // v1 runs 1.8.0 (its version label): the "v" does not make it another version.
          version: "v1.8.0",
          category: "ingress",
        },
      ],
    });
    stack = await startStack({ redisUrl, file, kubeconfig: sandbox.kubeconfig("sandbox") });
    await commands(stack).cycle.handle(inv("upgrade-cycle", "demo-ingress"));
    const note = await waitFor(() => stack!.poster.texts().find((t) => t.includes("Nothing to do")), "the note");
    expect(note).toBe(
      "✅ Nothing to do on sandbox: it is already at the expected version (demo-ingress 1.8.0). No plan was made.",
    );
    await waitFor(() => rootTexts(stack!).length === 2, "the root edit");
    expect(stateOf(rootTexts(stack).at(-1)!)).toBe(
      "*nothing to do*: it is already at the expected version (demo-ingress 1.8.0)",
    );
    expect(stack.poster.texts().some((t) => t.includes("React ✅"))).toBe(false);
    expect(stack.poster.log.filter((e) => e.kind === "react")).toEqual([]);
    expect(await stack.control.plans.latestFor("sandbox")).toBeUndefined();
  });

  it("/upgrade-cycle sandbox ingress ingress plans ingress once", async () => {
    expect(parseCycleArgs("sandbox ingress ingress", ["sandbox"])).toEqual({
      ok: true,
      value: { cluster: "sandbox", addons: ["ingress"], dryRun: false },
    });
    const m = new FakeMicrok8s({ addons: structuredClone(ADDONS) });
    stack = await startStack({ redisUrl, file: fileConfig(), microk8s: m });
    const { planId } = await requestPlan(stack, "sandbox ingress ingress");
    const stored = await stack.approvals.plans.get(planId);
    expect(stored?.plan.steps.map((s) => s.addon)).toEqual(["ingress"]);
  });
});
