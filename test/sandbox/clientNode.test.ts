// The sandbox through @kubernetes/client-node over a real socket, as Upshift's code will use it.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
  Watch,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const FIXTURE = new URL("./fixtures/cluster.yaml", import.meta.url).pathname;

let sandbox: SandboxServer;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;

function manyPods(n: number): KubeObject[] {
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `bulk-${String(i).padStart(4, "0")}`,
      namespace: i % 2 ? "bulk-a" : "bulk-b",
      labels: { bulk: "yes" },
    },
    spec: { containers: [{ name: "c", image: "busybox" }] },
    status: { phase: "Running" },
  }));
}

/** The Status body of a failed client-node call (client-node 2 keeps it as a JSON string). */
async function failureOf(
  p: Promise<unknown>,
): Promise<{ code: number; status: { kind: string; reason: string; code: number } }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<unknown>;
    const body = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
    return { code: e.code, status: body };
  }
  throw new Error("expected the call to fail");
}

function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      const v = await check();
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: FIXTURE, objects: manyPods(1203) });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
});

afterAll(async () => {
  await sandbox?.close();
});

describe("reads", () => {
  it("serves the fixture's server version", async () => {
    const res = await fetch(`${sandbox.url}/version`);
    const body = await res.json();
    expect(body).toMatchObject({ gitVersion: "v1.31.4", major: "1", minor: "31", platform: "linux/amd64" });
  });

  it("paginates with limit/continue, covering every object exactly once", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 100, _continue: token });
      for (const p of page.items) seen.push(`${p.metadata?.namespace}/${p.metadata?.name}`);
      token = page.metadata?._continue || undefined;
      if (token) expect(page.metadata?.remainingItemCount).toBeGreaterThan(0);
      pages++;
    } while (token);
    expect(pages).toBe(13);
    expect(seen).toHaveLength(1207);
    expect(new Set(seen).size).toBe(1207);
    expect(seen).toContain("shop/web-1");
  });

  it("paginates inside one namespace with a selector", async () => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await core.listNamespacedPod({
        namespace: "bulk-a",
        labelSelector: "bulk=yes",
        limit: 250,
        _continue: token,
      });
      names.push(...page.items.map((p) => p.metadata!.name!));
      token = page.metadata?._continue || undefined;
    } while (token);
    expect(names).toHaveLength(601);
    expect(names.every((n) => Number(n.slice(5)) % 2 === 1)).toBe(true);
  });

  it("filters by equality and set-based label selectors", async () => {
    const names = async (labelSelector: string) =>
      (await core.listPodForAllNamespaces({ labelSelector })).items.map((p) => p.metadata!.name).sort();
    expect(await names("app=web,tier=front")).toEqual(["web-1", "web-2"]);
    expect(await names("app==web,tier!=front")).toEqual(["web-3"]);
    expect(await names("app in (db, web),tier notin (front)")).toEqual(["db-1", "web-3"]);
    expect(await names("app,!tier")).toEqual(["db-1"]);
  });

  it("filters by field selectors", async () => {
    const running = await core.listNamespacedPod({ namespace: "shop", fieldSelector: "status.phase=Running" });
    expect(running.items.map((p) => p.metadata!.name).sort()).toEqual(["db-1", "web-1"]);
    const notRunning = await core.listPodForAllNamespaces({
      fieldSelector: "status.phase!=Running,spec.nodeName==node-1",
    });
    expect(notRunning.items.map((p) => p.metadata!.name)).toEqual(["web-2"]);
    const helm = await core.listNamespacedSecret({ namespace: "shop", fieldSelector: "type=helm.sh/release.v1" });
    expect(helm.items.map((s) => s.metadata!.name)).toEqual(["sh.helm.release.v1.web.v1"]);
    const events = await core.listEventForAllNamespaces({
      fieldSelector: "involvedObject.name=web-1,involvedObject.kind=Pod",
    });
    expect(events.items.map((e) => e.reason)).toEqual(["Unhealthy"]);
  });

  it("rejects an unsupported field selector with a BadRequest Status", async () => {
    const f = await failureOf(core.listPodForAllNamespaces({ fieldSelector: "spec.bogus=1" }));
    expect(f.code).toBe(400);
    expect(f.status).toMatchObject({ kind: "Status", reason: "BadRequest", code: 400 });
  });

  it("gets an object and answers 404 with a NotFound Status", async () => {
    const pod = await core.readNamespacedPod({ name: "web-1", namespace: "shop" });
    expect(pod.spec?.nodeName).toBe("node-1");
    expect(pod.status?.phase).toBe("Running");
    const f = await failureOf(core.readNamespacedPod({ name: "nope", namespace: "shop" }));
    expect(f.code).toBe(404);
    expect(f.status).toMatchObject({ kind: "Status", reason: "NotFound", code: 404 });
  });

  it("serves custom resources of fixture CRDs and unknown kinds through KubernetesObjectApi", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const stages = await objects.list("kargo.akuity.io/v1alpha1", "Stage", "shop");
    expect(stages.items.map((s) => s.metadata?.name)).toEqual(["prod"]);
    const widget = await objects.read({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "gizmo", namespace: "shop" },
    });
    expect((widget as KubeObject).spec).toEqual({ size: 3 });
  });
});

describe("writes", () => {
  it("creates with 201 and server-set metadata, then 409 AlreadyExists", async () => {
    const body = { metadata: { name: "created", namespace: "shop" }, data: { k: "v" } };
    const cm = await core.createNamespacedConfigMap({ namespace: "shop", body });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const f = await failureOf(core.createNamespacedConfigMap({ namespace: "shop", body }));
    expect(f.code).toBe(409);
    expect(f.status.reason).toBe("AlreadyExists");
  });

  it("refuses a replace with a stale resourceVersion (409 Conflict) and accepts a fresh one", async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: "shop",
      body: { metadata: { name: "rv-test" }, data: { a: "1" } },
    });
    const fresh = await core.replaceNamespacedConfigMap({
      name: "rv-test",
      namespace: "shop",
      body: { ...cm, data: { a: "2" } },
    });
    expect(fresh.data).toEqual({ a: "2" });
    expect(Number(fresh.metadata!.resourceVersion)).toBeGreaterThan(Number(cm.metadata!.resourceVersion));
    const f = await failureOf(
      core.replaceNamespacedConfigMap({ name: "rv-test", namespace: "shop", body: { ...cm, data: { a: "3" } } }),
    );
    expect(f.code).toBe(409);
    expect(f.status.reason).toBe("Conflict");
  });

  it("merge-patches an object", async () => {
    await core.createNamespacedConfigMap({
      namespace: "shop",
      body: { metadata: { name: "patched" }, data: { a: "1", b: "2" } },
    });
    const out = await core.patchNamespacedConfigMap(
      { name: "patched", namespace: "shop", body: { data: { b: null, c: "3" }, metadata: { labels: { x: "y" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(out.data).toEqual({ a: "1", c: "3" });
    expect(out.metadata?.labels).toEqual({ x: "y" });
  });

  it("applies server-side: creates when missing, merges when present", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "applied", namespace: "shop" },
      data: { a: "1" },
    };
    const created = await objects.patch(
      spec,
      undefined,
      undefined,
      "upshift-test",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.uid).toBeTruthy();
    const merged = await objects.patch(
      { ...spec, data: { b: "2" } },
      undefined,
      undefined,
      "upshift-test",
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(merged.data).toEqual({ a: "1", b: "2" });
    expect(merged.metadata?.uid).toBe(created.metadata?.uid);
  });

  it("deletes and then answers 404", async () => {
    await core.createNamespacedConfigMap({ namespace: "shop", body: { metadata: { name: "doomed" } } });
    await core.deleteNamespacedConfigMap({ name: "doomed", namespace: "shop" });
    const f = await failureOf(core.readNamespacedConfigMap({ name: "doomed", namespace: "shop" }));
    expect(f.code).toBe(404);
  });

  it("keeps spec and status apart: /status writes only status, main writes keep it", async () => {
    const d = await apps.readNamespacedDeployment({ name: "web", namespace: "shop" });
    expect(d.status?.readyReplicas).toBe(1);
    const patched = await apps.patchNamespacedDeploymentStatus(
      { name: "web", namespace: "shop", body: { status: { readyReplicas: 2 }, spec: { replicas: 9 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.status?.readyReplicas).toBe(2);
    expect(patched.spec?.replicas).toBe(2);
  });
});

describe("simulated rollouts", () => {
  const deployment = (name: string, annotations?: Record<string, string>): V1Deployment => ({
    metadata: { name, annotations },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } },
    },
  });

  it("marks a created Deployment available", async () => {
    await apps.createNamespacedDeployment({ namespace: "shop", body: deployment("rolled") });
    const d = await waitFor(async () => {
      const got = await apps.readNamespacedDeployment({ name: "rolled", namespace: "shop" });
      return got.status?.availableReplicas === 2 ? got : undefined;
    }, "rollout");
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    expect(d.status?.conditions?.find((c) => c.type === "Available")?.status).toBe("True");
    expect(d.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
  });

  it("leaves a `rollout: never` Deployment unavailable with ProgressDeadlineExceeded", async () => {
    await apps.createNamespacedDeployment({
      namespace: "shop",
      body: deployment("stuck", { "sandbox.upshift.dev/rollout": "never" }),
    });
    const d = await waitFor(async () => {
      const got = await apps.readNamespacedDeployment({ name: "stuck", namespace: "shop" });
      // The controller observes the generation at once and reports the deadline later, as a real one does.
      const progressing = got.status?.conditions?.find((c) => c.type === "Progressing");
      return progressing?.reason === "ProgressDeadlineExceeded" ? got : undefined;
    }, "failed rollout");
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    expect(d.status?.availableReplicas ?? 0).toBe(0);
    const progressing = d.status?.conditions?.find((c) => c.type === "Progressing");
    expect(progressing).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
  });

  it("keeps the status a fixture gives a seeded Deployment", async () => {
    const d = sandbox.store.get("apps/v1", "Deployment", "shop", "web");
    expect(d?.status?.observedGeneration).toBe(2);
    expect(d?.metadata?.generation).toBe(3);
  });
});

describe("watch", () => {
  it("streams ADDED/MODIFIED/DELETED for store changes with increasing resourceVersions", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: "watched" });
    const events: Array<{ type: string; name: string; rv: number }> = [];
    const watch = new Watch(kc);
    const controller = await watch.watch(
      "/api/v1/namespaces/watched/configmaps",
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj) => events.push({ type, name: obj.metadata.name, rv: Number(obj.metadata.resourceVersion) }),
      () => {},
    );
    sandbox.store.upsert({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "w", namespace: "watched" },
      data: { a: "1" },
    });
    sandbox.store.upsert({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "w", namespace: "watched" },
      data: { a: "2" },
    });
    sandbox.store.upsert({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other", namespace: "elsewhere" } });
    sandbox.store.remove("v1", "ConfigMap", "watched", "w");
    await waitFor(async () => (events.length >= 3 ? true : undefined), "three watch events");
    controller.abort();
    expect(events.map((e) => `${e.type} ${e.name}`)).toEqual(["ADDED w", "MODIFIED w", "DELETED w"]);
    expect(events[1].rv).toBeGreaterThan(events[0].rv);
    expect(events[2].rv).toBeGreaterThan(events[1].rv);
  });

  it("starts with ADDED for existing objects when no resourceVersion is given", async () => {
    const events: string[] = [];
    const done = new Promise<unknown>((resolve) => {
      new Watch(kc).watch(
        "/api/v1/namespaces/shop/pods",
        { labelSelector: "app=web", timeoutSeconds: 1 },
        (type, obj) => events.push(`${type} ${obj.metadata.name}`),
        resolve,
      );
    });
    await done;
    expect(events).toEqual(["ADDED web-1", "ADDED web-2"]);
  });

  it("answers a too-old resourceVersion with an ERROR event carrying 410 Expired", async () => {
    const small = await startSandbox({ objects: [], watchWindow: 5 });
    try {
      const kc2 = new KubeConfig();
      kc2.loadFromString(small.kubeconfig());
      for (let i = 0; i < 10; i++)
        small.store.upsert({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c${i}`, namespace: "default" } });
      const received: Array<{ type: string; obj: { code?: number; reason?: string } }> = [];
      await new Promise<unknown>((resolve) => {
        new Watch(kc2).watch(
          "/api/v1/configmaps",
          { resourceVersion: "1" },
          (type, obj) => received.push({ type, obj }),
          resolve,
        );
      });
      expect(received).toHaveLength(1);
      expect(received[0].type).toBe("ERROR");
      expect(received[0].obj).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });

      // A continue token from before the window is Gone too.
      const core2 = kc2.makeApiClient(CoreV1Api);
      const page = await core2.listNamespacedConfigMap({ namespace: "default", limit: 2 });
      for (let i = 0; i < 10; i++)
        small.store.upsert({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `d${i}`, namespace: "default" } });
      const f = await failureOf(
        core2.listNamespacedConfigMap({ namespace: "default", limit: 2, _continue: page.metadata?._continue }),
      );
      expect(f.code).toBe(410);
      expect(f.status.reason).toBe("Expired");
    } finally {
      await small.close();
    }
  });
  it("ends open watches when the sandbox closes", async () => {
    const other = await startSandbox({});
    const kc2 = new KubeConfig();
    kc2.loadFromString(other.kubeconfig());
    let ended = false;
    const done = new Promise<void>((resolve) => {
      new Watch(kc2).watch(
        "/api/v1/pods",
        {},
        () => {},
        () => {
          ended = true;
          resolve();
        },
      );
    });
    await waitFor(async () => (other.requests.some((r) => r.verb === "watch") ? true : undefined), "watch request");
    expect(ended).toBe(false);
    await other.close();
    await done;
    expect(ended).toBe(true);
  });
});

describe("faults and request log", () => {
  it("fails every 3rd pods list with 503 ServiceUnavailable", async () => {
    const fault = sandbox.faults.add({ verb: "list", resource: "pods", every: 3, status: 503 });
    try {
      const outcomes: number[] = [];
      for (let i = 0; i < 6; i++) {
        try {
          await core.listNamespacedPod({ namespace: "shop" });
          outcomes.push(200);
        } catch (err) {
          outcomes.push((err as ApiException<unknown>).code);
        }
      }
      expect(outcomes).toEqual([200, 200, 503, 200, 200, 503]);
      expect(fault.fired).toBe(2);
    } finally {
      fault.remove();
    }
    await core.listNamespacedPod({ namespace: "shop" });
  });

  it("drops the connection when asked", async () => {
    const fault = sandbox.faults.add({ path: /\/configmaps\/created$/, drop: true, times: 1 });
    await expect(core.readNamespacedConfigMap({ name: "created", namespace: "shop" })).rejects.toThrow();
    expect(fault.fired).toBe(1);
    const cm = await core.readNamespacedConfigMap({ name: "created", namespace: "shop" });
    expect(cm.metadata?.name).toBe("created");
    fault.remove();
  });

  it("rate-limits with 429 and Retry-After", async () => {
    const fault = sandbox.faults.add({ resource: "nodes", retryAfterSeconds: 2, times: 1 });
    const res = await fetch(`${sandbox.url}/api/v1/nodes`);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toMatchObject({
      kind: "Status",
      reason: "TooManyRequests",
      details: { retryAfterSeconds: 2 },
    });
    fault.remove();
  });

  it("records each request's verb, group, version, resource and namespace", async () => {
    sandbox.clearRequests();
    await apps.listNamespacedDeployment({ namespace: "shop" });
    await core.readNamespacedPod({ name: "web-1", namespace: "shop" });
    await core.readNamespacedPodStatus({ name: "web-1", namespace: "shop" });
    expect(
      sandbox.requests.map(({ verb, group, version, resource, subresource, namespace, name }) => ({
        verb,
        group,
        version,
        resource,
        subresource,
        namespace,
        name,
      })),
    ).toEqual([
      {
        verb: "list",
        group: "apps",
        version: "v1",
        resource: "deployments",
        subresource: undefined,
        namespace: "shop",
        name: undefined,
      },
      {
        verb: "get",
        group: "",
        version: "v1",
        resource: "pods",
        subresource: undefined,
        namespace: "shop",
        name: "web-1",
      },
      {
        verb: "get",
        group: "",
        version: "v1",
        resource: "pods",
        subresource: "status",
        namespace: "shop",
        name: "web-1",
      },
    ]);
  });
});
