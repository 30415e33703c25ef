// The automatic verify: when a watch ends and when an add-on cycle ends, a verify job is queued on
// real Redis and the real check worker posts its summary into that watch's or cycle's thread.
import { resolve } from "node:path";
import { PassThrough } from "node:stream";
import type { Worker } from "bullmq";
import { afterEach, describe, expect, inject, it } from "vitest";
import { ConsolePoster } from "../../adapters/console/consolePoster.ts";
import { upgradeCycleCommand } from "../../commands/upgradeCycle.ts";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import type { ReplyAddress } from "../../src/chat/types.ts";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { JobSubmitter } from "../../src/queue/jobSubmitter.ts";
import { producerConnection, workerConnection } from "../../src/redis/connection.ts";
import { cycleKeys } from "../../src/redis/keys.ts";
import { startSandbox } from "../../src/sandbox/index.ts";
import { BaselineStore } from "../../src/verify/baselineStore.ts";
import { startCheckWorker } from "../../worker/checkWorker.ts";
import { startWatchWorker } from "../../worker/watchWorker.ts";
import { APPROVER, FakeMicrok8s, FIXTURES, fileConfig, REQUESTER, startStack, waitFor } from "../cycles/harness.ts";
import { waitFor as waitUntil } from "../fakes/fakeSlackApi.ts";
import { BEFORE, CRASH_LOOP_OLD_ADDON } from "../fixtures/verify/clusters.ts";
import { quietLogger } from "../slack/harness.ts";
import { connected, startVerifyStack, UpgradableCluster } from "./harness.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

describe("automatic verify", () => {
  it("the end of a watch posts the verify summary in the watch's thread", async () => {
    const cluster = new UpgradableCluster("prod");
    await cluster.serve(BEFORE);
    cleanups.push(() => cluster.close());
    const out = new ConsolePoster(new PassThrough().resume());
    const stack = await startVerifyStack({ cluster, poster: out });
    cleanups.push(() => stack.close());
    const reply: ReplyAddress = { platform: "console", channel: "upgrades" };
    const requester = { platform: "console" as const, userId: "you" };

    await stack.controls.jobs.enqueueCheck({ kind: "check", cluster: "prod", requester, reply, requestedAt: "" });
    await waitUntil(
      () => out.log.find((e) => e.kind === "edit" && /blocked|warnings|ready/.test(e.text)),
      20_000,
      "the check",
    );
    await cluster.serve(CRASH_LOOP_OLD_ADDON);

    const connection = workerConnection(inject("redisUrl"));
    const state = producerConnection(inject("redisUrl"));
    await connected(state);
    const watcher = startWatchWorker(
      {
        clusters: cluster,
        posters: new PosterRegistry([out]),
        redis: state,
        prefix: stack.prefix,
        logger: quietLogger(),
        tuning: { pollMs: 50 },
        verifyAfter: async (c, r) => {
          await stack.controls.jobs.enqueueVerify({
            kind: "verify",
            cluster: c,
            reply: r,
            requestedAt: "",
            origin: "watch",
          });
        },
      },
      { connection, prefix: stack.prefix },
    );
    cleanups.push(async () => {
      await watcher.close();
      connection.disconnect();
      state.disconnect();
    });
    await stack.controls.watch.start("prod", reply, 1_000, { by: "command", requester });
    const summary = await waitUntil(
      () => out.log.find((e) => e.kind === "reply" && e.text.startsWith("🔎 Upgrade verify of prod")),
      20_000,
      "the verify summary",
    );
    const watchRoot = out.log.find((e) => e.kind === "root" && e.text.startsWith("👀 Watching"));
    expect(summary.thread).toBe(watchRoot?.id);
    expect(summary.text).toMatch(/^🔎 Upgrade verify of prod: degraded \(\d+ worse, 2 left to do/);
    expect(summary.text).toContain("/upgrade-cycle prod dns");
    // It follows the watch's own summary, in the same thread; no root of its own.
    const inThread = out.log.filter((e) => e.kind === "reply" && e.thread === watchRoot?.id).map((e) => e.text);
    expect(inThread.at(-2)).toMatch(/^Watch of `prod` ended \(time limit\)/);
    expect(out.log.filter((e) => e.kind === "root" && e.text.startsWith("Upgrade verify"))).toEqual([]);
  });

  it("the end of an add-on cycle posts the verify in the cycle's thread (here: no baseline yet, and how to take one)", async () => {
    const sandbox = await startSandbox({ fixture: resolve(FIXTURES, "demo-ingress/v1"), rolloutDelayMs: 30 });
    cleanups.push(() => sandbox.close());
    const kubeconfig = sandbox.kubeconfig("sandbox");
    const producer = producerConnection(inject("redisUrl"));
    const m = new FakeMicrok8s({
      addons: [{ name: "dns", status: "enabled", version: "1.10.1", nextVersion: "1.11.3" }],
    });
    let queues: JobSubmitter | undefined;
    const stack = await startStack({
      redisUrl: inject("redisUrl"),
      file: fileConfig(),
      microk8s: m,
      kubeconfig,
      verifyAfter: async (c, r) => {
        await queues?.enqueueVerify({ kind: "verify", cluster: c, reply: r, requestedAt: "", origin: "cycle" });
      },
    });
    queues = new JobSubmitter(producer, stack.prefix);
    await Promise.all([connected(producer), queues.ready()]);
    const connection = workerConnection(inject("redisUrl"));
    const checker: Worker = startCheckWorker(
      {
        clusters: ClusterDirectory.fromString(kubeconfig),
        checks: allChecks,
        posters: stack.posters,
        file: fileConfig(),
        baselines: new BaselineStore(producer, stack.prefix),
        logger: quietLogger(),
      },
      { connection, prefix: stack.prefix },
    );
    cleanups.push(async () => {
      await checker.close();
      await queues?.close();
      await stack.close();
      connection.disconnect();
      producer.disconnect();
    });
    const deps = { clusters: { names: () => ["sandbox"], defaultName: () => "sandbox" }, cycles: stack.control };
    const requested = await upgradeCycleCommand(deps).handle({
      platform: "slack",
      name: "upgrade-cycle",
      text: "sandbox dns",
      requester: { platform: "slack", userId: REQUESTER },
      channel: "C1",
    });
    expect(requested.refused).toBe(false);
    const msg = await waitFor(
      () => stack.poster.thread().find((x) => x.text.includes("React ✅")),
      "the approval request",
    );
    expect(await stack.redis.get(cycleKeys(stack.prefix).message("slack", msg.channel, msg.id))).toBeTruthy();
    await stack.approvals.onReaction({
      platform: "slack",
      added: true,
      userId: APPROVER,
      emoji: "white_check_mark",
      channel: msg.channel,
      messageId: msg.id,
    });
    const note = await waitFor(
      () => stack.poster.thread().find((x) => x.text.startsWith("🔎 No baseline of sandbox")),
      "the verify after the cycle",
      30_000,
    );
    const finished = stack.poster.thread().find((x) => x.text.startsWith("🏁"));
    expect(note.thread).toBe(finished?.thread);
    expect(note.text).toContain("`/upgrade-check sandbox`");
  });
});
