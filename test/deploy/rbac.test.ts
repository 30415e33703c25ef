// Least privilege, proven: the real preflight read path runs against the sandbox API server, and
// every request it makes must be allowed by the rendered roles and bindings; in turn every grant
// must correspond to a resource Upshift reads (src/kube/resources.ts). Both Secrets modes: the
// default (upshift-read-secrets bound cluster-wide) and helm-namespaces (bound by RoleBindings in
// the listed namespaces only), where a request is allowed only as RBAC would: by a cluster-wide
// grant, or by a namespaced one in the request's own namespace.
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  committedHelmNamespaces,
  HELM_NAMESPACES_BINDINGS,
  HELM_NAMESPACES_COMPONENT,
  RBAC_FILE,
  readRules,
  renderHelmNamespaceBindings,
  renderHelmNamespacesComponent,
  renderReadRbac,
  secretsRules,
} from "../../deploy/kubernetes/rbac.ts";
import { readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeObject, RESOURCES, type ResourceKey } from "../../src/kube/resources.ts";
import { type RequestRecord, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { ResourceStream } from "../../src/watch/resourceStream.ts";
import { WATCHED_RESOURCES } from "../../src/watch/watchedResources.ts";
import { find, type PolicyRuleLike, REPO_ROOT, renderOverlay, rulesOf } from "./render.ts";

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0] : "");
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: "apps", ...extra });
const helmRelease = (namespace: string, name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: `sh.helm.release.v1.${name}.v1`,
    namespace,
    labels: { owner: "helm", name, status: "deployed", version: "1" },
  },
  type: "helm.sh/release.v1",
  data: { release: "" },
});
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
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system" } },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta("web-1"),
    // A Secret reference: REF-01 asks for it by name, metadata only.
    spec: { ...podTemplate.spec, volumes: [{ name: "token", secret: { secretName: "web-token" } }] },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "coredns-1", namespace: "kube-system" },
    spec: { containers: [{ name: "dns", image: "coredns:1.11", envFrom: [{ secretRef: { name: "dns-extra" } }] }] },
  },
  helmRelease("kube-system", "metrics-server"),
  // Same labels, another type: a Secret Helm did not write, which the field selector keeps out.
  {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "lookalike", namespace: "apps", labels: { owner: "helm" } },
    type: "Opaque",
    data: { password: "aHVudGVyMg==" },
  },
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
    // Installed by Helm (its release annotation): a namespace where releases live.
    metadata: meta("web", { annotations: { "meta.helm.sh/release-name": "web" } }),
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

/** What the upshift ServiceAccount may do in a rendered overlay, binding by binding. */
interface Grants {
  cluster: PolicyRuleLike[];
  byNamespace: Map<string, PolicyRuleLike[]>;
}

function grantsOf(objects: KubeObject[]): Grants {
  const roles = new Map(objects.filter((o) => o.kind === "ClusterRole").map((o) => [o.metadata?.name, rulesOf(o)]));
  const ours = (b: KubeObject) =>
    ((b.subjects as Array<{ kind: string; name: string; namespace?: string }>) ?? []).some(
      (s) => s.kind === "ServiceAccount" && s.name === "upshift" && s.namespace === "upshift",
    );
  const grants: Grants = { cluster: [], byNamespace: new Map() };
  for (const b of objects.filter(ours)) {
    const rules = roles.get((b.roleRef as { name: string }).name) ?? [];
    if (b.kind === "ClusterRoleBinding") grants.cluster.push(...rules);
    if (b.kind === "RoleBinding") {
      const ns = b.metadata!.namespace!;
      grants.byNamespace.set(ns, [...(grants.byNamespace.get(ns) ?? []), ...rules]);
    }
  }
  return grants;
}

/** As RBAC decides: a cluster-wide grant, or a namespaced one for a request inside that namespace. */
function granted(g: Grants, r: RequestRecord): boolean {
  return allows(g.cluster, r) || (r.namespace !== undefined && allows(g.byNamespace.get(r.namespace) ?? [], r));
}

/** Every Secrets request asks as little as possible: lists by both Helm selectors, gets metadata only. */
function secretsAskedNarrowly(requests: RequestRecord[]): string[] {
  const wide: string[] = [];
  for (const r of requests.filter((x) => x.resource === "secrets")) {
    if (r.verb === "list" || r.verb === "watch") {
      const ok =
        r.query?.get("labelSelector")?.split(",").includes("owner=helm") &&
        r.query?.get("fieldSelector")?.split(",").includes("type=helm.sh/release.v1");
      if (!ok) wide.push(`${r.verb} ${r.path}?${r.query}`);
    } else if (r.verb === "get") {
      if (!r.accept?.startsWith("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"))
        wide.push(`get ${r.path} (accept ${r.accept})`);
    } else wide.push(`${r.verb} ${r.path}`);
  }
  return wide;
}

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

describe("upshift-read ClusterRoles (default: Secrets cluster-wide)", () => {
  let sandbox: SandboxServer;
  const readOnly = renderOverlay("read-only");
  const grants = grantsOf(readOnly);
  // Every rule of both roles, bound cluster-wide here.
  const rules = [
    ...rulesOf(find(readOnly, "ClusterRole", "upshift-read")),
    ...rulesOf(find(readOnly, "ClusterRole", "upshift-read-secrets")),
  ];

  beforeAll(async () => {
    sandbox = await startSandbox({ objects: FIXTURE });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  async function readAsPreflight(keys: ResourceKey[]): Promise<RequestRecord[]> {
    sandbox.clearRequests();
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");
    await client.serverVersion();
    const snap = await readSnapshot(client, keys, { readMetrics: true, probeSecretRefs: true });
    expect(snap.apiServerMetrics, "/metrics was read").toBeTruthy();
    const wanted = new Set(keys);
    // The field selector keeps a look-alike out: only what Helm wrote is listed.
    if (wanted.has("helmReleases"))
      expect(
        snap.lists
          .get("helmReleases")
          ?.map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(["sh.helm.release.v1.metrics-server.v1", "sh.helm.release.v1.web.v1"]);
    if (wanted.has("pods"))
      expect(Object.fromEntries(snap.secrets.refs)).toEqual({ "apps/web-token": true, "kube-system/dns-extra": false });
    return [...sandbox.requests];
  }

  it("is the committed deploy/kubernetes/base/rbac.yaml and components/helm-namespaces, generated from RESOURCES (run node deploy/kubernetes/rbac.ts after editing the table)", () => {
    expect(readFileSync(RBAC_FILE, "utf8")).toBe(renderReadRbac());
    expect(rulesOf(find(readOnly, "ClusterRole", "upshift-read"))).toEqual(readRules());
    expect(rulesOf(find(readOnly, "ClusterRole", "upshift-read-secrets"))).toEqual(secretsRules());
    const namespaces = committedHelmNamespaces();
    expect(namespaces?.length).toBeGreaterThan(0);
    expect(readFileSync(HELM_NAMESPACES_COMPONENT, "utf8")).toBe(renderHelmNamespacesComponent(namespaces!));
    expect(readFileSync(HELM_NAMESPACES_BINDINGS, "utf8")).toBe(renderHelmNamespaceBindings(namespaces!));
  });

  it("allows every request of the catalogue's preflight read path", async () => {
    const keys = (await catalogReads()) ?? (Object.keys(RESOURCES) as ResourceKey[]);
    const requests = await readAsPreflight(keys);
    expect(requests.length).toBeGreaterThan(3);
    const denied = requests.filter((r) => !granted(grants, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);
    // And a read-only role is only ever asked to read.
    expect(new Set(requests.map((r) => r.method))).toEqual(new Set(["GET"]));
    // Secrets: listed by both Helm selectors, a referenced one read by name for its metadata only.
    expect(
      requests
        .filter((r) => r.resource === "secrets" && r.verb === "get")
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/api/v1/namespaces/apps/secrets/web-token", "/api/v1/namespaces/kube-system/secrets/dns-extra"]);
    expect(secretsAskedNarrowly(requests)).toEqual([]);
  });

  it("grants nothing that reading the RESOURCES table does not use", async () => {
    const requests = await readAsPreflight(Object.keys(RESOURCES) as ResourceKey[]);
    const denied = requests.filter((r) => !granted(grants, r)).map((r) => `${r.verb} ${r.path}`);
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
    const denied = requests.filter((r) => !granted(grants, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);
    expect(secretsAskedNarrowly(requests)).toEqual([]);
  });

  it("would catch a missing grant: a role without pods denies the pods list", async () => {
    const requests = await readAsPreflight(["pods"]);
    const withoutPods = rules.map((r) => ({ ...r, resources: r.resources?.filter((x) => x !== "pods") }));
    expect(requests.some((r) => r.resource === "pods" && !allows(withoutPods, r))).toBe(true);
  });
});

describe("helm-namespaces: Secrets only where RoleBindings grant them", () => {
  let sandbox: SandboxServer;
  const narrow = renderOverlay("helm-namespaces");
  const grants = grantsOf(narrow);
  const listed = [...grants.byNamespace.keys()].sort();

  beforeAll(async () => {
    sandbox = await startSandbox({ objects: FIXTURE });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it("grants Secrets in no namespace but the listed ones, and nothing cluster-wide", () => {
    expect(listed).toEqual([...committedHelmNamespaces()!].sort());
    expect(listed).toContain("kube-system");
    expect(listed).not.toContain("apps");
    expect(grants.cluster.some((r) => r.resources?.includes("secrets"))).toBe(false);
    for (const rules of grants.byNamespace.values()) expect(rules).toEqual(secretsRules());
  });

  it("the read path with UPSHIFT_HELM_NAMESPACES asks only for what the bindings allow, and says where it could not look", async () => {
    sandbox.clearRequests();
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");
    await client.serverVersion();
    const keys = (await catalogReads()) ?? (Object.keys(RESOURCES) as ResourceKey[]);
    const snap = await readSnapshot(client, keys, { readMetrics: true, probeSecretRefs: true, helmNamespaces: listed });
    const requests = [...sandbox.requests];
    const denied = requests.filter((r) => !granted(grants, r)).map((r) => `${r.verb} ${r.path}`);
    expect(denied).toEqual([]);
    expect(secretsAskedNarrowly(requests)).toEqual([]);
    // One list per listed namespace, none cluster-wide, none elsewhere.
    const secretLists = requests.filter((r) => r.resource === "secrets" && r.verb === "list");
    expect(secretLists.map((r) => r.namespace).sort()).toEqual(listed);
    expect(requests.filter((r) => r.resource === "secrets" && !listed.includes(r.namespace ?? ""))).toEqual([]);
    expect(snap.lists.get("helmReleases")?.map((o) => o.metadata?.name)).toEqual([
      "sh.helm.release.v1.metrics-server.v1",
    ]);
    // apps holds a Helm-installed Deployment: its releases are "not evaluated", not silently absent.
    expect(snap.secrets.helmUnreadable).toEqual([{ namespace: "apps", reason: "not in UPSHIFT_HELM_NAMESPACES" }]);
    expect(Object.fromEntries(snap.secrets.refs)).toEqual({ "kube-system/dns-extra": false });
    expect(snap.secrets.refsUnreadable).toEqual([{ namespace: "apps", reason: "not in UPSHIFT_HELM_NAMESPACES" }]);
  });

  it("would catch a cluster-wide Secrets list: these grants deny it", async () => {
    sandbox.clearRequests();
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");
    await readSnapshot(client, ["helmReleases"]);
    const wide = [...sandbox.requests].filter((r) => r.resource === "secrets");
    expect(wide.length).toBeGreaterThan(0);
    expect(wide.every((r) => r.namespace === undefined && !granted(grants, r))).toBe(true);
  });
});
