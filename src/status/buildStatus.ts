// /upgrade-status as data: versions, nodes grouped by (kubelet version, readiness), add-ons against
// what the cluster's minor expects, Helm releases not deployed, Upshift's own jobs for the cluster
// and the last check's verdict. Pure: the reads happen in collectStatus.ts, so this is tested
// with plain objects and renders the same on every platform.
import {
  ADDON_IMAGE_RULES,
  coerceVersion,
  forMinor,
  MICROK8S_ADDON_VERSIONS,
  parseImage,
} from "../addons/knownAddonVersions.ts";
import type { AddonConfig } from "../config/schema.ts";
import { groupReleases } from "../helm/release.ts";
import type { KubeObject } from "../kube/resources.ts";
import type { LastCheck } from "../queue/lastCheckStore.ts";
import { compareText } from "../text/order.ts";
import { formatMinor, parseKubeVersion } from "../versions/kube.ts";

export interface MicroK8sAddon {
  name: string;
  status: string;
  version?: string;
}

export interface StatusJob {
  queue: "check" | "cycle" | "watch";
  state: string;
  id: string;
  detail?: string;
}

export interface StatusInput {
  cluster: string;
  serverVersion: string;
  nodes: readonly KubeObject[];
  /** Deployments and DaemonSets (add-on images). */
  workloads: readonly KubeObject[];
  helmSecrets: readonly KubeObject[];
  /** Namespaces the Helm releases were read in (UPSHIFT_HELM_NAMESPACES); absent: all. */
  helmNamespaces?: readonly string[];
  microk8s?: readonly MicroK8sAddon[];
  declaredAddons?: readonly AddonConfig[];
  jobs: readonly StatusJob[];
  lastCheck?: LastCheck;
  now: Date;
}

export interface NodeGroup {
  version: string;
  ready: boolean;
  count: number;
  /** A few names, for small groups or the NotReady ones. */
  examples: string[];
}

export interface AddonStatus {
  name: string;
  version?: string;
  expected?: string;
  outdated: boolean;
  source: "image" | "microk8s" | "upshift.yaml";
  where?: string;
}

export interface ClusterStatus {
  cluster: string;
  serverVersion: string;
  nodeGroups: NodeGroup[];
  nodeCount: number;
  addons: AddonStatus[];
  releasesNotDeployed: Array<{ namespace: string; name: string; status: string; revision: number; chart?: string }>;
  /** Where releases were looked for, when not everywhere. */
  helmNamespaces?: readonly string[];
  jobs: StatusJob[];
  lastCheck?: LastCheck & { ageMinutes: number };
}

function nodeReady(n: KubeObject): boolean {
  const conditions = Array.isArray(n.status?.conditions) ? n.status.conditions : [];
  return conditions.some((c: { type?: string; status?: string }) => c?.type === "Ready" && c.status === "True");
}

export function groupNodes(nodes: readonly KubeObject[]): NodeGroup[] {
  const groups = new Map<string, NodeGroup>();
  for (const n of nodes) {
    const version = String(n.status?.nodeInfo?.kubeletVersion ?? "unknown");
    const ready = nodeReady(n);
    const key = `${version}|${ready}`;
    let g = groups.get(key);
    if (!g) {
      g = { version, ready, count: 0, examples: [] };
      groups.set(key, g);
    }
    g.count++;
    if (g.examples.length < 5 && n.metadata?.name) g.examples.push(n.metadata.name);
  }
  return [...groups.values()].sort((a, b) => compareText(a.version, b.version) || Number(b.ready) - Number(a.ready));
}

function imageAddons(workloads: readonly KubeObject[], minor: ReturnType<typeof parseKubeVersion>): AddonStatus[] {
  const out: AddonStatus[] = [];
  const seen = new Set<string>();
  for (const w of workloads) {
    const containers = Array.isArray(w.spec?.template?.spec?.containers) ? w.spec.template.spec.containers : [];
    for (const c of containers) {
      if (typeof c?.image !== "string") continue;
      const { repository, tag } = parseImage(c.image);
      const rule = ADDON_IMAGE_RULES.find((r) => r.repository.test(repository));
      if (!rule) continue;
      // One line per instance (workload and container): two instances at the same version are
      // still two add-ons to upgrade. Keyed by version, a MicroK8s DaemonSet upgraded to the
      // version of another instance vanished from the list after a cycle.
      const key = `${w.kind}|${w.metadata?.namespace}|${w.metadata?.name}|${c.name}|${rule.addon}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const expected = minor ? forMinor(rule.minimumByMinor, minor)?.value : undefined;
      const have = coerceVersion(tag);
      const want = coerceVersion(expected);
      out.push({
        name: rule.displayName,
        version: tag,
        expected: expected ? `≥ ${expected}` : undefined,
        outdated: Boolean(have && want && have.compare(want) < 0),
        source: "image",
        where: `${w.kind} ${w.metadata?.namespace}/${w.metadata?.name}`,
      });
    }
  }
  return out;
}

export function buildStatus(input: StatusInput): ClusterStatus {
  const minor = parseKubeVersion(input.serverVersion);
  const addons = imageAddons(input.workloads, minor);
  if (input.microk8s) {
    const shipped = minor ? forMinor(MICROK8S_ADDON_VERSIONS, minor)?.value : undefined;
    for (const a of input.microk8s) {
      if (a.status !== "enabled") continue;
      const expected = shipped?.[a.name];
      const have = coerceVersion(a.version);
      const want = coerceVersion(expected);
      addons.push({
        name: a.name,
        version: a.version,
        expected,
        outdated: Boolean(have && want && (have.major !== want.major || have.minor < want.minor)),
        source: "microk8s",
      });
    }
  }
  for (const d of input.declaredAddons ?? []) {
    if (addons.some((a) => a.name === d.name)) continue;
    addons.push({ name: d.name, expected: d.version, outdated: false, source: "upshift.yaml" });
  }
  const releasesNotDeployed = groupReleases(input.helmSecrets)
    .groups.filter((g) => g.newest.labels.status !== "deployed" && g.newest.labels.status !== "superseded")
    .map((g) => ({
      namespace: g.namespace,
      name: g.name,
      status: g.newest.labels.status,
      revision: g.newest.labels.revision,
    }));
  return {
    cluster: input.cluster,
    serverVersion: input.serverVersion,
    nodeGroups: groupNodes(input.nodes),
    nodeCount: input.nodes.length,
    addons,
    releasesNotDeployed,
    ...(input.helmNamespaces ? { helmNamespaces: input.helmNamespaces } : {}),
    jobs: [...input.jobs],
    lastCheck: input.lastCheck
      ? {
          ...input.lastCheck,
          ageMinutes: Math.max(0, Math.round((input.now.getTime() - Date.parse(input.lastCheck.checkedAt)) / 60_000)),
        }
      : undefined,
  };
}

export function minorOf(serverVersion: string): string | undefined {
  const v = parseKubeVersion(serverVersion);
  return v ? formatMinor(v) : undefined;
}
