// Sandbox scenarios that change over time, seen through a real watch worker (BullMQ on the test
// redis-server, client-node watches against the sandbox API server) and a recording chat poster.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PosterRegistry } from "../../src/chat/posterRegistry.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeconfigAuth, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import type { AlertSink } from "../../src/watch/alertSink.ts";
import { QueueWatchControl } from "../../src/watch/control.ts";
import type { WatchSession } from "../../src/watch/session.ts";
import { startWatchWorker } from "../../worker/watchWorker.ts";
import { configMap, livenessEvent, node, pod, RecordingPoster, waitFor } from "./helpers.ts";

const logger = pino({ level: "silent" });

interface Rig {
  sandbox: SandboxServer;
  poster: RecordingPoster;
  control: QueueWatchControl;
  worker: Worker;
  redis: Redis;
  session?: WatchSession;
  sink?: AlertSink;
  close(): Promise<void>;
}

async function rig(
  opts: {
    watchWindow?: number;
    floodWindowMs?: number;
    objects?: object[];
    helmNamespaces?: string[];
    auth?: KubeconfigAuth;
  } = {},
): Promise<Rig> {
  const prefix = `t-watch-${randomUUID().slice(0, 8)}`;
  const sandbox = await startSandbox({
    tls: opts.auth !== undefined,
    watchWindow: opts.watchWindow,
    objects: (opts.objects as never) ?? [
      node("node-a", true),
      node("node-b", true),
      pod("web-1"),
      pod("web-2"),
      pod("web-3"),
      helmReleaseSecret({
        name: "fleet",
        namespace: "cattle-system",
        revision: 1,
        status: "deployed",
        chart: "fleet-106.0.0+up0.12.0",
      }),
    ],
  });
  const pluginDir = opts.auth === "exec" ? mkdtempSync(join(tmpdir(), "upshift-watch-exec-")) : undefined;
  const execCommand = pluginDir ? sandbox.writeExecPlugin(join(pluginDir, "plugin.sh")) : undefined;
  const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("sb", { auth: opts.auth, execCommand }), {
    timeoutMs: 5_000,
  });
  const url = inject("redisUrl");
  const redis = new Redis(url);
  const blocking = new Redis(url, { maxRetriesPerRequest: null });
  const poster = new RecordingPoster();
  const r: Rig = { sandbox, poster, redis } as Rig;
  r.worker = startWatchWorker(
    {
      clusters,
      posters: new PosterRegistry([poster]),
      redis,
      prefix,
      logger,
      ruleOptions: { helmPendingMs: 1_500 },
      tuning: { timeoutSeconds: 2, persistEveryMs: 200, pollMs: 100, floodWindowMs: opts.floodWindowMs ?? 60_000 },
      onSession: (s, sink) => {
        r.session = s;
        r.sink = sink;
      },
      helmNamespaces: opts.helmNamespaces,
    },
    { connection: blocking, prefix },
  );
  r.control = new QueueWatchControl(redis, prefix);
  r.close = async () => {
    await r.control.stop("sb").catch(() => undefined);
    await r.worker.close();
    await r.control.close();
    await sandbox.close();
    if (pluginDir) rmSync(pluginDir, { recursive: true, force: true });
    blocking.disconnect();
    redis.disconnect();
  };
  await r.control.start("sb", { platform: "slack", channel: "C-ops" }, 60_000, {
    by: "command",
    requester: { platform: "slack", userId: "U1" },
  });
  await waitFor("the watch session", () => r.session);
  await r.session!.connected();
  return r;
}

const alerts = (p: RecordingPoster, reason: string) =>
  p.posts.filter((x) => x.kind !== "update" && x.text.includes(`*${reason}*`));

describe("watch with UPSHIFT_HELM_NAMESPACES", () => {
  it("opens no Secrets stream (its grant is per namespace) and says in the root that Helm release alerts are off", async () => {
    const r = await rig({ helmNamespaces: ["cattle-system"] });
    try {
      expect(r.poster.posts[0].text).toContain(
        "alerts will appear in this channel (no Helm release alerts: Upshift may read Secrets only in cattle-system, UPSHIFT_HELM_NAMESPACES, and watching releases needs them cluster-wide)",
      );
      expect(r.sandbox.requests.filter((x) => x.resource === "secrets")).toEqual([]);
      expect(r.sandbox.requests.some((x) => x.resource === "pods" && x.verb === "watch")).toBe(true);
    } finally {
      await r.close();
    }
  });
});

describe("watch scenarios", () => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ watchWindow: 40 });
  });
  afterAll(async () => {
    await r?.close();
  });

  it("posts a root message for the watch", () => {
    expect(r.poster.posts[0]).toMatchObject({ kind: "root", channel: "C-ops" });
    expect(r.poster.posts[0].text).toContain("Watching `sb`");
  });

  it("alerts once when a pod starts crash-looping, and threads later alerts about it", async () => {
    const store = r.sandbox.store;
    store.upsert(pod("web-1", { crash: true, restarts: 4 }));
    const [first] = await waitFor(
      "crash-loop alert",
      () => alerts(r.poster, "CrashLoopBackOff").length === 1 && alerts(r.poster, "CrashLoopBackOff"),
    );
    expect(first.kind).toBe("root");
    expect(first.text).toContain("Pod `apps/web-1`");
    expect(first.text).toContain("4 restarts");
    expect(first.text).toContain("docs/checks.md#pod-01");
    // It keeps restarting: the same object and reason is not posted again.
    store.upsert(pod("web-1", { crash: true, restarts: 5 }));
    store.upsert(livenessEvent("web-1.probe", "web-1"));
    const [probe] = await waitFor(
      "liveness alert",
      () => alerts(r.poster, "LivenessProbeFailed").length === 1 && alerts(r.poster, "LivenessProbeFailed"),
    );
    expect(probe).toMatchObject({ kind: "thread", thread: first.id });
    expect(probe.text).toContain("PRB-01");
    await r.session!.idle();
    expect(alerts(r.poster, "CrashLoopBackOff")).toHaveLength(1);
  });

  it("alerts when a Helm release stays pending past the threshold, and when a node goes NotReady", async () => {
    const store = r.sandbox.store;
    store.upsert(
      helmReleaseSecret({
        name: "fleet",
        namespace: "cattle-system",
        revision: 2,
        status: "pending-upgrade",
        chart: "fleet-106.0.0+up0.12.0-rc.3",
      }),
    );
    store.upsert(node("node-b", false));
    const [nodeAlert] = await waitFor(
      "node alert",
      () => alerts(r.poster, "NodeNotReady").length > 0 && alerts(r.poster, "NodeNotReady"),
    );
    expect(nodeAlert.text).toContain("Node `node-b`");
    expect(nodeAlert.text).toContain("NodeStatusUnknown");
    // Not before the threshold (1.5 s in this test)...
    expect(alerts(r.poster, "HelmReleasePending")).toHaveLength(0);
    const [helm] = await waitFor(
      "pending alert",
      () => alerts(r.poster, "HelmReleasePending").length > 0 && alerts(r.poster, "HelmReleasePending"),
    );
    expect(helm.text).toContain("HelmRelease `cattle-system/fleet`");
    expect(helm.text).toContain("pending-upgrade");
    expect(helm.text).toContain("HELM-01");
    store.upsert(
      helmReleaseSecret({
        name: "fleet",
        namespace: "cattle-system",
        revision: 2,
        status: "failed",
        chart: "fleet-106.0.0+up0.12.0-rc.3",
      }),
    );
    const [failed] = await waitFor(
      "failed alert",
      () => alerts(r.poster, "HelmReleaseFailed").length > 0 && alerts(r.poster, "HelmReleaseFailed"),
    );
    // Same release: threaded under the pending alert.
    expect(failed).toMatchObject({ kind: "thread", thread: helm.id });
  });

  it("resumes after the watch stream is cut and re-lists after 410 Gone, alerting once", async () => {
    const store = r.sandbox.store;
    const pods = () => r.session!.streamStats().pods;
    const errorsBefore = pods().errors;
    // Every pod watch request is dropped for a while; the open stream ends within timeoutSeconds (2 s).
    const drop = r.sandbox.faults.add({ verb: "watch", resource: "pods", drop: true, times: 2 });
    // The change lands while the pod watch is down: only resuming from the last resourceVersion delivers it.
    await waitFor("pod watch to be cut", () => drop.fired > 0, 10_000);
    store.upsert(pod("web-2", { crash: true, restarts: 3 }));
    await waitFor("web-2 alert after the drop", () => alerts(r.poster, "CrashLoopBackOff").length === 2);
    expect(drop.fired).toBe(2);
    expect(pods().errors).toBeGreaterThan(errorsBefore);
    expect(pods().relists).toBe(0);

    // Now hold the pod watch down while more than the sandbox's 40-event window is written.
    const hold = r.sandbox.faults.add({ verb: "watch", resource: "pods", drop: true });
    await waitFor("pod watch to be cut", () => hold.fired > 0, 10_000);
    store.upsert(pod("web-3", { crash: true, restarts: 7 }));
    for (let i = 0; i < 60; i++) store.upsert(configMap(`filler-${i}`, i));
    hold.remove();
    await waitFor("web-3 alert after the 410", () => alerts(r.poster, "CrashLoopBackOff").length === 3);
    expect(pods().relists).toBeGreaterThanOrEqual(1);
    await r.session!.idle();
    const texts = alerts(r.poster, "CrashLoopBackOff").map((p) => p.text);
    expect(texts.filter((t) => t.includes("web-1"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("web-2"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("web-3"))).toHaveLength(1);
  });

  it("ends on a stop request with a summary of counts by reason", async () => {
    const result = await r.control.stop("sb");
    expect(result.status).toBe("stopping");
    const summary = await waitFor("summary", () =>
      r.poster.posts.find((p) => p.kind === "thread" && p.text.includes("ended (stopped)")),
    );
    expect(summary.thread).toBe(r.poster.posts[0].id);
    expect(summary.text).toContain("CrashLoopBackOff: 3");
    expect(summary.text).toContain("NodeNotReady: 1");
    expect(summary.text).toContain("HelmReleasePending: 1");
    const root = await waitFor("root updated", () =>
      r.poster.posts.find((p) => p.kind === "update" && p.text.includes("ended, 7 alerts")),
    );
    expect(root.id).toBe(r.poster.posts[0].id);
  });
});

describe("open watch streams cut mid-watch", () => {
  it("resumes every stream from its last resourceVersion: a change made right after the cut arrives once", async () => {
    const r = await rig();
    try {
      const store = r.sandbox.store;
      store.upsert(pod("web-1", { crash: true, restarts: 3 }));
      await waitFor("the alert before the cut", () => alerts(r.poster, "CrashLoopBackOff").length === 1);
      await r.session!.idle();
      const before = structuredClone(r.session!.streamStats());
      // Every open stream (pods, nodes, events, secrets...) loses its socket at once, and the
      // cluster changes before any of them is back.
      const cut = r.sandbox.faults.cutWatches();
      expect(cut).toBe(Object.keys(before).length);
      store.upsert(pod("web-2", { crash: true, restarts: 3 }));
      store.upsert(node("node-b", false));
      await waitFor(
        "both alerts after the cut",
        () => alerts(r.poster, "CrashLoopBackOff").length === 2 && alerts(r.poster, "NodeNotReady").length === 1,
      );
      await r.session!.idle();
      const after = r.session!.streamStats();
      for (const [resource, s] of Object.entries(after)) {
        // Seen as an interruption (not a clean end), re-watched, never re-listed.
        expect(s.errors, resource).toBeGreaterThan(before[resource].errors);
        expect(s.watches, resource).toBeGreaterThan(before[resource].watches);
        expect(s.lists, resource).toBe(1);
        expect(s.relists, resource).toBe(0);
      }
      const texts = alerts(r.poster, "CrashLoopBackOff").map((p) => p.text);
      expect(texts.filter((t) => t.includes("web-1"))).toHaveLength(1);
      expect(texts.filter((t) => t.includes("web-2"))).toHaveLength(1);
      expect(alerts(r.poster, "NodeNotReady")).toHaveLength(1);
      expect(r.sink!.stats.duplicate).toBe(0);
    } finally {
      await r.close();
    }
  });
});

describe("flood limit", () => {
  it("sends at most 10 alerts and one summary for a burst of 30 crash-looping pods", async () => {
    const r = await rig({ floodWindowMs: 3_000 });
    try {
      const before = r.poster.posts.length;
      for (let i = 0; i < 30; i++) r.sandbox.store.upsert(pod(`burst-${i}`, { crash: true, restarts: 3 }));
      const summary = await waitFor("flood summary", () => r.poster.posts.find((p) => p.text.includes("Alert flood")));
      const posted = r.poster.posts.slice(before).filter((p) => p.text.includes("*CrashLoopBackOff*"));
      expect(posted).toHaveLength(10);
      expect(summary.text).toContain("20 more alerts");
      expect(summary.text).toContain("CrashLoopBackOff ×20 (POD-01");
      expect(r.poster.posts.filter((p) => p.text.includes("Alert flood"))).toHaveLength(1);
    } finally {
      await r.close();
    }
  });
});

/** A pod of Deployment `deployment` (through ReplicaSet `<deployment>-7d9f8c6b5d`), as the API returns it. */
function deploymentPod(deployment: string, name: string, opts: { crash?: boolean; restarts?: number } = {}) {
  const p = pod(name, opts);
  p.metadata!.labels = { app: deployment, "pod-template-hash": "7d9f8c6b5d" };
  p.metadata!.ownerReferences = [
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: `${deployment}-7d9f8c6b5d`,
      uid: `uid-${name}`,
      controller: true,
    },
  ];
  return p;
}

describe("a watch's baseline and grouping", () => {
  it("reports a crash loop already present at start once, as the baseline, with the command to read its logs", async () => {
    const r = await rig({
      objects: [
        node("node-a", true),
        pod("web-1", { crash: true, restarts: 7 }),
        pod("web-2"),
        deploymentPod("api", "api-7d9f8c6b5d-aaaaa", { crash: true, restarts: 4 }),
        deploymentPod("api", "api-7d9f8c6b5d-bbbbb", { crash: true, restarts: 5 }),
        deploymentPod("api", "api-7d9f8c6b5d-ccccc"),
      ],
    });
    try {
      const crash = await waitFor("the baseline alerts", () => {
        const a = alerts(r.poster, "CrashLoopBackOff");
        return a.length === 2 && a;
      });
      await r.session!.idle();
      const web = crash.find((a) => a.text.includes("Pod `apps/web-1`"))!;
      expect(web.text).toContain("(already so when the watch started)");
      expect(web.text).toContain("*Next:* `kubectl logs -n apps web-1 -c app --previous`");
      expect(web.text).toContain("7 restarts");
      // The two crashing replicas of one Deployment are one alert that names both pods.
      const api = crash.find((a) => a.text.includes("Deployment `apps/api`"))!;
      expect(api.text).toContain(
        "*Evidence:* 2 pods: `api-7d9f8c6b5d-aaaaa` (container `app` waiting: CrashLoopBackOff; 4 restarts;",
      );
      expect(api.text).toContain("`api-7d9f8c6b5d-bbbbb` (container `app` waiting: CrashLoopBackOff; 5 restarts;");
      expect(api.text).not.toContain("ccccc");

      // More restarts and a third replica crashing are the same problem: nothing new is posted.
      r.sandbox.store.upsert(pod("web-1", { crash: true, restarts: 8 }));
      r.sandbox.store.upsert(deploymentPod("api", "api-7d9f8c6b5d-ccccc", { crash: true, restarts: 3 }));
      await new Promise((res) => setTimeout(res, 500));
      await r.session!.idle();
      expect(alerts(r.poster, "CrashLoopBackOff")).toHaveLength(2);
      expect(r.poster.posts.filter((p) => p.text.includes("already so when the watch started"))).toHaveLength(2);
    } finally {
      await r.close();
    }
  });

  it("liveness failures of a Deployment's pod go to the Deployment's thread, with the container's logs command", async () => {
    const r = await rig({ objects: [node("node-a", true), deploymentPod("api", "api-7d9f8c6b5d-aaaaa")] });
    try {
      r.sandbox.store.upsert(deploymentPod("api", "api-7d9f8c6b5d-aaaaa", { crash: true, restarts: 3 }));
      const [crash] = await waitFor("the crash alert", () => {
        const a = alerts(r.poster, "CrashLoopBackOff");
        return a.length === 1 && a;
      });
      expect(crash.text).not.toContain("already so");
      const event = livenessEvent("api.probe", "api-7d9f8c6b5d-aaaaa");
      (event.involvedObject as { fieldPath?: string }).fieldPath = "spec.containers{app}";
      r.sandbox.store.upsert(event);
      const [probe] = await waitFor("the liveness alert", () => {
        const a = alerts(r.poster, "LivenessProbeFailed");
        return a.length === 1 && a;
      });
      expect(probe).toMatchObject({ kind: "thread", thread: crash.id });
      expect(probe.text).toContain("Deployment `apps/api`");
      expect(probe.text).toContain("pod `api-7d9f8c6b5d-aaaaa` container `app`: event Unhealthy");
      expect(probe.text).toContain("*Next:* `kubectl logs -n apps api-7d9f8c6b5d-aaaaa -c app --previous`");
    } finally {
      await r.close();
    }
  });
});

describe.each(["token", "client-cert", "exec"] as const)("watches over HTTPS with %s authentication", (auth) => {
  let r: Rig;
  beforeAll(async () => {
    r = await rig({ auth });
  });
  afterAll(async () => {
    await r?.close();
  });

  it("streams changes to the watch worker and alerts on them", async () => {
    expect(r.sandbox.url).toMatch(/^https:/);
    r.sandbox.store.upsert(pod("web-2", { crash: true, restarts: 6 }));
    const [alert] = await waitFor(
      "crash-loop alert",
      () => alerts(r.poster, "CrashLoopBackOff").length === 1 && alerts(r.poster, "CrashLoopBackOff"),
    );
    expect(alert.text).toContain("Pod `apps/web-2`");
    expect(r.sandbox.requests.some((q) => q.verb === "watch" && q.resource === "pods")).toBe(true);
  });
});
