// The opt-in node-metrics component: its role grants exactly what the kubelet-metrics read path
// asks for (get nodes/proxy), the read path asks for nothing else, and without the grant the
// preflight makes one refused request, then judges nodes from status.nodeInfo instead.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRules } from "../../deploy/kubernetes/rbac.ts";
import { node02CgroupV1 } from "../../src/checks/catalog/node-02-cgroup-v1.ts";
import { runPreflight } from "../../src/checks/preflight.ts";
import { KUBELET_METRICS_PER_GROUP, NODE_PROXY_FORBIDDEN, readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type RequestRecord, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { find, type PolicyRuleLike, renderKustomization, rulesOf } from "./render.ts";

const al2 = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  status: {
    nodeInfo: {
      operatingSystem: "linux",
      osImage: "Amazon Linux 2",
      kernelVersion: "5.10.228-219.884.amzn2.x86_64",
      containerRuntimeVersion: "containerd://1.7.27",
      kubeletVersion: "v1.34.2",
    },
  },
});
const NODES = ["a1", "a2", "a3", "a4", "a5"].map(al2);
const V2 =
  "# HELP kubelet_cgroup_version cgroup version on the hosts.\n# TYPE kubelet_cgroup_version gauge\nkubelet_cgroup_version 2\n";

function allows(rules: PolicyRuleLike[], r: RequestRecord): boolean {
  if (r.nonResource) return rules.some((rule) => rule.nonResourceURLs?.includes(r.path) && rule.verbs.includes("get"));
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rules.some(
    (rule) => rule.apiGroups?.includes(r.group) && rule.resources?.includes(resource) && rule.verbs.includes(r.verb),
  );
}

describe("opt-in kubelet metrics (components/node-metrics)", () => {
  let sandbox: SandboxServer;
  const role = find(renderKustomization("components/node-metrics"), "ClusterRole", "upshift-node-metrics");
  const client = () => ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");

  beforeAll(async () => {
    sandbox = await startSandbox({
      objects: NODES,
      serverVersion: "v1.34.2",
      nodeProxy: { kubeletMetrics: Object.fromEntries(NODES.map((n) => [n.metadata!.name!, V2])) },
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("grants get on nodes/proxy and nothing else", () => {
    expect(rulesOf(role)).toEqual([{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }]);
    // The default role never grants it.
    expect(readRules().some((r) => r.resources?.includes("nodes/proxy"))).toBe(false);
  });

  it("with the grant: reads a few kubelets per node group, every request allowed by base + component", async () => {
    sandbox.nodeProxy.allowed = true;
    try {
      sandbox.clearRequests();
      const snap = await readSnapshot(client(), ["nodes"], { readNodeMetrics: true });
      const proxied = sandbox.requests.filter((r) => r.subresource === "proxy");
      expect(proxied).toHaveLength(KUBELET_METRICS_PER_GROUP);
      expect(proxied.every((r) => r.path.endsWith("/proxy/metrics"))).toBe(true);
      expect(snap.kubeletMetrics?.byNode.size).toBe(KUBELET_METRICS_PER_GROUP);
      const rules = [...(readRules() as PolicyRuleLike[]), ...rulesOf(role)];
      expect(sandbox.requests.filter((r) => !allows(rules, r)).map((r) => r.path)).toEqual([]);
      expect(sandbox.requests.filter((r) => !allows(readRules() as PolicyRuleLike[], r))).toEqual(proxied);
    } finally {
      sandbox.nodeProxy.allowed = false;
    }
  });

  it("without the grant: one refused request, no error, and the reason recorded", async () => {
    sandbox.clearRequests();
    const snap = await readSnapshot(client(), ["nodes"], { readNodeMetrics: true });
    expect(sandbox.requests.filter((r) => r.subresource === "proxy")).toHaveLength(1);
    expect(snap.kubeletMetrics).toEqual({ byNode: new Map(), missing: NODE_PROXY_FORBIDDEN });
  });

  it("the preflight trusts the kubelets when it may read them, and falls back to nodeInfo when not", async () => {
    const forbidden = await runPreflight(client(), { checks: [node02CgroupV1], target: "1.35" });
    expect(forbidden.findings).toHaveLength(1);
    expect(forbidden.findings[0]).toMatchObject({ check: "NODE-02", severity: "blocker" });
    expect(forbidden.findings[0].message).toContain("5 nodes (a1, a2, a3, a4, a5) likely run cgroup v1");
    expect(forbidden.findings[0].message).toContain(NODE_PROXY_FORBIDDEN);

    sandbox.nodeProxy.allowed = true;
    try {
      const allowed = await runPreflight(client(), { checks: [node02CgroupV1], target: "1.35" });
      expect(allowed.findings).toEqual([]);
      expect(allowed.verdict).toBe("ready");
    } finally {
      sandbox.nodeProxy.allowed = false;
    }
  });

  it("names kubelets that did not answer and still judges their groups from nodeInfo", async () => {
    sandbox.nodeProxy.allowed = true;
    const saved = { ...sandbox.nodeProxy.kubeletMetrics };
    sandbox.nodeProxy.kubeletMetrics = {};
    try {
      const snap = await readSnapshot(client(), ["nodes"], { readNodeMetrics: true });
      expect(snap.kubeletMetrics?.byNode.size).toBe(0);
      expect(snap.kubeletMetrics?.missing).toBe(
        "kubelets that did not answer: a1: HTTP 503, a2: HTTP 503, a3: HTTP 503",
      );
    } finally {
      sandbox.nodeProxy.allowed = false;
      sandbox.nodeProxy.kubeletMetrics = saved;
    }
  });
});
