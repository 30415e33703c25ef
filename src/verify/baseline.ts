// A cluster baseline: the compact facts a later /upgrade-verify compares against. Built from the
// lists the preflight already read (no second read of the cluster), and small on purpose: names,
// versions and counts, never the objects. Stored in Redis per context (baselineStore.ts) and in a
// file (`upshift check --save-baseline`), so it has a schema with a version: a stored baseline an
// older or newer Upshift cannot read is reported as such, never half-compared.
import { z } from "zod";
import { ADDON_IMAGE_RULES } from "../addons/knownAddonVersions.ts";
import { addonVersionGroups } from "../checks/addonImages.ts";
import { contextFromLists } from "../checks/context.ts";
import { componentOf } from "../checks/controlPlane.ts";
import { nodeInfoOf } from "../checks/nodeFacts.ts";
import { containerStatuses, createOwnerResolver, podContainers } from "../checks/ownership.ts";
import type { CheckReport } from "../checks/preflight.ts";
import { SEVERITIES } from "../checks/types.ts";
import { groupReleases, releaseFromSecret } from "../helm/release.ts";
import type { KubeObject, ResourceKey } from "../kube/resources.ts";
import { compareText } from "../text/order.ts";
import { imageTag } from "../versions/chartVersion.ts";

export const BASELINE_VERSION = 1;
/** A baseline larger than this is cut (longest lists first, with a count of what was left out). */
export const BASELINE_MAX_BYTES = 256 * 1024;

/** What a baseline needs beyond the checks' own reads; the preflight lists them in the same pass. */
export const BASELINE_READS: readonly ResourceKey[] = [
  "nodes",
  "pods",
  "replicasets",
  "deployments",
  "statefulsets",
  "daemonsets",
  "helmReleases",
  "crds",
  "pdbs",
];

const count = z.number().int().min(0);

export const baselineSchema = z.object({
  version: z.literal(BASELINE_VERSION),
  cluster: z.string(),
  takenAt: z.string(),
  serverVersion: z.string(),
  /** The target the preflight judged ("1.32"); a verify judges findings against the same one. */
  target: z.string(),
  /** Control-plane mirror pods (kube-system static pods) by component and version. */
  components: z.array(z.object({ component: z.string(), version: z.string(), count })),
  /** Nodes grouped by identical (kubelet, kube-proxy, runtime). */
  nodeGroups: z.array(
    z.object({
      kubelet: z.string(),
      kubeProxy: z.string().optional(),
      runtime: z.string().optional(),
      count,
      /** A few names, for messages. */
      examples: z.array(z.string()),
    }),
  ),
  nodeCount: count,
  /** Only the nodes that are not Ready or are cordoned (the rest are Ready and schedulable). */
  nodeProblems: z.array(z.object({ name: z.string(), ready: z.boolean(), cordoned: z.boolean() })),
  /** Known add-ons (src/addons image rules) by version, with the workloads that run each. */
  addons: z.array(
    z.object({ addon: z.string(), name: z.string(), version: z.string(), workloads: z.array(z.string()) }),
  ),
  /** Deployments, StatefulSets and DaemonSets: "Deployment ns/name" with replicas and restarts of its pods. */
  workloads: z.array(
    z.object({
      key: z.string(),
      desired: count,
      ready: count,
      restarts: count,
      /** Containers of its pods waiting in CrashLoopBackOff. */
      crashLooping: count,
    }),
  ),
  /** The newest revision of every Helm release. */
  releases: z.array(
    z.object({
      namespace: z.string(),
      name: z.string(),
      revision: count,
      status: z.string(),
      chart: z.string().optional(),
    }),
  ),
  crds: z.array(
    z.object({
      name: z.string(),
      versions: z.array(z.string()),
      storedVersions: z.array(z.string()),
      /** app.kubernetes.io/version or helm.sh/chart label, when set. */
      label: z.string().optional(),
    }),
  ),
  pdbs: z.array(z.object({ key: z.string(), disruptionsAllowed: count })),
  findings: z.array(
    z.object({ check: z.string(), object: z.string(), severity: z.enum(SEVERITIES), message: z.string().optional() }),
  ),
  /** List name → entries left out to stay under BASELINE_MAX_BYTES. */
  truncated: z.record(z.string(), count).optional(),
});

export type ClusterBaseline = z.infer<typeof baselineSchema>;
export type BaselineFinding = ClusterBaseline["findings"][number];

export type BaselineParse = { ok: true; baseline: ClusterBaseline } | { ok: false; error: string };

/** Reads a stored baseline; says which field is wrong, or that it is of another format version. */
export function parseBaseline(raw: unknown): BaselineParse {
  if (raw && typeof raw === "object" && "version" in raw && (raw as { version: unknown }).version !== BASELINE_VERSION)
    return {
      ok: false,
      error: `baseline format version ${JSON.stringify((raw as { version: unknown }).version)} is not ${BASELINE_VERSION}; take a new baseline`,
    };
  const parsed = baselineSchema.safeParse(raw);
  if (parsed.success) return { ok: true, baseline: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `baseline ${issue.path.join(".") || "(root)"}: ${issue.message}` };
}

/** "Deployment ns/name", the key findings and workloads are compared by. */
export function objectKey(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0);
const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

function isReady(node: KubeObject): boolean {
  const conditions = Array.isArray(node?.status?.conditions) ? node.status.conditions : [];
  return conditions.some((c: { type?: string; status?: string }) => c?.type === "Ready" && c.status === "True");
}

/** kube-proxy's version per node: the kube-proxy pod on it (image tag), else nodeInfo's deprecated field. */
function kubeProxyByNode(pods: readonly KubeObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pod of pods) {
    if (pod?.metadata?.namespace !== "kube-system") continue;
    const node = str(pod.spec?.nodeName);
    if (!node) continue;
    const c = podContainers(pod.spec).find(
      (x) => x.kind === "container" && (x.c.name === "kube-proxy" || /kube-proxy/.test(String(x.c.image ?? ""))),
    );
    const tag = typeof c?.c.image === "string" ? imageTag(c.c.image) : undefined;
    if (tag) out.set(node, tag);
  }
  return out;
}

function nodeFacts(lists: Map<ResourceKey, KubeObject[]>) {
  const nodes = lists.get("nodes") ?? [];
  const proxies = kubeProxyByNode(lists.get("pods") ?? []);
  const groups = new Map<string, ClusterBaseline["nodeGroups"][number]>();
  const problems: ClusterBaseline["nodeProblems"] = [];
  for (const n of nodes) {
    const name = str(n?.metadata?.name);
    if (!name) continue;
    const info = nodeInfoOf(n);
    // nodeInfo.kubeProxyVersion is deprecated (k8s.io/api core/v1 NodeSystemInfo) and often empty.
    const kubeProxy = proxies.get(name) ?? str(n.status?.nodeInfo?.kubeProxyVersion);
    const facts = { kubelet: info.kubeletVersion ?? "unknown", kubeProxy, runtime: info.containerRuntimeVersion };
    const key = JSON.stringify(facts);
    const g = groups.get(key) ?? { ...facts, count: 0, examples: [] };
    groups.set(key, g);
    g.count++;
    if (g.examples.length < 5) g.examples.push(name);
    const ready = isReady(n);
    const cordoned = n.spec?.unschedulable === true;
    if (!ready || cordoned) problems.push({ name, ready, cordoned });
  }
  const nodeGroups = [...groups.values()].sort((a, b) => b.count - a.count || compareText(a.kubelet, b.kubelet));
  return { nodeGroups, nodeProblems: problems, nodeCount: nodes.length };
}

function components(pods: readonly KubeObject[]): ClusterBaseline["components"] {
  const byKey = new Map<string, ClusterBaseline["components"][number]>();
  for (const pod of pods) {
    if (pod?.metadata?.namespace !== "kube-system") continue;
    const component = componentOf(pod);
    if (!component) continue;
    const c =
      podContainers(pod.spec).find((x) => x.kind === "container" && x.c.name === component) ??
      podContainers(pod.spec).find((x) => x.kind === "container");
    const version = (typeof c?.c.image === "string" ? imageTag(c.c.image) : undefined) ?? "unknown";
    const key = `${component}|${version}`;
    const e = byKey.get(key) ?? { component, version, count: 0 };
    byKey.set(key, e);
    e.count++;
  }
  return [...byKey.values()].sort((a, b) => compareText(a.component, b.component) || compareText(a.version, b.version));
}

const WORKLOADS = [
  ["deployments", "Deployment"],
  ["statefulsets", "StatefulSet"],
  ["daemonsets", "DaemonSet"],
] as const;

function workloads(lists: Map<ResourceKey, KubeObject[]>): ClusterBaseline["workloads"] {
  const owner = createOwnerResolver(lists.get("replicasets") ?? []);
  const podStats = new Map<string, { restarts: number; crashLooping: number }>();
  for (const pod of lists.get("pods") ?? []) {
    const key = objectKey(owner(pod));
    const s = podStats.get(key) ?? { restarts: 0, crashLooping: 0 };
    podStats.set(key, s);
    for (const cs of containerStatuses(pod)) {
      s.restarts += num(cs.restartCount);
      if (cs.state?.waiting?.reason === "CrashLoopBackOff") s.crashLooping++;
    }
  }
  const out: ClusterBaseline["workloads"] = [];
  for (const [list, kind] of WORKLOADS) {
    for (const w of lists.get(list) ?? []) {
      const name = str(w?.metadata?.name);
      if (!name) continue;
      const key = objectKey({ kind, namespace: str(w.metadata?.namespace), name });
      const daemon = kind === "DaemonSet";
      // spec.replicas defaults to 1 when unset (apps/v1 DeploymentSpec, StatefulSetSpec).
      const desired = daemon
        ? num(w.status?.desiredNumberScheduled)
        : typeof w.spec?.replicas === "number"
          ? num(w.spec.replicas)
          : 1;
      const ready = daemon ? num(w.status?.numberReady) : num(w.status?.readyReplicas);
      const stats = podStats.get(key) ?? { restarts: 0, crashLooping: 0 };
      out.push({ key, desired, ready, ...stats });
    }
  }
  return out.sort((a, b) => compareText(a.key, b.key));
}

function releases(secrets: readonly KubeObject[]): ClusterBaseline["releases"] {
  return groupReleases(secrets).groups.map((g) => {
    let chart: string | undefined;
    try {
      const r = releaseFromSecret(g.newest.secret);
      if (r?.chart?.name) chart = `${r.chart.name}-${r.chart.version}`;
    } catch {
      // An undecodable release still has its labels; HELM checks report the payload itself.
    }
    return {
      namespace: g.namespace,
      name: g.name,
      revision: g.newest.labels.revision,
      status: g.newest.labels.status,
      ...(chart ? { chart } : {}),
    };
  });
}

function crds(list: readonly KubeObject[]): ClusterBaseline["crds"] {
  const out: ClusterBaseline["crds"] = [];
  for (const crd of list) {
    const name = str(crd?.metadata?.name);
    if (!name) continue;
    const versions = (Array.isArray(crd.spec?.versions) ? crd.spec.versions : [])
      .filter((v: { served?: boolean }) => v?.served !== false)
      .map((v: { name?: unknown }) => str(v?.name))
      .filter((v: string | undefined): v is string => v !== undefined);
    const stored = (Array.isArray(crd.status?.storedVersions) ? crd.status.storedVersions : []).filter(
      (v: unknown): v is string => typeof v === "string",
    );
    const labels = crd.metadata?.labels ?? {};
    const label = str(labels["app.kubernetes.io/version"]) ?? str(labels["helm.sh/chart"]);
    out.push({ name, versions, storedVersions: stored, ...(label ? { label } : {}) });
  }
  return out.sort((a, b) => compareText(a.name, b.name));
}

function pdbs(list: readonly KubeObject[]): ClusterBaseline["pdbs"] {
  return list
    .filter((p) => str(p?.metadata?.name))
    .map((p) => ({
      key: objectKey({ kind: "PodDisruptionBudget", namespace: str(p.metadata?.namespace), name: p.metadata!.name! }),
      disruptionsAllowed: num(p.status?.disruptionsAllowed),
    }))
    .sort((a, b) => compareText(a.key, b.key));
}

/** The baseline of one preflight: its lists (as read) and its report. */
export function buildBaseline(lists: Map<ResourceKey, KubeObject[]>, report: CheckReport): ClusterBaseline {
  const ctx = contextFromLists(lists, { serverVersion: report.serverVersion, target: report.target });
  const addons = addonVersionGroups(ctx, ADDON_IMAGE_RULES).map((g) => ({
    addon: g.rule.addon,
    name: g.rule.displayName,
    version: g.version.version,
    workloads: [...new Set(g.places.map((p) => p.label))].slice(0, 10),
  }));
  const baseline: ClusterBaseline = {
    version: BASELINE_VERSION,
    cluster: report.cluster,
    takenAt: report.checkedAt,
    serverVersion: report.serverVersion,
    target: report.target,
    components: components(lists.get("pods") ?? []),
    ...nodeFacts(lists),
    addons,
    workloads: workloads(lists),
    releases: releases(lists.get("helmReleases") ?? []),
    crds: crds(lists.get("crds") ?? []),
    pdbs: pdbs(lists.get("pdbs") ?? []),
    findings: report.findings.map((f) => ({
      check: f.check,
      object: objectKey(f.object),
      severity: f.severity,
      message: f.message.length > 300 ? `${f.message.slice(0, 299)}…` : f.message,
    })),
  };
  return boundBaseline(baseline);
}

const CUTTABLE = ["workloads", "findings", "releases", "crds", "pdbs", "nodeProblems", "addons", "nodeGroups"] as const;

/**
 * Cuts the longest lists (halving the longest each round) until the JSON fits `maxBytes`, and
 * records how many entries each list lost: a verify then treats what is missing as unknown.
 */
export function boundBaseline(b: ClusterBaseline, maxBytes = BASELINE_MAX_BYTES): ClusterBaseline {
  const size = (x: ClusterBaseline) => Buffer.byteLength(JSON.stringify(x));
  if (size(b) <= maxBytes) return b;
  const out: ClusterBaseline = { ...b, truncated: { ...b.truncated } };
  const truncated = out.truncated!;
  for (let round = 0; round < 64 && size(out) > maxBytes; round++) {
    const longest = [...CUTTABLE].sort((x, y) => out[y].length - out[x].length)[0];
    const list = out[longest] as unknown[];
    if (list.length === 0) break;
    const keep = Math.floor(list.length / 2);
    truncated[longest] = (truncated[longest] ?? 0) + (list.length - keep);
    (out as Record<string, unknown>)[longest] = list.slice(0, keep);
  }
  return out;
}
