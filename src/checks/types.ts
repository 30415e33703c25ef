// The contract every preflight check implements. One check per file under src/checks/catalog/,
// each exporting a `Check` object. The runner reads the cluster once (a ClusterSnapshot built
// from the union of every check's `reads`) and hands the same snapshot to every check, so adding
// a check never adds a pass over the API server.
import type { KubeObject, ResourceKey } from "../kube/resources.ts";

export const SEVERITIES = ["blocker", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse; used for sorting, verdicts and --fail-on. */
export const SEVERITY_RANK: Record<Severity, number> = {
  blocker: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Finding {
  /** Check id, e.g. "HELM-01". */
  check: string;
  severity: Severity;
  object: ObjectRef;
  /** One sentence a person understands without the docs. */
  message: string;
  /** The field and value that triggered the finding, e.g. "label status=pending-upgrade". */
  evidence?: string;
  remediation: string;
}

/** What a check gets: the cluster as read once, plus the upgrade being planned. */
/** A namespace whose Secrets Upshift could not read, and why ("HTTP 403 listing its Secrets"). */
export interface NotReadable {
  namespace: string;
  reason: string;
}

/** What the snapshot could read of Secrets; checks report the gaps as "not evaluated". */
export interface SecretAccess {
  /** Namespaces whose Helm release Secrets were not read (Helm checks are not evaluated there). */
  helmUnreadable: NotReadable[];
  /** "namespace/name" of each Secret a pod requires → whether it exists; absent = not asked. */
  refs: Map<string, boolean>;
  /** Namespaces whose Secret references could not be checked (REF-01 reports them). */
  refsUnreadable: NotReadable[];
}

export interface CheckContext {
  /** Context name from the kubeconfig, e.g. "prod". */
  cluster: string;
  /** Server version as reported by /version, e.g. "v1.31.4". */
  serverVersion: string;
  /** Target version "MAJOR.MINOR" (e.g. "1.32"); patch, if given, in targetFull. */
  target: string;
  targetFull: string;
  /** Objects by resource key; a key the check did not declare in `reads` may be absent. */
  objects(key: ResourceKey): readonly KubeObject[];
  /** Raw Prometheus text of the API server's /metrics, or undefined when forbidden/unavailable. */
  apiServerMetrics?: string;
  /** MicroK8s status (parsed `microk8s status --format yaml`) when the worker runs on a MicroK8s node. */
  microk8sStatus?: unknown;
  /**
   * Kubelet /metrics read through the node proxy (`nodes/proxy`, an opt-in grant), when a check
   * declared `readsNodeMetrics`. Undefined when not attempted; `missing` says why nodes lack text.
   */
  kubeletMetrics?: KubeletMetrics;
  /** Wall clock for "in the last hour" style rules; tests pin it. */
  now: Date;
  /** What could be read of Secrets. */
  secrets: SecretAccess;
}

export interface KubeletMetrics {
  /** Raw Prometheus text of each kubelet that answered, by node name. */
  byNode: ReadonlyMap<string, string>;
  /** Why the other nodes have none, e.g. "not read, nodes/proxy is not granted". */
  missing?: string;
}

/**
 * A helper for findings: fills check id, severity and remediation from the check's declaration
 * so each check body only says what is specific to one object.
 */
export type FindingInput = Omit<Finding, "check" | "severity" | "remediation"> &
  Partial<Pick<Finding, "severity" | "remediation">>;

export interface Check {
  /** Stable id, e.g. "HELM-01". Never reused for another meaning. */
  id: string;
  /** Default severity; a finding may raise or lower it (PRB-01 is medium, high with restarts). */
  severity: Severity;
  title: string;
  /** What to do about it, in general; a finding may give a more specific one. */
  remediation: string;
  /** Resource keys this check reads; the snapshot fetches exactly the union of these. */
  reads: readonly ResourceKey[];
  /** Also needs the API server's /metrics text. */
  readsMetrics?: boolean;
  /** The check needs to know whether the Secrets pods refer to exist (asked by name, metadata only). */
  readsSecretRefs?: boolean;
  /** Also wants kubelets' /metrics through the node proxy (used where RBAC grants nodes/proxy). */
  readsNodeMetrics?: boolean;
  /**
   * Minors ("1.35") whose breaking changes this check knows; it reports only those the upgrade
   * crosses (current < X ≤ target, see releaseGate.ts). Absent: the check applies to every upgrade.
   */
  appliesTo?: readonly string[];
  evaluate(ctx: CheckContext): FindingInput[] | Promise<FindingInput[]>;
}
