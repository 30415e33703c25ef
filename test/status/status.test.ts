// /upgrade-status against the sandbox, real BullMQ queues and the LastCheckStore on the test redis.
import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { upgradeStatusCommand } from "../../commands/upgradeStatus.ts";
import { plainUserText } from "../../src/chat/userText.ts";
import { helmReleaseSecret } from "../../src/helm/release.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { QUEUE_NAMES } from "../../src/queue/jobs.ts";
import { LastCheckStore } from "../../src/queue/lastCheckStore.ts";
import { renderStatus } from "../../src/render/status.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { buildStatus } from "../../src/status/buildStatus.ts";
import { collectStatus } from "../../src/status/collectStatus.ts";
import { node } from "../watch/helpers.ts";

const nodeAt = (name: string, version: string, ready: boolean): KubeObject => {
  const n = node(name, ready);
  n.status.nodeInfo.kubeletVersion = version;
  return n;
};

const deployment = (ns: string, name: string, image: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
  },
});

describe("/upgrade-status", () => {
  let sandbox: SandboxServer;
  let redis: Redis;
  let check: Queue;
  const prefix = `t-status-${randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const nodes = [
      ...Array.from({ length: 40 }, (_, i) => nodeAt(`worker-${i}`, "v1.31.4", true)),
      ...Array.from({ length: 12 }, (_, i) => nodeAt(`old-${i}`, "v1.30.9", true)),
      nodeAt("old-broken", "v1.30.9", false),
    ];
    sandbox = await startSandbox({
      serverVersion: "v1.31.4",
      objects: [
        ...nodes,
        deployment("ingress-nginx", "ingress-nginx-controller", "registry.k8s.io/ingress-nginx/controller:v1.8.0"),
        deployment("kube-system", "coredns", "registry.k8s.io/coredns/coredns:v1.11.3"),
        helmReleaseSecret({
          name: "fleet",
          namespace: "cattle-system",
          revision: 1,
          status: "superseded",
          chart: "fleet-105.0.0+up0.11.0",
        }),
        helmReleaseSecret({
          name: "fleet",
          namespace: "cattle-system",
          revision: 2,
          status: "pending-upgrade",
          chart: "fleet-106.0.0+up0.12.0-rc.3",
        }),
        helmReleaseSecret({ name: "web", namespace: "apps", revision: 3, status: "deployed", chart: "web-1.2.3" }),
      ],
    });
    redis = new Redis(inject("redisUrl"));
    check = new Queue(QUEUE_NAMES.check, { connection: redis, prefix });
    await check.add("check", { kind: "check", cluster: "sb", target: "1.32" });
    await check.add("check", { kind: "check", cluster: "other" });
    await new LastCheckStore(redis, prefix).save({
      cluster: "sb",
      target: "1.32",
      serverVersion: "v1.31.4",
      verdict: "blocked",
      counts: { blocker: 1, high: 2, medium: 0, low: 0, info: 0 },
      checkedAt: "2026-03-01T10:00:00.000Z",
    });
  });
  afterAll(async () => {
    await check.close();
    redis.disconnect();
    await sandbox.close();
  });

  it("renders versions, grouped nodes, outdated add-ons, non-deployed releases, queued jobs and the last verdict", async () => {
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("sb"), { timeoutMs: 5_000 });
    const status = await collectStatus(
      "sb",
      {
        client: clusters.client("sb"),
        queues: { check },
        lastChecks: new LastCheckStore(redis, prefix),
        microk8sStatus: async () =>
          "addons:\n  - name: ingress\n    status: enabled\n    version: 1.8.0\n  - name: dns\n    status: disabled\n",
      },
      new Date("2026-03-01T10:30:00.000Z"),
    );
    expect(status.nodeGroups.map((g) => [g.version, g.ready, g.count])).toEqual([
      ["v1.30.9", true, 12],
      ["v1.30.9", false, 1],
      ["v1.31.4", true, 40],
    ]);
    expect(status.releasesNotDeployed).toEqual([
      { namespace: "cattle-system", name: "fleet", status: "pending-upgrade", revision: 2 },
    ]);
    expect(status.jobs).toHaveLength(1);
    const text = renderStatus(status).text;
    expect(text).toContain("API server v1.31.4");
    expect(text).toContain("40 × v1.31.4 Ready");
    expect(text).toContain("1 × v1.30.9 *NotReady*: old-broken");
    expect(text.split("\n").filter((l) => l.includes("worker-")).length).toBe(1);
    expect(text).toMatch(/ingress-nginx controller v1\.8\.0 \(expected ≥ 1\.12\.0\) \*outdated\*/);
    expect(text).toMatch(/ingress 1\.8\.0 \(expected 1\.11\.5\) \*outdated\*/); // MicroK8s 1.31 track tip ships 1.11.5
    expect(text).not.toMatch(/CoreDNS.*outdated/);
    expect(text).toContain("cattle-system/fleet rev 2: `pending-upgrade`");
    expect(text).not.toContain("apps/web");
    expect(text).toContain("check waiting (→ 1.32)");
    expect(text).toContain("blocked for 1.32 (2026-03-01 10:00 UTC, 30 min ago)");
  });

  it("with UPSHIFT_HELM_NAMESPACES lists releases only there, skips a namespace that refuses, and says where it looked", async () => {
    const clusters = ClusterDirectory.fromString(sandbox.kubeconfig("sb"), { timeoutMs: 5_000 });
    const refused = sandbox.faults.add({ verb: "list", resource: "secrets", namespace: "apps", status: 403 });
    sandbox.clearRequests();
    try {
      const status = await collectStatus("sb", {
        client: clusters.client("sb"),
        queues: {},
        helmNamespaces: ["apps", "kube-system"],
      });
      // cattle-system's pending release is not seen: Upshift may not read Secrets there.
      expect(status.releasesNotDeployed).toEqual([]);
      const text = renderStatus(status).text;
      expect(text).toContain(
        "*Helm releases (namespaces apps, kube-system only: no access to Secrets elsewhere):* all deployed",
      );
      const secretLists = sandbox.requests.filter((r) => r.resource === "secrets");
      expect(secretLists.map((r) => r.namespace).sort()).toEqual(["apps", "kube-system"]);
    } finally {
      refused.remove();
    }
  });

  it("queues a status job for a known context and refuses an unknown one", async () => {
    const added: unknown[] = [];
    const cmd = upgradeStatusCommand({
      clusters: { names: () => ["sb", "prod"], defaultName: () => undefined },
      statusQueue: { add: (async (_n: string, d: unknown) => added.push(d)) as never },
    });
    const inv = {
      platform: "slack" as const,
      name: "upgrade-status",
      requester: { platform: "slack" as const, userId: "U1" },
      channel: "C1",
    };
    const unknown = await cmd.handle({ ...inv, text: "nope" });
    expect(unknown.refused).toBe(true);
    expect(plainUserText(unknown.text)).toContain('unknown cluster context "nope"');
    expect(await cmd.handle({ ...inv, text: "" })).toMatchObject({ refused: true });
    expect(await cmd.handle({ ...inv, text: "prod" })).toMatchObject({ refused: false });
    expect(added).toMatchObject([{ kind: "status", cluster: "prod", reply: { channel: "C1" } }]);
  });

  it("lists every add-on instance: a MicroK8s DaemonSet upgraded to another instance's version stays listed", () => {
    const daemonSet: KubeObject = {
      ...deployment("ingress", "nginx-ingress-microk8s-controller", "registry.k8s.io/ingress-nginx/controller:v1.12.1"),
      kind: "DaemonSet",
    };
    const status = buildStatus({
      cluster: "edge",
      serverVersion: "v1.32.3",
      nodes: [],
      workloads: [
        deployment("demo", "ingress-nginx-controller", "registry.k8s.io/ingress-nginx/controller:v1.12.1"),
        daemonSet,
      ],
      helmSecrets: [],
      jobs: [],
      now: new Date("2026-12-01T10:00:00Z"),
    });
    expect(status.addons.map((a) => [a.name, a.version, a.where])).toEqual([
      ["ingress-nginx controller", "v1.12.1", "Deployment demo/ingress-nginx-controller"],
      ["ingress-nginx controller", "v1.12.1", "DaemonSet ingress/nginx-ingress-microk8s-controller"],
    ]);
  });
});
