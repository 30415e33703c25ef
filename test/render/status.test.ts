// Snapshots of /upgrade-status in chat: a busy cluster (grouped nodes, outdated add-ons, releases
// not deployed, jobs, a last check) and a quiet one, and the reply when the status cannot be read.
import { describe, expect, it } from "vitest";
import { renderStatus, statusFailureMessage } from "../../src/render/status.ts";
import type { ClusterStatus } from "../../src/status/buildStatus.ts";

const busy: ClusterStatus = {
  cluster: "prod",
  serverVersion: "v1.31.4",
  nodeCount: 44,
  nodeGroups: [
    { version: "v1.31.4", ready: true, count: 40, examples: ["worker-1", "worker-2", "worker-3", "worker-4"] },
    { version: "v1.31.4", ready: false, count: 3, examples: ["worker-41", "worker-42", "worker-43"] },
    { version: "v1.30.9", ready: false, count: 1, examples: ["old-broken"] },
  ],
  addons: [
    {
      name: "CoreDNS",
      version: "1.11.3",
      expected: "≥ 1.11.1",
      outdated: false,
      source: "image",
      where: "kube-system/coredns",
    },
    { name: "ingress", version: "1.8.0", expected: "1.11.5", outdated: true, source: "microk8s" },
    { name: "metrics-server", outdated: false, source: "upshift.yaml" },
  ],
  releasesNotDeployed: [{ namespace: "cattle-system", name: "fleet", status: "pending-upgrade", revision: 2 }],
  jobs: [
    { queue: "check", state: "waiting", id: "1", detail: "→ 1.32" },
    { queue: "watch", state: "active", id: "2" },
  ],
  lastCheck: {
    cluster: "prod",
    target: "1.32",
    serverVersion: "v1.31.4",
    verdict: "blocked",
    counts: { blocker: 1, high: 0, medium: 0, low: 0, info: 0 },
    checkedAt: "2026-03-01T10:00:00.000Z",
    ageMinutes: 30,
  },
};

const quiet: ClusterStatus = {
  cluster: "edge",
  serverVersion: "v1.32.0",
  nodeCount: 1,
  nodeGroups: [{ version: "v1.32.0", ready: true, count: 1, examples: ["edge-1"] }],
  addons: [],
  releasesNotDeployed: [],
  helmNamespaces: ["apps", "kube-system"],
  jobs: [],
};

describe("status text", () => {
  it("a busy cluster", () => {
    expect(renderStatus(busy).text).toMatchSnapshot();
  });

  it("the status could not be read", () => {
    expect(statusFailureMessage("prod", "connect ECONNREFUSED 127.0.0.1:6443")).toMatchSnapshot();
  });

  it("a quiet cluster read in narrow Secrets mode, never checked", () => {
    expect(renderStatus(quiet).text).toMatchSnapshot();
    expect(
      renderStatus({ ...quiet, helmNamespaces: ["apps"], releasesNotDeployed: busy.releasesNotDeployed }).text,
    ).toMatchSnapshot();
  });
});
