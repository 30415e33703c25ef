// The sandbox's node proxy answers as a real API server does: 403 without nodes/proxy (the
// default, like Upshift's own role), 404 for a node that does not exist, the kubelet's text when
// allowed, and 503 "error trying to reach service" for a kubelet it has no answer for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { parseFixture, SANDBOX_TOKEN, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const nodes: KubeObject[] = [
  {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1" },
    status: { addresses: [{ type: "InternalIP", address: "10.0.0.11" }] },
  },
  { apiVersion: "v1", kind: "Node", metadata: { name: "node-2" } },
];

describe("sandbox node proxy", () => {
  let sandbox: SandboxServer;
  const get = (path: string) =>
    fetch(`${sandbox.url}${path}`, { headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` } });

  beforeAll(async () => {
    sandbox = await startSandbox({
      objects: nodes,
      nodeProxy: { kubeletMetrics: { "node-2": "kubelet_cgroup_version 2\n" } },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("refuses nodes/proxy by default with a Forbidden Status, and records the subresource", async () => {
    sandbox.clearRequests();
    const res = await get("/api/v1/nodes/node-2/proxy/metrics");
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        'nodes "node-2" is forbidden: User "sandbox" cannot get resource "nodes/proxy" in API group "" at the cluster scope',
      reason: "Forbidden",
      details: { name: "node-2", kind: "nodes" },
      code: 403,
    });
    // Authorization comes first: a missing node is refused the same way.
    expect((await get("/api/v1/nodes/nope/proxy/metrics")).status).toBe(403);
    expect(sandbox.requests[0]).toMatchObject({
      verb: "get",
      group: "",
      resource: "nodes",
      subresource: "proxy",
      name: "node-2",
    });
  });

  it("when allowed: the kubelet's metrics, 404 for unknown nodes, 503 for an unreachable kubelet", async () => {
    sandbox.nodeProxy.allowed = true;
    try {
      const ok = await get("/api/v1/nodes/node-2/proxy/metrics");
      expect(ok.status).toBe(200);
      expect(ok.headers.get("content-type")).toContain("text/plain");
      expect(await ok.text()).toBe("kubelet_cgroup_version 2\n");

      const missing = await get("/api/v1/nodes/nope/proxy/metrics");
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ reason: "NotFound", message: 'nodes "nope" not found' });

      const down = await get("/api/v1/nodes/node-1/proxy/metrics");
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        reason: "ServiceUnavailable",
        message: "error trying to reach service: dial tcp 10.0.0.11:10250: connect: connection refused",
      });

      const healthz = await get("/api/v1/nodes/node-1/proxy/healthz");
      expect(await healthz.text()).toBe("ok");
    } finally {
      sandbox.nodeProxy.allowed = false;
    }
  });

  it("reads the node proxy from a fixture's SandboxSettings and refuses malformed settings", () => {
    const fixture = parseFixture(
      "apiVersion: sandbox.upshift.dev/v1\nkind: SandboxSettings\nspec:\n  nodeProxy:\n    allowed: true\n    kubeletMetrics:\n      node-1: |\n        kubelet_cgroup_version 1\n",
    );
    expect(fixture.settings.nodeProxy).toEqual({
      allowed: true,
      kubeletMetrics: { "node-1": "kubelet_cgroup_version 1\n" },
    });
    expect(() =>
      parseFixture(
        "apiVersion: sandbox.upshift.dev/v1\nkind: SandboxSettings\nspec:\n  nodeProxy:\n    allowed: yes-please\n",
      ),
    ).toThrow("spec.nodeProxy.allowed must be true or false");
  });
});
