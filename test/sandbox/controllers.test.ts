// The sandbox's controller-manager through the API, as a real client sees it: objects written
// with client-node, the controllers' ReplicaSets, Pods and statuses read back and watched.
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, type V1Deployment, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const NAME_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const NS = "apps";

let sandbox: SandboxServer;
let apps: AppsV1Api;
let core: CoreV1Api;
let batch: BatchV1Api;
let kc: KubeConfig;

const node = (name: string, unschedulable = false): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: unschedulable ? { unschedulable: true } : {},
  status: { conditions: [{ type: "Ready", status: "True" }] },
});

// A snapshot workload as scenarios carry them: Deployment, its ReplicaSet and pods, all present at start.
const snapshot: KubeObject[] = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } },
  node("node-a"),
  node("node-b"),
  node("node-c", true),
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "seeded", namespace: NS, generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "seeded" } },
      template: { metadata: { labels: { app: "seeded" } }, spec: { containers: [{ name: "c", image: "seeded:1" }] } },
    },
    status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 },
  },
  {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: "seeded-abc12",
      namespace: NS,
      labels: { app: "seeded", "pod-template-hash": "abc12" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "Deployment", name: "seeded", uid: "made-up", controller: true },
      ],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "seeded", "pod-template-hash": "abc12" } },
      template: {
        metadata: { labels: { app: "seeded", "pod-template-hash": "abc12" } },
        spec: { containers: [{ name: "c", image: "seeded:1" }] },
      },
    },
    status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "seeded-abc12-xyzzy",
      namespace: NS,
      labels: { app: "seeded", "pod-template-hash": "abc12" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "seeded-abc12", uid: "x", controller: true },
      ],
    },
    spec: { containers: [{ name: "c", image: "seeded:1" }] },
    status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] },
  },
];

function deployment(name: string, image: string, replicas = 2, annotations?: Record<string, string>): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) },
        spec: { containers: [{ name: "c", image }] },
      },
    },
  };
}

function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v !== undefined && v !== false) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const list = (kind: string, apiVersion = "v1") => sandbox.store.list(apiVersion, kind, NS);
const ownedBy = (objs: KubeObject[], kind: string, name: string) =>
  objs.filter((o) =>
    (o.metadata?.ownerReferences as Array<{ kind: string; name: string; controller?: boolean }> | undefined)?.some(
      (r) => r.controller && r.kind === kind && r.name === name,
    ),
  );
const rsOf = (name: string) => ownedBy(list("ReplicaSet", "apps/v1"), "Deployment", name);
const podsOf = (kind: string, name: string) => ownedBy(list("Pod"), kind, name);
const ready = (p: KubeObject) =>
  (p.status?.conditions as Array<{ type: string; status: string }> | undefined)?.some(
    (c) => c.type === "Ready" && c.status === "True",
  ) ?? false;
// biome-ignore lint/suspicious/noExplicitAny: status fields read from raw JSON
const status = (o: KubeObject | undefined): any => o?.status ?? {};

beforeAll(async () => {
  sandbox = await startSandbox({ objects: snapshot, rolloutDelayMs: 150 });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("Deployment controller", () => {
  it("makes a ReplicaSet with the template hash and revision, and pods that become Ready after the delay", async () => {
    // Recorded synchronously with the store's writes, so the order and timing seen do not depend on load.
    const podTimes = new Map<string, { added: number; ready?: number }>();
    const progressReasons: string[] = [];
    const unsubscribe = sandbox.store.subscribe((ev) => {
      const o = ev.entry.obj;
      if (ev.gr === "/pods" && o.metadata?.labels?.app === "web") {
        const t = podTimes.get(ev.entry.name) ?? { added: Date.now() };
        if (ready(o)) t.ready ??= Date.now();
        podTimes.set(ev.entry.name, t);
      }
      if (ev.gr === "apps/deployments" && ev.entry.name === "web") {
        const reason = status(o).conditions?.find((c: { type: string }) => c.type === "Progressing")?.reason;
        if (reason && progressReasons.at(-1) !== reason) progressReasons.push(reason);
      }
    });
    const created = await apps.createNamespacedDeployment({ namespace: NS, body: deployment("web", "web:1") });
    const [rs] = await waitFor("the ReplicaSet", () => rsOf("web").length === 1 && rsOf("web"));
    const hash = rs.metadata?.labels?.["pod-template-hash"] as string;
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs.metadata?.name).toBe(`web-${hash}`);
    expect(rs.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(rs.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        uid: created.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(rs.spec?.selector).toEqual({ matchLabels: { app: "web", "pod-template-hash": hash } });
    const pods = await waitFor(
      "two pods",
      () => podsOf("ReplicaSet", rs.metadata!.name!).length === 2 && podsOf("ReplicaSet", rs.metadata!.name!),
    );
    for (const p of pods) {
      expect(p.metadata?.name?.slice(`web-${hash}-`.length)).toMatch(NAME_SUFFIX);
      expect(p.metadata?.labels).toEqual({ app: "web", "pod-template-hash": hash });
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "ReplicaSet",
        uid: rs.metadata?.uid,
        controller: true,
      });
      expect(["node-a", "node-b"]).toContain(p.spec?.nodeName);
    }
    const done = await waitFor("the rollout", () => {
      const d = sandbox.store.get("apps/v1", "Deployment", NS, "web");
      return status(d).availableReplicas === 2 && d;
    });
    expect(status(done)).toMatchObject({
      observedGeneration: 1,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(status(done).conditions.map((c: { type: string; reason: string }) => [c.type, c.reason])).toEqual([
      ["Available", "MinimumReplicasAvailable"],
      ["Progressing", "NewReplicaSetAvailable"],
    ]);
    expect(done.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(podsOf("ReplicaSet", rs.metadata!.name!).every(ready)).toBe(true);
    unsubscribe();
    // The ready delay is 150 ms (timers never fire early; 1 ms of rounding allowed), and the rollout
    // was reported in progress before it was reported done.
    expect(podTimes.size).toBe(2);
    for (const t of podTimes.values()) expect(t.ready! - t.added).toBeGreaterThanOrEqual(149);
    expect(progressReasons).toEqual(["ReplicaSetUpdated", "NewReplicaSetAvailable"]);
  });

  it("rolls a template change out to a new ReplicaSet, scales the old one down, and reuses it on rollback", async () => {
    const first = rsOf("web")[0];
    // At each deletion of an old pod, how many pods of the new ReplicaSet were Ready (read in the write's own tick).
    const readyNewAtOldDeletes: number[] = [];
    const unsubscribe = sandbox.store.subscribe((ev) => {
      if (ev.gr !== "/pods" || ev.type !== "DELETED") return;
      const owner = (ev.entry.obj.metadata?.ownerReferences as Array<{ name: string }> | undefined)?.[0]?.name;
      if (owner !== first.metadata?.name) return;
      const newRs = rsOf("web").find((r) => r.metadata?.name !== first.metadata?.name);
      readyNewAtOldDeletes.push(newRs ? podsOf("ReplicaSet", newRs.metadata!.name!).filter(ready).length : 0);
    });
    await apps.replaceNamespacedDeployment({ name: "web", namespace: NS, body: deployment("web", "web:2") });
    const second = await waitFor("the new ReplicaSet", () =>
      rsOf("web").find((r) => r.metadata?.name !== first.metadata?.name),
    );
    expect(second.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    const d2 = await waitFor("rollout 2", () => {
      const d = sandbox.store.get("apps/v1", "Deployment", NS, "web");
      return status(d).observedGeneration === 2 && status(d).availableReplicas === 2 && status(d).replicas === 2 && d;
    });
    expect(status(d2).updatedReplicas).toBe(2);
    expect(d2.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    const old = sandbox.store.get("apps/v1", "ReplicaSet", NS, first.metadata!.name!);
    expect(old?.spec?.replicas).toBe(0);
    expect(podsOf("ReplicaSet", first.metadata!.name!)).toHaveLength(0);
    unsubscribe();
    // The old pods stayed until the new ones were available (no outage), then went.
    expect(readyNewAtOldDeletes).toEqual([2, 2]);

    await apps.replaceNamespacedDeployment({ name: "web", namespace: NS, body: deployment("web", "web:1") });
    const back = await waitFor("the rollback", () => {
      const rs = sandbox.store.get("apps/v1", "ReplicaSet", NS, first.metadata!.name!);
      return rs?.spec?.replicas === 2 && rs;
    });
    expect(rsOf("web")).toHaveLength(2);
    expect(back.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("emits a watch event for every controller write", async () => {
    const events: string[] = [];
    const w = new Watch(kc);
    const req = await w.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { resourceVersion: sandbox.store.resourceVersion, labelSelector: "app=watched" },
      (type, obj) => events.push(`${type} ${obj.status?.phase}`),
      () => {},
    );
    try {
      await apps.createNamespacedDeployment({ namespace: NS, body: deployment("watched", "w:1", 1) });
      await waitFor("ADDED then MODIFIED to Running", () => events.length >= 2);
      expect(events.slice(0, 2)).toEqual(["ADDED Pending", "MODIFIED Running"]);
      await apps.deleteNamespacedDeployment({ name: "watched", namespace: NS });
      await waitFor("DELETED by the cascade", () => events.some((e) => e.startsWith("DELETED")));
      expect(rsOf("watched")).toEqual([]);
    } finally {
      req.abort();
    }
  });

  it("leaves pods that never become ready unready and reports the progress deadline; the old ReplicaSet keeps serving", async () => {
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment("stuck", "s:1", 1) });
    await waitFor(
      "first rollout",
      () => status(sandbox.store.get("apps/v1", "Deployment", NS, "stuck")).availableReplicas === 1,
    );
    const [good] = rsOf("stuck");
    await apps.replaceNamespacedDeployment({
      name: "stuck",
      namespace: NS,
      body: deployment("stuck", "s:2", 1, { "sandbox.upshift.dev/rollout": "never" }),
    });
    const d = await waitFor("ProgressDeadlineExceeded", () => {
      const got = sandbox.store.get("apps/v1", "Deployment", NS, "stuck");
      const p = status(got).conditions?.find((c: { type: string }) => c.type === "Progressing");
      return p?.reason === "ProgressDeadlineExceeded" && got;
    });
    expect(status(d).conditions.find((c: { type: string }) => c.type === "Progressing")).toMatchObject({
      status: "False",
      message: expect.stringMatching(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/),
    });
    const bad = rsOf("stuck").find((r) => r.metadata?.name !== good.metadata?.name)!;
    // The deadline and the pod's start are both due after the ready delay: wait for the pod to run.
    const badPods = await waitFor("the new pod running", () => {
      const p = podsOf("ReplicaSet", bad.metadata!.name!);
      return p[0]?.status?.phase === "Running" && p;
    });
    expect(badPods).toHaveLength(1);
    expect(ready(badPods[0])).toBe(false);
    expect(podsOf("ReplicaSet", good.metadata!.name!).filter(ready)).toHaveLength(1);
    expect(status(d)).toMatchObject({ replicas: 2, updatedReplicas: 1, availableReplicas: 1 });
  });

  it("replaces a deleted pod of a ReplicaSet it manages", async () => {
    const [rs] = rsOf("web").filter((r) => r.spec?.replicas === 2);
    const [victim] = podsOf("ReplicaSet", rs.metadata!.name!);
    await core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: NS });
    const pods = await waitFor("a replacement", () => {
      const p = podsOf("ReplicaSet", rs.metadata!.name!);
      return p.length === 2 && !p.some((x) => x.metadata?.name === victim.metadata?.name) && p;
    });
    expect(pods).toHaveLength(2);
  });
});

describe("snapshots loaded at start", () => {
  it("are left as loaded: no duplicate ReplicaSets or pods, statuses unchanged", async () => {
    await new Promise((r) => setTimeout(r, 300));
    expect(rsOf("seeded").map((r) => r.metadata?.name)).toEqual(["seeded-abc12"]);
    expect(podsOf("ReplicaSet", "seeded-abc12").map((p) => p.metadata?.name)).toEqual(["seeded-abc12-xyzzy"]);
    expect(sandbox.store.get("apps/v1", "Deployment", NS, "seeded")?.metadata?.resourceVersion).toBe(
      snapshotRv("Deployment", "seeded"),
    );
  });

  it("adopt the snapshot's ReplicaSet when a change through the API keeps the template (a scale)", async () => {
    const d = await apps.readNamespacedDeployment({ name: "seeded", namespace: NS });
    d.spec!.replicas = 2;
    await apps.replaceNamespacedDeployment({ name: "seeded", namespace: NS, body: d });
    await waitFor("scale to 2", () => podsOf("ReplicaSet", "seeded-abc12").length === 2);
    expect(rsOf("seeded").map((r) => r.metadata?.name)).toEqual(["seeded-abc12"]);
    expect(podsOf("ReplicaSet", "seeded-abc12").map((p) => p.metadata?.name)).toContain("seeded-abc12-xyzzy");
  });
});

const seededRvs = new Map<string, string | undefined>();
function snapshotRv(kind: string, name: string): string | undefined {
  return seededRvs.get(`${kind}/${name}`);
}
beforeAll(() => {
  seededRvs.set(
    "Deployment/seeded",
    sandbox.store.get("apps/v1", "Deployment", NS, "seeded")?.metadata?.resourceVersion,
  );
});

describe("StatefulSet, DaemonSet and Job controllers", () => {
  it("creates StatefulSet pods by ordinal, each after the one before is Ready", async () => {
    // At each pod creation, whether every lower ordinal was already Ready (OrderedReady).
    const created: Array<[string, boolean]> = [];
    const unsubscribe = sandbox.store.subscribe((ev) => {
      if (ev.gr !== "/pods" || ev.type !== "ADDED" || !ev.entry.name.startsWith("db-")) return;
      const i = Number(ev.entry.name.slice(3));
      const lower = podsOf("StatefulSet", "db").filter((p) => Number(p.metadata!.name!.slice(3)) < i);
      created.push([ev.entry.name, lower.length === i && lower.every(ready)]);
    });
    await apps.createNamespacedStatefulSet({
      namespace: NS,
      body: {
        metadata: { name: "db" },
        spec: {
          replicas: 3,
          serviceName: "db",
          selector: { matchLabels: { app: "db" } },
          template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "db:1" }] } },
        },
      },
    });
    const set = await waitFor("the set ready", () => {
      const s = sandbox.store.get("apps/v1", "StatefulSet", NS, "db");
      return status(s).readyReplicas === 3 && s;
    });
    unsubscribe();
    expect(created).toEqual([
      ["db-0", true],
      ["db-1", true],
      ["db-2", true],
    ]);
    expect(podsOf("StatefulSet", "db").map((p) => p.metadata?.name)).toEqual(["db-0", "db-1", "db-2"]);
    expect(status(set)).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, currentReplicas: 3 });
    expect(status(set).currentRevision).toBe(status(set).updateRevision);
    expect(podsOf("StatefulSet", "db")[1].metadata?.labels).toMatchObject({
      "statefulset.kubernetes.io/pod-name": "db-1",
      "apps.kubernetes.io/pod-index": "1",
      "controller-revision-hash": status(set).updateRevision,
    });
  });

  it("puts one DaemonSet pod on each schedulable node", async () => {
    await apps.createNamespacedDaemonSet({
      namespace: NS,
      body: {
        metadata: { name: "agent" },
        spec: {
          selector: { matchLabels: { app: "agent" } },
          template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "a", image: "agent:1" }] } },
        },
      },
    });
    const ds = await waitFor("the DaemonSet ready", () => {
      const s = sandbox.store.get("apps/v1", "DaemonSet", NS, "agent");
      return status(s).numberReady === 2 && s;
    });
    expect(status(ds)).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberAvailable: 2 });
    const pods = podsOf("DaemonSet", "agent");
    expect(pods.map((p) => p.spec?.nodeName).sort()).toEqual(["node-a", "node-b"]);
    for (const p of pods) expect(p.metadata?.name?.slice("agent-".length)).toMatch(NAME_SUFFIX);
  });

  it("runs a Job's pods to completion", async () => {
    await batch.createNamespacedJob({
      namespace: NS,
      body: {
        metadata: { name: "migrate" },
        spec: {
          completions: 2,
          template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "migrate:1" }] } },
        },
      },
    });
    const job = await waitFor("the Job complete", () => {
      const j = sandbox.store.get("batch/v1", "Job", NS, "migrate");
      return status(j).succeeded === 2 && j;
    });
    expect(status(job).conditions).toMatchObject([{ type: "Complete", status: "True" }]);
    expect(status(job).completionTime).toBeTruthy();
    const pods = podsOf("Job", "migrate");
    expect(pods.map((p) => p.status?.phase)).toEqual(["Succeeded", "Succeeded"]);
    expect(pods[0].metadata?.labels?.["batch.kubernetes.io/job-name"]).toBe("migrate");
  });
});

describe("kubelet", () => {
  it("runs pods created through the API on their own: Ready, Succeeded when they run to completion, or never Ready", async () => {
    const pod = (name: string, restartPolicy?: string, annotations?: Record<string, string>) =>
      core.createNamespacedPod({
        namespace: NS,
        body: {
          metadata: { name, annotations },
          spec: { restartPolicy, containers: [{ name: "c", image: "busybox" }] },
        },
      });
    await pod("solo");
    await pod("once", "Never");
    await pod("hang", undefined, { "sandbox.upshift.dev/rollout": "never" });
    const get = (name: string) => sandbox.store.get("v1", "Pod", NS, name)!;
    await waitFor("pods started", () =>
      ["solo", "once", "hang"].every((n) => (get(n).status?.phase ?? "Pending") !== "Pending"),
    );
    expect(get("solo").status?.phase).toBe("Running");
    expect(ready(get("solo"))).toBe(true);
    expect(get("once").status?.phase).toBe("Succeeded");
    expect(get("hang").status?.phase).toBe("Running");
    expect(ready(get("hang"))).toBe(false);
  });
});
