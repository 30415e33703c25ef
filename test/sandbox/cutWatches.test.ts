// faults.cutWatches(): open watch streams end abruptly, seen through @kubernetes/client-node's Watch
// over a real socket. Unlike a `drop` rule (new requests only), it hits streams already running.
import { KubeConfig, Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { SANDBOX_TOKEN, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

let sandbox: SandboxServer;
let kc: KubeConfig;

beforeAll(async () => {
  sandbox = await startSandbox({
    objects: [
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "apps" }, spec: {} },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cfg", namespace: "apps" }, data: { n: "0" } },
    ],
  });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
});

afterAll(async () => {
  await sandbox?.close();
});

interface OpenedWatch {
  events: Array<{ type: string; name?: string; rv?: string }>;
  /** Settles with the done callback's argument. */
  done: Promise<unknown>;
  controller: AbortController;
}

async function openWatch(
  path: string,
  params: Record<string, string | number | boolean | undefined> = {},
): Promise<OpenedWatch> {
  const events: OpenedWatch["events"] = [];
  let settle!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => {
    settle = r;
  });
  const controller = await new Watch(kc).watch(
    path,
    params,
    (type: string, obj: KubeObject) =>
      events.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion }),
    (err: unknown) => settle(err ?? null),
  );
  return { events, done, controller };
}

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function listRv(path: string): Promise<string> {
  const res = await fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } });
  const body = (await res.json()) as { metadata: { resourceVersion: string } };
  return body.metadata.resourceVersion;
}

const pod = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "apps" },
  spec: {},
});

describe("faults.cutWatches", () => {
  it("ends the open matching watches with an error and leaves the others running", async () => {
    const rv = await listRv("/api/v1/pods");
    const pods = await openWatch("/api/v1/pods", { resourceVersion: rv });
    const podsInNs = await openWatch("/api/v1/namespaces/apps/pods", { resourceVersion: rv });
    const cms = await openWatch("/api/v1/configmaps", { resourceVersion: rv });
    sandbox.store.upsert(pod("web-2"));
    await until("web-2 on both pod watches", () => pods.events.length === 1 && podsInNs.events.length === 1);

    expect(sandbox.faults.cutWatches({ resource: "pods", namespace: "apps" })).toBe(1);
    const err = (await podsInNs.done) as Error;
    // An abrupt end reaches `done` as an error (a clean end would be null).
    expect(err).toBeInstanceOf(Error);

    expect(sandbox.faults.cutWatches({ resource: "pods" })).toBe(1);
    expect(await pods.done).toBeInstanceOf(Error);

    // The ConfigMap watch is still open and delivering.
    sandbox.store.upsert({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "apps" },
      data: { n: "1" },
    });
    await until("the ConfigMap change", () => cms.events.some((e) => e.type === "MODIFIED" && e.name === "cfg"));
    // A cut watch is gone for good: changes after it do not reach the old stream.
    sandbox.store.upsert(pod("web-3"));
    await new Promise((r) => setTimeout(r, 100));
    expect(pods.events.map((e) => e.name)).toEqual(["web-2"]);

    // New watches are unaffected, and one resumed from the last resourceVersion seen gets what was missed.
    const resumed = await openWatch("/api/v1/pods", { resourceVersion: pods.events[0].rv });
    await until("web-3 on the resumed watch", () => resumed.events.length === 1);
    expect(resumed.events[0]).toMatchObject({ type: "ADDED", name: "web-3" });

    expect(sandbox.faults.cutWatches()).toBe(2);
    expect(await cms.done).toBeInstanceOf(Error);
    expect(await resumed.done).toBeInstanceOf(Error);
    expect(sandbox.faults.cutWatches()).toBe(0);
  });

  it("a watch that ends by its timeoutSeconds ends cleanly (done gets no error)", async () => {
    const w = await openWatch("/api/v1/configmaps", {
      resourceVersion: await listRv("/api/v1/configmaps"),
      timeoutSeconds: 1,
    });
    expect(await w.done).toBeNull();
  });
});
