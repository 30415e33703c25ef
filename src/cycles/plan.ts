// Builds and hashes a cycle plan (src/render/cycles.ts says it in words). The order is INCIDENTS case 5's: CNI, then DNS, then
// Ingress, then Storage, then the rest (config cycleOrder), one add-on at a time. The hash is
// over what the approvers saw (cluster, steps, versions), so a re-made plan needs new votes.
import { createHash, randomUUID } from "node:crypto";
import type { Requester } from "../chat/types.ts";
import type { AddonConfig, FileConfig } from "../config/schema.ts";
import { UpshiftError } from "../errors/upshiftError.ts";
import type { AddonCategory, AddonState, CyclePlan, DriverName, DriverSet, PlanStep } from "./types.ts";

const CATEGORY_BY_NAME: Array<[RegExp, AddonCategory]> = [
  [/^(calico|cilium|flannel|kube-ovn|multus|canal|weave)$/, "cni"],
  [/^(dns|coredns|kube-dns)$/, "dns"],
  [/^(ingress|ingress-nginx|traefik|nginx-ingress|contour)$/, "ingress"],
  [/^(hostpath-storage|storage|openebs|rook-ceph|mayastor|longhorn|nfs|local-path)$/, "storage"],
];

/** Add-ons that keep state worth a backup even though they are not storage drivers. */
const DATA_ADDONS = new Set(["minio", "registry", "observability", "prometheus", "dns", "coredns"]);

/** Where MicroK8s puts its add-ons' objects (verify and backup read these namespaces). */
export const MICROK8S_NAMESPACES: Record<string, string> = {
  dns: "kube-system",
  ingress: "ingress",
  "hostpath-storage": "kube-system",
  storage: "kube-system",
  "metrics-server": "kube-system",
  dashboard: "kube-system",
  cilium: "kube-system",
  calico: "kube-system",
  registry: "container-registry",
  minio: "minio-operator",
  "cert-manager": "cert-manager",
  metallb: "metallb-system",
  observability: "observability",
};

/** Labels of MicroK8s add-ons that share a namespace with others, so verify looks at theirs only. */
export const MICROK8S_SELECTORS: Record<string, string> = {
  dns: "k8s-app=kube-dns",
  "hostpath-storage": "k8s-app=hostpath-provisioner",
  storage: "k8s-app=hostpath-provisioner",
  "metrics-server": "k8s-app=metrics-server",
  dashboard: "k8s-app=kubernetes-dashboard",
};

const DISRUPTS: Record<AddonCategory, string> = {
  cni: "pod networking: new pods cannot start and pod-to-pod traffic may drop until the CNI is back",
  dns: "cluster DNS: name resolution inside the cluster fails until CoreDNS is back",
  ingress: "ingress traffic: external HTTP(S) requests through the ingress are refused",
  storage: "volume provisioning: new PersistentVolumeClaims stay Pending; mounted volumes keep working",
  other: "the add-on's own function",
};

const DEFAULT_STEP_TIMEOUT: Record<AddonCategory, number> = {
  cni: 10 * 60_000,
  dns: 5 * 60_000,
  ingress: 5 * 60_000,
  storage: 10 * 60_000,
  other: 5 * 60_000,
};

export const DEFAULT_KEEP_KINDS = ["PersistentVolumeClaim", "PersistentVolume", "Secret"];

export function categoryOf(name: string, configured?: AddonCategory): AddonCategory {
  if (configured) return configured;
  return CATEGORY_BY_NAME.find(([re]) => re.test(name))?.[1] ?? "other";
}

export interface PlanRequest {
  cluster: string;
  /** Names asked for; empty means every enabled add-on. */
  addons: readonly string[];
  requester: Requester;
  dryRun: boolean;
  file: FileConfig;
  drivers: DriverSet;
}

export class PlanError extends UpshiftError {}

/** Reads every driver's status and orders the steps. Throws PlanError on unknown add-on names. */
export async function buildPlan(req: PlanRequest): Promise<CyclePlan> {
  const states = new Map<string, AddonState>();
  for (const [name, driver] of Object.entries(req.drivers) as Array<[DriverName, NonNullable<DriverSet[DriverName]>]>) {
    for (const s of await driver.status()) {
      if (!states.has(s.name) || name === "manifests") states.set(s.name, s);
    }
  }
  const configured = new Map<string, AddonConfig>(req.file.addons.map((a) => [a.name, a]));
  let chosen: AddonState[];
  if (req.addons.length === 0) {
    chosen = [...states.values()].filter((s) => s.status === "enabled");
  } else {
    const unknown = req.addons.filter((n) => !states.has(n));
    if (unknown.length) {
      const known = [...states.keys()].sort().join(", ") || "none";
      throw new PlanError(
        `unknown add-on ${unknown.map((n) => `"${n}"`).join(", ")} on ${req.cluster}; known: ${known}`,
      );
    }
    // "ingress ingress" is one add-on: each is cycled once.
    chosen = [...new Set(req.addons)].map((n) => states.get(n)!);
  }
  const order = req.file.cycleOrder;
  const rank = (c: AddonCategory) => {
    const i = order.indexOf(c);
    return i === -1 ? order.length : i;
  };
  const all = chosen.map((s) => stepFor(s, configured.get(s.name)));
  // An add-on already at the version a cycle would bring has nothing to cycle: it is left out and
  // named, so a cycle whose every add-on is current says "nothing to do" instead of asking for votes.
  const upToDate = all.filter((s) => sameVersion(s.currentVersion, s.expectedVersion));
  const steps = all.filter((s) => !upToDate.includes(s));
  // Stable: same category keeps the order the user named (or the driver listed) them in.
  steps.sort((a, b) => rank(a.category) - rank(b.category));
  return {
    id: randomUUID(),
    kind: "cycle",
    cluster: req.cluster,
    createdAt: new Date().toISOString(),
    requester: req.requester,
    steps,
    dryRun: req.dryRun,
    ...(upToDate.length ? { upToDate: upToDate.map((s) => ({ addon: s.addon, version: s.currentVersion! })) } : {}),
  };
}

/** "v1.12.1" and "1.12.1" are one version (labels and image tags differ on the "v"). */
function sameVersion(current: string | undefined, expected: string | undefined): boolean {
  if (current === undefined || expected === undefined) return false;
  return current.replace(/^v/, "") === expected.replace(/^v/, "");
}

/** Why a plan has no steps, in words ("ingress is already at v1.12.1"). */
export function nothingToDo(plan: CyclePlan): string {
  const current = plan.upToDate ?? [];
  if (current.length === 0) return "no enabled add-ons matched";
  const list = current.map((a) => `${a.addon} ${a.version}`).join(", ");
  return `${current.length === 1 ? "it is" : "they are"} already at the expected version (${list})`;
}

function stepFor(s: AddonState, cfg: AddonConfig | undefined): PlanStep {
  const category = categoryOf(s.name, cfg?.category);
  const keepKinds = cfg?.dataKinds ?? DEFAULT_KEEP_KINDS;
  const holdsData = category === "storage" || DATA_ADDONS.has(s.name) || (cfg?.dataKinds?.length ?? 0) > 0;
  const namespace =
    s.namespace ?? cfg?.namespace ?? (s.driver === "microk8s" ? MICROK8S_NAMESPACES[s.name] : undefined);
  return {
    addon: s.name,
    driver: s.driver,
    category,
    namespace,
    currentVersion: s.version,
    expectedVersion: cfg?.version ?? s.expectedVersion,
    disrupts: DISRUPTS[category],
    holdsData,
    backup: `${s.driver === "microk8s" ? "status entry and " : ""}objects${namespace ? ` in ${namespace}` : ""}; ${keepKinds.join(", ")} are kept on disable`,
    keepKinds,
    timeoutMs: cfg?.stepTimeout ?? DEFAULT_STEP_TIMEOUT[category],
  };
}

/** JSON with sorted keys, so the same plan always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What approvers approve: the cluster, the kind and every step with its versions. Not the id or time. */
export function planHash(plan: CyclePlan): string {
  return createHash("sha256")
    .update(canonicalJson({ cluster: plan.cluster, kind: plan.kind, rollbackOf: plan.rollbackOf, steps: plan.steps }))
    .digest("hex");
}
