// Kubernetes API versions that stopped being served, in one table. Source: the Kubernetes
// "Deprecated API Migration Guide" (v1.16 to v1.32, the newest removal it announces) plus alpha
// versions removed without a guide entry where release notes name them. A manifest or client
// using one of these against a server at or after `removedIn` gets "no matches for kind".
import { type KubeVersion, minorAtOrBefore, parseKubeVersion } from "./kube.ts";

export interface Deprecation {
  /** API group, "" for core. */
  group: string;
  version: string;
  kind: string;
  /** "MAJOR.MINOR" the version was deprecated in. */
  deprecatedIn: string;
  /** "MAJOR.MINOR" that no longer serves it. */
  removedIn: string;
  /** apiVersion to migrate to, or undefined when the API is gone without a replacement. */
  replacement?: string;
  note?: string;
}

type Row = [
  group: string,
  version: string,
  kinds: string[],
  deprecatedIn: string,
  removedIn: string,
  replacement?: string,
  note?: string,
];

const ROWS: Row[] = [
  // v1.16
  ["extensions", "v1beta1", ["Deployment", "DaemonSet", "ReplicaSet"], "1.9", "1.16", "apps/v1"],
  ["extensions", "v1beta1", ["NetworkPolicy"], "1.9", "1.16", "networking.k8s.io/v1"],
  ["extensions", "v1beta1", ["PodSecurityPolicy"], "1.11", "1.16", "policy/v1beta1"],
  ["apps", "v1beta1", ["Deployment", "StatefulSet", "ReplicaSet", "ControllerRevision"], "1.9", "1.16", "apps/v1"],
  [
    "apps",
    "v1beta2",
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"],
    "1.9",
    "1.16",
    "apps/v1",
  ],
  // v1.17 (alpha)
  ["scheduling.k8s.io", "v1alpha1", ["PriorityClass"], "1.14", "1.17", "scheduling.k8s.io/v1"],
  // v1.22
  ["extensions", "v1beta1", ["Ingress"], "1.14", "1.22", "networking.k8s.io/v1"],
  ["networking.k8s.io", "v1beta1", ["Ingress", "IngressClass"], "1.19", "1.22", "networking.k8s.io/v1"],
  ["apiextensions.k8s.io", "v1beta1", ["CustomResourceDefinition"], "1.16", "1.22", "apiextensions.k8s.io/v1"],
  [
    "admissionregistration.k8s.io",
    "v1beta1",
    ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    "1.16",
    "1.22",
    "admissionregistration.k8s.io/v1",
  ],
  ["apiregistration.k8s.io", "v1beta1", ["APIService"], "1.19", "1.22", "apiregistration.k8s.io/v1"],
  ["authentication.k8s.io", "v1beta1", ["TokenReview"], "1.19", "1.22", "authentication.k8s.io/v1"],
  [
    "authorization.k8s.io",
    "v1beta1",
    ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"],
    "1.19",
    "1.22",
    "authorization.k8s.io/v1",
  ],
  ["certificates.k8s.io", "v1beta1", ["CertificateSigningRequest"], "1.19", "1.22", "certificates.k8s.io/v1"],
  ["coordination.k8s.io", "v1beta1", ["Lease"], "1.19", "1.22", "coordination.k8s.io/v1"],
  [
    "rbac.authorization.k8s.io",
    "v1beta1",
    ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "1.17",
    "1.22",
    "rbac.authorization.k8s.io/v1",
  ],
  [
    "rbac.authorization.k8s.io",
    "v1alpha1",
    ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "1.17",
    "1.22",
    "rbac.authorization.k8s.io/v1",
  ],
  ["scheduling.k8s.io", "v1beta1", ["PriorityClass"], "1.14", "1.22", "scheduling.k8s.io/v1"],
  [
    "storage.k8s.io",
    "v1beta1",
    ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    "1.19",
    "1.22",
    "storage.k8s.io/v1",
  ],
  // v1.25
  ["batch", "v1beta1", ["CronJob"], "1.21", "1.25", "batch/v1"],
  ["discovery.k8s.io", "v1beta1", ["EndpointSlice"], "1.21", "1.25", "discovery.k8s.io/v1"],
  ["events.k8s.io", "v1beta1", ["Event"], "1.19", "1.25", "events.k8s.io/v1"],
  ["autoscaling", "v2beta1", ["HorizontalPodAutoscaler"], "1.23", "1.25", "autoscaling/v2"],
  ["policy", "v1beta1", ["PodDisruptionBudget"], "1.21", "1.25", "policy/v1"],
  [
    "policy",
    "v1beta1",
    ["PodSecurityPolicy"],
    "1.21",
    "1.25",
    undefined,
    "PodSecurityPolicy is gone; use Pod Security Admission or a policy engine",
  ],
  ["node.k8s.io", "v1beta1", ["RuntimeClass"], "1.20", "1.25", "node.k8s.io/v1"],
  // v1.26
  ["autoscaling", "v2beta2", ["HorizontalPodAutoscaler"], "1.23", "1.26", "autoscaling/v2"],
  [
    "flowcontrol.apiserver.k8s.io",
    "v1beta1",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.23",
    "1.26",
    "flowcontrol.apiserver.k8s.io/v1",
  ],
  // v1.27
  ["storage.k8s.io", "v1beta1", ["CSIStorageCapacity"], "1.24", "1.27", "storage.k8s.io/v1"],
  // v1.29
  [
    "flowcontrol.apiserver.k8s.io",
    "v1beta2",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.26",
    "1.29",
    "flowcontrol.apiserver.k8s.io/v1",
  ],
  // v1.31 (alpha, replaced by v1alpha3 when classic DRA gave way to structured parameters)
  [
    "resource.k8s.io",
    "v1alpha2",
    [
      "ResourceClaim",
      "ResourceClaimTemplate",
      "ResourceClass",
      "PodSchedulingContext",
      "ResourceClaimParameters",
      "ResourceClassParameters",
      "ResourceSlice",
    ],
    "1.31",
    "1.31",
    "resource.k8s.io/v1",
    "alpha API removed without a deprecation period",
  ],
  // v1.32
  [
    "flowcontrol.apiserver.k8s.io",
    "v1beta3",
    ["FlowSchema", "PriorityLevelConfiguration"],
    "1.29",
    "1.32",
    "flowcontrol.apiserver.k8s.io/v1",
  ],
];

export const DEPRECATIONS: readonly Deprecation[] = ROWS.flatMap(
  ([group, version, kinds, deprecatedIn, removedIn, replacement, note]) =>
    kinds.map((kind) => ({ group, version, kind, deprecatedIn, removedIn, replacement, note })),
);

const BY_KEY = new Map<string, Deprecation>(DEPRECATIONS.map((d) => [`${d.group}/${d.version}/${d.kind}`, d]));

/** Splits "group/version" (or "v1" for core) into its parts. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function formatApiVersion(d: Pick<Deprecation, "group" | "version">): string {
  return d.group === "" ? d.version : `${d.group}/${d.version}`;
}

/** The removal entry for apiVersion+kind, whatever the target; undefined when it is still served everywhere. */
export function removedApi(apiVersion: string, kind: string): Deprecation | undefined {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
  const { group, version } = splitApiVersion(apiVersion.trim());
  return BY_KEY.get(`${group}/${version}/${kind.trim()}`);
}

/** The removal entry when apiVersion+kind is no longer served at `target` (removedIn <= target). */
export function removedAtOrBefore(apiVersion: string, kind: string, target: KubeVersion): Deprecation | undefined {
  const d = removedApi(apiVersion, kind);
  if (!d) return undefined;
  const removed = parseKubeVersion(d.removedIn);
  return removed && minorAtOrBefore(removed, target) ? d : undefined;
}

/** Whether "MAJOR.MINOR" removal release is at or before target; for sources (metrics) that give no kind. */
export function releaseAtOrBefore(release: string, target: KubeVersion): boolean {
  const r = parseKubeVersion(release);
  return r !== undefined && minorAtOrBefore(r, target);
}
