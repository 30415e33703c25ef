// Least privilege, proven: the real preflight read path runs against the sandbox API server, and
// every request it makes must be allowed by the rendered upshift-read ClusterRole; in turn every
// grant of that role must correspond to a resource Upshift reads (src/kube/resources.ts).
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRules, RBAC_FILE, renderReadRbac } from "../../deploy/kubernetes/rbac.ts";
import { readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeObject, RESOURCES, type ResourceKey } from "../../src/kube/resources.ts";
import { type RequestRecord, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { ResourceStream } from "../../src/watch/resourceStream.ts";
import { WATCHED_RESOURCES } from "../../src/watch/watchedResources.ts";
import { find, type PolicyRuleLike, REPO_ROOT, renderOverlay, rulesOf } from "./render.ts";

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "apps", ...extra });
const podTemplate = {
  metadata: { labels: { app: "web" } },
  spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
};

/** One object of every kind in RESOURCES, so every list returns something real. */
const FIXTURE: KubeObject[] = [
  {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1" },
    status: { conditions: [{ type: "Ready", status: "True" }] },
  },
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } },
  { apiVersion: "v1", kind: "Pod", metadata: meta("web-1"), spec: podTemplate.spec },
  { apiVersion: "v1", kind: "ConfigMap", metadata: meta("web-config"), data: { a: "b" } },
  {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta("sh.helm.release.v1.web.v1", {
      labels: { owner: "helm", name: "web", status: "deployed", version: "1" },
    }),
    type: "helm.sh/release.v1",
    data: { release: "" },
  },
  { apiVersion: "v1", kind: "Secret", metadata: meta("web-token"), type: "Opaque", data: { t: "eA==" } },
  {
    apiVersion: "v1",
    kind: "Event",
    metadata: meta("web-1.1"),
    involvedObject: { kind: "Pod", name: "web-1", namespace: "apps" },
    reason: "Unhealthy",
    message: "Liveness probe failed",
    type: "Warning",
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta("web"),
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
  },
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("web"),
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: podTemplate },
  },
  {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: meta("db"),
    spec: { replicas: 1, serviceName: "db", selector: { matchLabels: { app: "web" } }, template: podTemplate },
  },
  {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta("agent"),
    spec: { selector: { matchLabels: { app: "web" } }, template: podTemplate },
  },
  {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: meta("web-abc"),
    spec: { replicas: 1, selector: { matchLabels: { app: "web" } }, template: podTemplate },
  },
  {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: meta("web"),
    spec: { minAvailable: 1, selector: { matchLabels: { app: "web" } } },
  },
  {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("web"),
    spec: { rules: [{ host: "web.example.com" }] },
  },
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: meta("web"),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
      minReplicas: 1,
      maxReplicas: 3,
    },
  },
  { apiVersion: "batch/v1", kind: "CronJob", metadata: meta("nightly"), spec: { schedule: "0 3 * * *" } },
  { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta("deny"), spec: { podSelector: {} } },
  { apiVersion: "networking.k8s.io/v1", kind: "IngressClass", metadata: { name: "nginx" } },
  { apiVersion: "networking.k8s.io/v1", kind: "ServiceCIDR", metadata: { name: "extra" } },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: meta("reader"), rules: [] },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta("reader") },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "viewer" }, rules: [] },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "viewer" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingWebhookConfiguration", metadata: { name: "m" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingWebhookConfiguration", metadata: { name: "v" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "p" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "p" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicy", metadata: { name: "p" } },
  { apiVersion: "admissionregistration.k8s.io/v1", kind: "MutatingAdmissionPolicyBinding", metadata: { name: "p" } },
  { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", metadata: { name: "v1beta1.metrics.k8s.io" } },
  { apiVersion: "storage.k8s.io/v1", kind: "StorageClass", metadata: { name: "fast" }, provisioner: "x" },
  { apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", metadata: { name: "csi.example.com" } },
  { apiVersion: "storage.k8s.io/v1", kind: "VolumeAttributesClass", metadata: { name: "gold" }, driverName: "x" },
  { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "high" }, value: 1000 },
  { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler: "runsc" },
  { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: meta("web-abc"), addressType: "IPv4" },
  { apiVersion: "flowcontrol.apiserver.k8s.io/v1", kind: "FlowSchema", metadata: { name: "fs" } },
  { apiVersion: "flowcontrol.apiserver.k8s.io/v1", kind: "PriorityLevelConfiguration", metadata: { name: "pl" } },
  { apiVersion: "resource.k8s.io/v1", kind: "DeviceClass", metadata: { name: "gpu" } },
  { apiVersion: "resource.k8s.io/v1", kind: "ResourceClaim", metadata: meta("gpu") },
  { apiVersion: "resource.k8s.io/v1", kind: "ResourceClaimTemplate", metadata: meta("gpu") },
  // Alpha versions a cluster serves only when enabled: the fixture enables them in the sandbox.
  { apiVersion: "storagemigration.k8s.io/v1alpha1", kind: "StorageVersionMigration", metadata: { name: "svm" } },
  { apiVersion: "scheduling.k8s.io/v1alpha2", kind: "Workload", metadata: meta("train") },
  { apiVersion: "scheduling.k8s.io/v1alpha2", kind: "PodGroup", metadata: meta("train") },
  { apiVersion: "coordination.k8s.io/v1alpha1", kind: "LeaseCandidate", metadata: meta("kcm-1") },
];

function allows(rules: PolicyRuleLike[], r: RequestRecord): boolean {
  if (r.nonResource) {
    const path = r.path.split("?")[0];
    return rules.some(
      (rule) => rule.nonResourceURLs?.includes(path) && rule.verbs.includes("get") && r.method === "GET",
    );
  }
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  return rules.some(
    (rule) => rule.apiGroups?.includes(r.group) && rule.resources?.includes(resource) && rule.verbs.includes(r.verb),
  );
}

/** Reads the catalogue's declared reads when the catalogue exists; the whole RESOURCES table otherwise. */
async function catalogReads(): Promise<ResourceKey[] | undefined> {
  const path = `${REPO_ROOT}src/checks/catalog/index.ts`;
  if (!existsSync(path)) return undefined;
  const mod = (await import(path)) as { allChecks?: Array<{ reads: readonly ResourceKey[] }> };
  return mod.allChecks?.flatMap((c) => [...c.reads]);
}

describe("upshift-read ClusterRole", () => {
  let sandbox: SandboxServer;
  const role = find(renderOverlay("read-only"), "ClusterRole", "upshift-read");
  const rules = rulesOf(role);

  beforeAll(async () => {
    sandbox = await startSandbox({ objects: FIXTURE });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  async function readAsPreflight(keys: Iterable<ResourceKey>): Promise<RequestRecord[]> {
    sandbox.clearRequests();
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");
    await client.serverVersion();
    const snap = await readSnapshot(client, keys, { readMetrics: true });
    expect(snap.apiServerMetrics, "/metrics was read").toBeTruthy();
    return [...sandbox.requests];
  }

  it("is the committed deploy/kubernetes/base/rbac.yaml, generated from RESOURCES (run node deploy/kubernetes/rbac.ts after editing the table)", () => {
    expect(readFileSync(RBAC_FILE, "utf8")).toBe(renderReadRbac());
    expect(rules).toEqual(readRules());
  });

  it("allows every request of the catalogue's preflight read path", async () => {
    const keys = (await catalogReads()) ?? (Object.keys(RESOURCES) as ResourceKey[]);
    const requests = await readAsPreflight(keys);
    expect(requests.length).toBeGreaterThan(3);
    const denied = requests.filter((r) => !allows(rules, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);
    // And a read-only role is only ever asked to read.
    expect(new Set(requests.map((r) => r.method))).toEqual(new Set(["GET"]));
  });

  it("grants nothing that reading the RESOURCES table does not use", async () => {
    const requests = await readAsPreflight(Object.keys(RESOURCES) as ResourceKey[]);
    const denied = requests.filter((r) => !allows(rules, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);

    const used = new Set(requests.filter((r) => !r.nonResource).map((r) => `${r.group}/${r.resource}`));
    const usedPaths = new Set(requests.filter((r) => r.nonResource).map((r) => r.path.split("?")[0]));
    const table = new Set(Object.values(RESOURCES).map((d) => `${groupOf(d.apiVersion)}/${d.plural}`));
    for (const rule of rules) {
      expect(rule.verbs).toEqual(rule.nonResourceURLs ? ["get"] : ["get", "list", "watch"]);
      for (const url of rule.nonResourceURLs ?? []) expect(usedPaths, `nonResourceURL ${url} is read`).toContain(url);
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) {
          const key = `${group}/${resource}`;
          expect(table, `${key} is in RESOURCES`).toContain(key);
          expect(used, `${key} is listed by the read path`).toContain(key);
        }
      }
    }
    // And the other way round: every RESOURCES entry is granted.
    for (const key of table) {
      const [group, resource] = key.split("/");
      expect(
        rules.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource)),
        `${key} is granted`,
      ).toBe(true);
    }
  });

  it("allows every request of /upgrade-watch's list+watch streams", async () => {
    sandbox.clearRequests();
    const dir = ClusterDirectory.fromString(sandbox.kubeconfig("t"));
    const streams = Object.values(WATCHED_RESOURCES).map(
      (def) =>
        new ResourceStream(
          def,
          dir.client("t"),
          dir.kubeConfig("t"),
          { onList() {}, onEvent() {} },
          { timeoutSeconds: 5 },
        ),
    );
    try {
      for (const s of streams) s.start();
      await Promise.all(streams.map((s) => s.connected()));
    } finally {
      await Promise.all(streams.map((s) => s.stop()));
    }
    const requests = [...sandbox.requests];
    const watched = new Set(requests.filter((r) => r.verb === "watch").map((r) => r.resource));
    expect(watched.size).toBeGreaterThanOrEqual(new Set(Object.values(WATCHED_RESOURCES).map((d) => d.plural)).size);
    const denied = requests.filter((r) => !allows(rules, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);
  });

  it("would catch a missing grant: a role without pods denies the pods list", async () => {
    const requests = await readAsPreflight(["pods"]);
    const withoutPods = rules.map((r) => ({ ...r, resources: r.resources?.filter((x) => x !== "pods") }));
    expect(requests.some((r) => r.resource === "pods" && !allows(withoutPods, r))).toBe(true);
  });
});
