// What the real registries fill in and keep, which clients (Helm's --wait, kubectl apply) rely on:
// Service clusterIPs and nodePorts, status dropped on create, metadata.generation on spec changes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

let sandbox: SandboxServer;
beforeAll(async () => {
  sandbox = await startSandbox({
    objects: [
      // A seeded Service holding an address and a node port: the allocator must not hand them out again.
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "seeded", namespace: "default" },
        spec: {
          type: "NodePort",
          clusterIP: "10.96.0.2",
          clusterIPs: ["10.96.0.2"],
          ports: [{ port: 80, nodePort: 30000 }],
        },
      },
    ],
  });
});
afterAll(async () => {
  await sandbox.close();
});

async function call(method: string, path: string, body?: unknown, contentType = "application/json") {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { "Content-Type": contentType, Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as KubeObject & { message?: string } };
}

const svc = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

function inServiceCidr(ip: string): boolean {
  const [a, b] = ip.split(".").map(Number);
  return a === 10 && b >= 96 && b <= 111;
}

describe("Services", () => {
  it("get a clusterIP and clusterIPs from 10.96.0.0/12, never one already held", async () => {
    const ips = new Set<string>(["10.96.0.1", "10.96.0.2"]);
    for (const name of ["a", "b", "c"]) {
      const { status, body } = await call("POST", "/api/v1/namespaces/default/services", svc(name, {}));
      expect(status).toBe(201);
      const ip = body.spec?.clusterIP as string;
      expect(inServiceCidr(ip)).toBe(true);
      expect(ips.has(ip)).toBe(false);
      ips.add(ip);
      expect(body.spec?.clusterIPs).toEqual([ip]);
      expect(body.spec).toMatchObject({ type: "ClusterIP", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack" });
      expect(body.spec?.ports?.[0]?.nodePort).toBeUndefined();
    }
  });

  it("keep a requested clusterIP, refuse one in use or outside the range, and give headless ones None", async () => {
    const ok = await call("POST", "/api/v1/namespaces/default/services", svc("fixed", { clusterIP: "10.96.5.5" }));
    expect(ok.body.spec?.clusterIPs).toEqual(["10.96.5.5"]);
    const taken = await call("POST", "/api/v1/namespaces/default/services", svc("taken", { clusterIP: "10.96.5.5" }));
    expect(taken.status).toBe(422);
    expect(taken.body.message).toContain("already allocated");
    const outside = await call(
      "POST",
      "/api/v1/namespaces/default/services",
      svc("outside", { clusterIP: "192.0.2.1" }),
    );
    expect(outside.status).toBe(422);
    expect(outside.body.message).toContain("10.96.0.0/12");
    const headless = await call("POST", "/api/v1/namespaces/default/services", svc("headless", { clusterIP: "None" }));
    expect(headless.body.spec).toMatchObject({ clusterIP: "None", clusterIPs: ["None"] });
    const external = await call(
      "POST",
      "/api/v1/namespaces/default/services",
      svc("ext", { type: "ExternalName", externalName: "db.example.com" }),
    );
    expect(external.body.spec?.clusterIP).toBeUndefined();
  });

  it("get node ports in 30000-32767 when NodePort or LoadBalancer, unique, requested ones kept", async () => {
    const np = await call(
      "POST",
      "/api/v1/namespaces/default/services",
      svc("np", { type: "NodePort", ports: [{ port: 80 }, { port: 443, nodePort: 31443 }] }),
    );
    expect(np.status).toBe(201);
    const [first, second] = (np.body.spec?.ports ?? []) as Array<{ nodePort: number }>;
    expect(first.nodePort).toBeGreaterThanOrEqual(30000);
    expect(first.nodePort).toBeLessThanOrEqual(32767);
    expect(first.nodePort).not.toBe(30000); // the seeded Service holds it
    expect(second.nodePort).toBe(31443);
    const lb = await call("POST", "/api/v1/namespaces/default/services", svc("lb", { type: "LoadBalancer" }));
    expect(lb.body.spec?.ports?.[0]?.nodePort).not.toBe(first.nodePort);
    const dup = await call(
      "POST",
      "/api/v1/namespaces/default/services",
      svc("dup", { type: "NodePort", ports: [{ port: 80, nodePort: 31443 }] }),
    );
    expect(dup.status).toBe(422);
    expect(dup.body.message).toContain("spec.ports[0].nodePort");
  });

  it("keep clusterIP and nodePorts across an update that leaves them out, refuse changing clusterIP", async () => {
    const created = await call("POST", "/api/v1/namespaces/default/services", svc("upd", { type: "NodePort" }));
    const ip = created.body.spec?.clusterIP;
    const port = created.body.spec?.ports?.[0]?.nodePort;
    const put = await call("PUT", "/api/v1/namespaces/default/services/upd", {
      ...svc("upd", { type: "NodePort", selector: { app: "x" } }),
    });
    expect(put.status).toBe(200);
    expect(put.body.spec).toMatchObject({ clusterIP: ip, clusterIPs: [ip], selector: { app: "x" } });
    expect(put.body.spec?.ports?.[0]?.nodePort).toBe(port);
    const change = await call("PUT", "/api/v1/namespaces/default/services/upd", svc("upd", { clusterIP: "10.96.9.9" }));
    expect(change.status).toBe(422);
    expect(change.body.message).toContain("immutable");
  });

  it("free an address on delete", async () => {
    await call("POST", "/api/v1/namespaces/default/services", svc("gone", { clusterIP: "10.96.7.7" }));
    expect((await call("DELETE", "/api/v1/namespaces/default/services/gone")).status).toBe(200);
    const again = await call("POST", "/api/v1/namespaces/default/services", svc("again", { clusterIP: "10.96.7.7" }));
    expect(again.status).toBe(201);
  });
});

describe("status and generation", () => {
  const deployment = (replicas: number, extra: Record<string, unknown> = {}) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", ...extra },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } },
    },
    status: { readyReplicas: 99, observedGeneration: 42 },
  });

  it("drops status sent on create where a status subresource owns it, keeps it elsewhere", async () => {
    const dep = await call("POST", "/apis/apps/v1/namespaces/default/deployments", deployment(1));
    expect(dep.status).toBe(201);
    expect(dep.body.status).toBeUndefined();
    const pod = await call("POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
      status: { phase: "Running" },
    });
    expect(pod.body.status).toEqual({ phase: "Pending" });
    const ns = await call("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "n1" },
      status: { phase: "Terminating" },
    });
    expect(ns.body.status).toEqual({ phase: "Active" });
  });

  it("moves metadata.generation on spec changes only", async () => {
    const path = "/apis/apps/v1/namespaces/default/deployments/web";
    const get = async () => (await call("GET", path)).body;
    expect((await get()).metadata?.generation).toBe(1);
    await call("PATCH", path, { metadata: { labels: { team: "a" } } }, "application/merge-patch+json");
    expect((await get()).metadata?.generation).toBe(1);
    await call("PATCH", `${path}/status`, { status: { replicas: 1 } }, "application/merge-patch+json");
    expect((await get()).metadata?.generation).toBe(1);
    await call("PATCH", path, { spec: { replicas: 3 } }, "application/merge-patch+json");
    const after = await get();
    expect(after.metadata?.generation).toBe(2);
    const current = await get();
    const put = await call("PUT", path, { ...current, status: { readyReplicas: 7 } });
    expect(put.body.metadata?.generation).toBe(2);
    expect(put.body.status?.readyReplicas).not.toBe(7);
    expect(put.body.metadata?.uid).toBe(current.metadata?.uid);
    expect(put.body.metadata?.creationTimestamp).toBe(current.metadata?.creationTimestamp);
  });
});

describe("CustomResourceDefinitions", () => {
  const crd = (storage: string, served: string[]) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: served.map((name) => ({
        name,
        served: true,
        storage: name === storage,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      })),
    },
    status: { storedVersions: ["v0"], conditions: [] },
  });

  it("are Established with their names accepted, and storedVersions only grows", async () => {
    const created = await call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd("v1", ["v1"]));
    expect(created.status).toBe(201);
    expect(created.body.status?.storedVersions).toEqual(["v1"]);
    expect(created.body.status?.acceptedNames).toEqual({ plural: "widgets", singular: "widget", kind: "Widget" });
    const types = ((created.body.status?.conditions ?? []) as Array<{ type: string; status: string }>).map((c) => [
      c.type,
      c.status,
    ]);
    expect(types).toEqual([
      ["NamesAccepted", "True"],
      ["Established", "True"],
    ]);
    const current = (await call("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"))
      .body;
    const updated = await call("PUT", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", {
      ...crd("v2", ["v1", "v2"]),
      metadata: current.metadata,
    });
    expect(updated.status).toBe(200);
    expect(updated.body.status?.storedVersions).toEqual(["v1", "v2"]);
    // The new version is served at once.
    const list = await call("GET", "/apis/example.com/v2/namespaces/default/widgets");
    expect(list.status).toBe(200);
  });
});
