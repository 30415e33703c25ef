// Kubernetes API versions that stop being served, 1.16 to 1.40, in one table. A manifest or
// client using one of these against a server at or after `removedIn` gets "no matches for kind".
//
// Where the facts come from (each row says which, in `basis`):
// - "lifecycle": the API's own prerelease-lifecycle data in k8s.io/api (github.com/kubernetes/api,
//   `*/zz_generated.prerelease-lifecycle.go`). kube-apiserver stops serving a kind at its
//   APILifecycleRemoved minor, alpha and beta alike (k8s.io/apiserver pkg/server/deleted_kinds.go:
//   removed <= current minor is not served; only the env var KUBE_APISERVER_SERVE_REMOVED_APIS_FOR_ONE_RELEASE
//   buys one more release). Removals after the snapshot's release are scheduled, not yet shipped.
// - "deleted": the version's types were deleted from k8s.io/api, so the release that deleted them
//   no longer serves them, earlier than (or without) a lifecycle Removed. Alpha versions are mostly
//   removed this way; their generated Removed is only the default "introduced + 6".
// - "release-note": alpha versions without lifecycle data whose types stayed in k8s.io/api after
//   the API server stopped serving them; the CHANGELOG names the release.
// - "guide": APIs outside k8s.io/api (apiextensions-apiserver, kube-aggregator); the Kubernetes
//   "Deprecated API Migration Guide".
// src/versions/apiLifecycle.json holds the k8s.io/api facts (with the commit they came from) and
// test/versions/deprecations.test.ts proves every row against it and that no removal is missing.
// Subresource and payload kinds (Scale, Eviction, DeploymentRollback, AdmissionReview,
// APIGroupDiscovery, JobTemplate) are left out: no manifest or list names them.
import { type KubeVersion, minorAtOrBefore, parseKubeVersion } from "./kube.ts";

/** An API version to move to, and the minors it is served in (`until` is its own removal). */
export interface Successor {
  apiVersion: string;
  since: string;
  until?: string;
}

export type Basis = "lifecycle" | "deleted" | "release-note" | "guide";

export interface Deprecation {
  /** API group, "" for core. */
  group: string;
  version: string;
  kind: string;
  /** "MAJOR.MINOR" the version was deprecated in (for alphas removed outright: the removal minor). */
  deprecatedIn: string;
  /** "MAJOR.MINOR" that no longer serves it. */
  removedIn: string;
  /** Where removedIn comes from (see the header). */
  basis: Basis;
  /** The source document, for rows not proven by the lifecycle data alone. */
  source?: string;
  /** Versions to migrate to, most stable first; empty when the API is gone without a successor. */
  successors: readonly Successor[];
  /** The successor still served at the end of the table (1.40); undefined when there is none. */
  replacement?: string;
  note?: string;
  /**
   * Objects stored in this version cannot be read by the release that removes it: they must be
   * deleted before upgrading (API-05). The release note that says so.
   */
  deleteBeforeUpgrade?: string;
}

interface Row {
  group: string;
  version: string;
  kinds: string[];
  deprecated?: string;
  removed: string;
  basis: Basis;
  source?: string;
  successors?: Successor[];
  note?: string;
  deleteBeforeUpgrade?: string;
}

/** The minor the table reaches: removals are tabled through it. */
export const TABLE_REACHES = "1.40";

const s = (apiVersion: string, since: string, until?: string): Successor => ({ apiVersion, since, until });

// GA versions and the minor they were first served in (migration guide; k8s.io/api tags from 1.16).
const APPS_V1 = s("apps/v1", "1.9");
const RBAC_V1 = s("rbac.authorization.k8s.io/v1", "1.8");
const SCHEDULING_V1 = s("scheduling.k8s.io/v1", "1.14");
const NODE_V1 = s("node.k8s.io/v1", "1.20");
const FLOWCONTROL = [
  s("flowcontrol.apiserver.k8s.io/v1", "1.29"),
  s("flowcontrol.apiserver.k8s.io/v1beta3", "1.26", "1.32"),
  s("flowcontrol.apiserver.k8s.io/v1beta2", "1.23", "1.29"),
  s("flowcontrol.apiserver.k8s.io/v1beta1", "1.20", "1.26"),
];
// Structured-parameters DRA: v1 from 1.34, the betas before it (v1alpha3 is not a drop-in for v1alpha2).
const RESOURCE = [
  s("resource.k8s.io/v1", "1.34"),
  s("resource.k8s.io/v1beta2", "1.33", "1.39"),
  s("resource.k8s.io/v1beta1", "1.32", "1.38"),
  s("resource.k8s.io/v1alpha3", "1.31", "1.34"),
];
// The Workload API's beta is scheduled (lifecycle) to stop in 1.43; no GA exists yet.
const SCHEDULING_WORKLOAD_BETA = s("scheduling.k8s.io/v1beta1", "1.37", "1.43");
const SCHEDULING_WORKLOAD = [SCHEDULING_WORKLOAD_BETA, s("scheduling.k8s.io/v1alpha2", "1.36", "1.37")];

const ROWS: Row[] = [
  // 1.16: the migration guide's first removals; lifecycle data.
  {
    group: "extensions",
    version: "v1beta1",
    kinds: ["Deployment", "DaemonSet", "ReplicaSet"],
    deprecated: "1.8",
    removed: "1.16",
    basis: "lifecycle",
    successors: [APPS_V1],
  },
  {
    group: "extensions",
    version: "v1beta1",
    kinds: ["NetworkPolicy"],
    deprecated: "1.9",
    removed: "1.16",
    basis: "lifecycle",
    successors: [s("networking.k8s.io/v1", "1.7")],
  },
  // The lifecycle names policy/v1beta1 as its replacement, itself removed in 1.25: from 1.25 on
  // there is no successor API at all.
  {
    group: "extensions",
    version: "v1beta1",
    kinds: ["PodSecurityPolicy"],
    deprecated: "1.11",
    removed: "1.16",
    basis: "lifecycle",
    successors: [s("policy/v1beta1", "1.10", "1.25")],
    note: "PodSecurityPolicy is gone from 1.25 with no successor API; use Pod Security Admission or a policy engine",
  },
  {
    group: "apps",
    version: "v1beta1",
    kinds: ["Deployment", "StatefulSet", "ControllerRevision"],
    deprecated: "1.8",
    removed: "1.16",
    basis: "lifecycle",
    successors: [APPS_V1],
  },
  {
    group: "apps",
    version: "v1beta2",
    kinds: ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ControllerRevision"],
    deprecated: "1.9",
    removed: "1.16",
    basis: "lifecycle",
    successors: [APPS_V1],
  },
  // 1.19: dynamic audit removed with its types (k8s.io/api v0.19 has no auditregistration).
  {
    group: "auditregistration.k8s.io",
    version: "v1alpha1",
    kinds: ["AuditSink"],
    removed: "1.19",
    basis: "deleted",
    note: "dynamic audit configuration was removed; configure audit webhooks with kube-apiserver flags",
  },
  // 1.20: PodPreset removed with its types (k8s.io/api v0.20 has no settings group).
  {
    group: "settings.k8s.io",
    version: "v1alpha1",
    kinds: ["PodPreset"],
    removed: "1.20",
    basis: "deleted",
    note: "PodPreset was removed; use a mutating admission webhook or a policy engine",
  },
  // 1.21
  {
    group: "batch",
    version: "v2alpha1",
    kinds: ["CronJob"],
    removed: "1.21",
    basis: "deleted",
    successors: [s("batch/v1", "1.21"), s("batch/v1beta1", "1.8", "1.25")],
  },
  {
    group: "discovery.k8s.io",
    version: "v1alpha1",
    kinds: ["EndpointSlice"],
    removed: "1.21",
    basis: "deleted",
    successors: [s("discovery.k8s.io/v1", "1.21"), s("discovery.k8s.io/v1beta1", "1.17", "1.25")],
  },
  {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1alpha1",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    deprecated: "1.20",
    removed: "1.21",
    basis: "lifecycle",
    successors: FLOWCONTROL,
  },
  // 1.22: the migration guide's largest release; lifecycle data unless noted.
  {
    group: "extensions",
    version: "v1beta1",
    kinds: ["Ingress"],
    deprecated: "1.14",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("networking.k8s.io/v1", "1.19")],
  },
  {
    group: "networking.k8s.io",
    version: "v1beta1",
    kinds: ["Ingress", "IngressClass"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("networking.k8s.io/v1", "1.19")],
  },
  {
    group: "apiextensions.k8s.io",
    version: "v1beta1",
    kinds: ["CustomResourceDefinition"],
    deprecated: "1.16",
    removed: "1.22",
    basis: "guide",
    source: "Deprecated API Migration Guide, v1.22 (apiextensions-apiserver, not in k8s.io/api)",
    successors: [s("apiextensions.k8s.io/v1", "1.16")],
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1beta1",
    kinds: ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"],
    deprecated: "1.16",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("admissionregistration.k8s.io/v1", "1.16")],
  },
  {
    group: "apiregistration.k8s.io",
    version: "v1beta1",
    kinds: ["APIService"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "guide",
    source: "Deprecated API Migration Guide, v1.22 (kube-aggregator, not in k8s.io/api)",
    successors: [s("apiregistration.k8s.io/v1", "1.10")],
  },
  {
    group: "authentication.k8s.io",
    version: "v1beta1",
    kinds: ["TokenReview"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("authentication.k8s.io/v1", "1.6")],
  },
  {
    group: "authorization.k8s.io",
    version: "v1beta1",
    kinds: ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("authorization.k8s.io/v1", "1.6")],
  },
  {
    group: "certificates.k8s.io",
    version: "v1beta1",
    kinds: ["CertificateSigningRequest"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("certificates.k8s.io/v1", "1.19")],
  },
  {
    group: "coordination.k8s.io",
    version: "v1beta1",
    kinds: ["Lease"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("coordination.k8s.io/v1", "1.14")],
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1beta1",
    kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    deprecated: "1.17",
    removed: "1.22",
    basis: "lifecycle",
    successors: [RBAC_V1],
  },
  {
    group: "scheduling.k8s.io",
    version: "v1beta1",
    kinds: ["PriorityClass"],
    deprecated: "1.14",
    removed: "1.22",
    basis: "lifecycle",
    successors: [SCHEDULING_V1],
  },
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["StorageClass"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.6")],
  },
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["VolumeAttachment"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.13")],
  },
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["CSIDriver"],
    deprecated: "1.19",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.18")],
  },
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["CSINode"],
    deprecated: "1.17",
    removed: "1.22",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.17")],
  },
  // RuntimeClass v1alpha1 stopped being served in 1.22 (kubernetes/kubernetes#103061, "The
  // node.k8s.io/v1alpha1 RuntimeClass API is no longer served"); its types stay in k8s.io/api.
  {
    group: "node.k8s.io",
    version: "v1alpha1",
    kinds: ["RuntimeClass"],
    removed: "1.22",
    basis: "release-note",
    source: "kubernetes/kubernetes#103061 (v1.22)",
    successors: [NODE_V1],
  },
  // 1.23: CHANGELOG-1.23, API Change: "The rbac.authorization.k8s.io/v1alpha1 API version is
  // removed ... The scheduling.k8s.io/v1alpha1 API version is removed" (kubernetes/kubernetes#104248).
  {
    group: "rbac.authorization.k8s.io",
    version: "v1alpha1",
    kinds: ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    deprecated: "1.17",
    removed: "1.23",
    basis: "release-note",
    source: "CHANGELOG-1.23, kubernetes/kubernetes#104248",
    successors: [RBAC_V1],
  },
  {
    group: "scheduling.k8s.io",
    version: "v1alpha1",
    kinds: ["PriorityClass"],
    deprecated: "1.14",
    removed: "1.23",
    basis: "release-note",
    source: "CHANGELOG-1.23, kubernetes/kubernetes#104248",
    successors: [SCHEDULING_V1],
  },
  // 1.24
  {
    group: "storage.k8s.io",
    version: "v1alpha1",
    kinds: ["CSIStorageCapacity"],
    deprecated: "1.21",
    removed: "1.24",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.24"), s("storage.k8s.io/v1beta1", "1.21", "1.27")],
  },
  {
    group: "storage.k8s.io",
    version: "v1alpha1",
    kinds: ["VolumeAttachment"],
    deprecated: "1.21",
    removed: "1.24",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.13")],
  },
  // 1.25
  {
    group: "batch",
    version: "v1beta1",
    kinds: ["CronJob"],
    deprecated: "1.21",
    removed: "1.25",
    basis: "lifecycle",
    successors: [s("batch/v1", "1.21")],
  },
  {
    group: "discovery.k8s.io",
    version: "v1beta1",
    kinds: ["EndpointSlice"],
    deprecated: "1.21",
    removed: "1.25",
    basis: "lifecycle",
    successors: [s("discovery.k8s.io/v1", "1.21")],
  },
  {
    group: "events.k8s.io",
    version: "v1beta1",
    kinds: ["Event"],
    deprecated: "1.22",
    removed: "1.25",
    basis: "lifecycle",
    successors: [s("events.k8s.io/v1", "1.19")],
  },
  {
    group: "autoscaling",
    version: "v2beta1",
    kinds: ["HorizontalPodAutoscaler"],
    deprecated: "1.22",
    removed: "1.25",
    basis: "lifecycle",
    successors: [s("autoscaling/v2", "1.23"), s("autoscaling/v2beta2", "1.12", "1.26")],
  },
  {
    group: "policy",
    version: "v1beta1",
    kinds: ["PodDisruptionBudget"],
    deprecated: "1.21",
    removed: "1.25",
    basis: "lifecycle",
    successors: [s("policy/v1", "1.21")],
  },
  {
    group: "policy",
    version: "v1beta1",
    kinds: ["PodSecurityPolicy"],
    deprecated: "1.21",
    removed: "1.25",
    basis: "lifecycle",
    note: "PodSecurityPolicy is gone with no successor API; use Pod Security Admission or a policy engine",
  },
  {
    group: "node.k8s.io",
    version: "v1beta1",
    kinds: ["RuntimeClass"],
    deprecated: "1.22",
    removed: "1.25",
    basis: "lifecycle",
    successors: [NODE_V1],
  },
  // 1.26
  {
    group: "autoscaling",
    version: "v2beta2",
    kinds: ["HorizontalPodAutoscaler"],
    deprecated: "1.23",
    removed: "1.26",
    basis: "lifecycle",
    successors: [s("autoscaling/v2", "1.23")],
  },
  {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1beta1",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    deprecated: "1.23",
    removed: "1.26",
    basis: "lifecycle",
    successors: FLOWCONTROL,
  },
  // 1.27
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["CSIStorageCapacity"],
    deprecated: "1.24",
    removed: "1.27",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.24")],
  },
  // Classic DRA's first alpha, replaced by v1alpha2 in 1.27 (k8s.io/api v0.27 has no resource/v1alpha1).
  {
    group: "resource.k8s.io",
    version: "v1alpha1",
    kinds: ["ResourceClaim", "ResourceClaimTemplate", "ResourceClass"],
    removed: "1.27",
    basis: "deleted",
    successors: [s("resource.k8s.io/v1alpha2", "1.27", "1.31")],
    note: "classic DRA was itself removed in 1.31",
  },
  {
    group: "resource.k8s.io",
    version: "v1alpha1",
    kinds: ["PodScheduling"],
    removed: "1.27",
    basis: "deleted",
    note: "renamed PodSchedulingContext in resource.k8s.io/v1alpha2, itself removed in 1.31",
  },
  // 1.29
  {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1beta2",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    deprecated: "1.26",
    removed: "1.29",
    basis: "lifecycle",
    successors: FLOWCONTROL,
  },
  // MultiCIDRRangeAllocator's ClusterCIDR: types deleted in 1.29 (lifecycle said 1.31), no successor.
  {
    group: "networking.k8s.io",
    version: "v1alpha1",
    kinds: ["ClusterCIDR"],
    deprecated: "1.28",
    removed: "1.29",
    basis: "deleted",
    note: "the MultiCIDRRangeAllocator feature was removed; ServiceCIDR (networking.k8s.io/v1) covers Service ranges only",
  },
  // 1.31: classic DRA removed; structured parameters (v1alpha3) is a different API, so claims must
  // be rewritten, not re-versioned (k8s.io/api v0.31 has no resource/v1alpha2).
  {
    group: "resource.k8s.io",
    version: "v1alpha2",
    kinds: ["ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    removed: "1.31",
    basis: "deleted",
    successors: RESOURCE,
    note: "classic DRA was removed: rewrite claims for structured parameters (DeviceClass and device requests)",
  },
  {
    group: "resource.k8s.io",
    version: "v1alpha2",
    kinds: ["ResourceClass", "PodSchedulingContext", "ResourceClaimParameters", "ResourceClassParameters"],
    removed: "1.31",
    basis: "deleted",
    note: "classic DRA was removed with no successor for this kind; structured parameters use DeviceClass",
  },
  // 1.32
  {
    group: "flowcontrol.apiserver.k8s.io",
    version: "v1beta3",
    kinds: ["FlowSchema", "PriorityLevelConfiguration"],
    deprecated: "1.29",
    removed: "1.32",
    basis: "lifecycle",
    successors: [s("flowcontrol.apiserver.k8s.io/v1", "1.29")],
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1alpha1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    deprecated: "1.29",
    removed: "1.32",
    basis: "lifecycle",
    successors: [
      s("admissionregistration.k8s.io/v1", "1.30"),
      s("admissionregistration.k8s.io/v1beta1", "1.28", "1.34"),
    ],
  },
  {
    group: "authentication.k8s.io",
    version: "v1alpha1",
    kinds: ["SelfSubjectReview"],
    deprecated: "1.29",
    removed: "1.32",
    basis: "lifecycle",
    successors: [s("authentication.k8s.io/v1", "1.28")],
  },
  // Types deleted in 1.32 (lifecycle said 1.37). kubernetes/kubernetes#127857 dropped v1alpha1 for
  // v1alpha2; its review asks for the release note "objects must be deleted before upgrade".
  {
    group: "coordination.k8s.io",
    version: "v1alpha1",
    kinds: ["LeaseCandidate"],
    removed: "1.32",
    basis: "deleted",
    successors: [s("coordination.k8s.io/v1beta1", "1.33", "1.39"), s("coordination.k8s.io/v1alpha2", "1.32", "1.38")],
    deleteBeforeUpgrade:
      "kubernetes/kubernetes#127857 (v1.32): v1alpha1 is dropped and its objects must be deleted before the upgrade",
  },
  {
    group: "resource.k8s.io",
    version: "v1alpha3",
    kinds: ["PodSchedulingContext"],
    removed: "1.32",
    basis: "deleted",
    note: "DRA's control-plane controller mode was removed with no successor",
  },
  // 1.33
  {
    group: "networking.k8s.io",
    version: "v1alpha1",
    kinds: ["IPAddress", "ServiceCIDR"],
    deprecated: "1.30",
    removed: "1.33",
    basis: "lifecycle",
    successors: [s("networking.k8s.io/v1", "1.33"), s("networking.k8s.io/v1beta1", "1.31", "1.37")],
  },
  {
    group: "authentication.k8s.io",
    version: "v1beta1",
    kinds: ["SelfSubjectReview"],
    deprecated: "1.30",
    removed: "1.33",
    basis: "lifecycle",
    successors: [s("authentication.k8s.io/v1", "1.28")],
  },
  // 1.34
  {
    group: "admissionregistration.k8s.io",
    version: "v1beta1",
    kinds: ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    deprecated: "1.31",
    removed: "1.34",
    basis: "lifecycle",
    successors: [s("admissionregistration.k8s.io/v1", "1.30")],
  },
  // Types deleted in 1.34 when resource.k8s.io/v1 arrived (lifecycle said 1.37).
  {
    group: "resource.k8s.io",
    version: "v1alpha3",
    kinds: ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    deprecated: "1.34",
    removed: "1.34",
    basis: "deleted",
    successors: RESOURCE.filter((r) => r.apiVersion !== "resource.k8s.io/v1alpha3"),
  },
  // 1.35
  {
    group: "storage.k8s.io",
    version: "v1alpha1",
    kinds: ["VolumeAttributesClass"],
    deprecated: "1.32",
    removed: "1.35",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.34"), s("storage.k8s.io/v1beta1", "1.31", "1.37")],
  },
  // Types deleted in 1.35 (lifecycle said 1.36). kubernetes/kubernetes#134784 release note:
  // "users must remove any v1alpha1 resources prior to upgrade".
  {
    group: "storagemigration.k8s.io",
    version: "v1alpha1",
    kinds: ["StorageVersionMigration"],
    deprecated: "1.33",
    removed: "1.35",
    basis: "deleted",
    successors: [s("storagemigration.k8s.io/v1", "1.37"), s("storagemigration.k8s.io/v1beta1", "1.35", "1.40")],
    deleteBeforeUpgrade:
      "kubernetes/kubernetes#134784 (v1.35): the v1alpha1 API is no longer supported and users must remove any v1alpha1 resources prior to upgrade",
  },
  // PodCertificateRequest's alpha lived in 1.34 only; v1beta1 from 1.35 (types deleted in 1.35).
  {
    group: "certificates.k8s.io",
    version: "v1alpha1",
    kinds: ["PodCertificateRequest"],
    removed: "1.35",
    basis: "deleted",
    successors: [s("certificates.k8s.io/v1", "1.37"), s("certificates.k8s.io/v1beta1", "1.35", "1.40")],
  },
  // 1.36: kubernetes/kubernetes#136976 replaced the Workload API's v1alpha1 with v1alpha2 (types
  // deleted in 1.36). Its release note does not ask for deleting objects first, so API-05 does
  // not either (no source says so, though v1alpha1 was the only, hence storage, version).
  {
    group: "scheduling.k8s.io",
    version: "v1alpha1",
    kinds: ["Workload"],
    removed: "1.36",
    basis: "deleted",
    successors: SCHEDULING_WORKLOAD,
  },
  // 1.37
  {
    group: "storage.k8s.io",
    version: "v1beta1",
    kinds: ["VolumeAttributesClass"],
    deprecated: "1.34",
    removed: "1.37",
    basis: "lifecycle",
    successors: [s("storage.k8s.io/v1", "1.34")],
  },
  {
    group: "networking.k8s.io",
    version: "v1beta1",
    kinds: ["IPAddress", "ServiceCIDR"],
    deprecated: "1.34",
    removed: "1.37",
    basis: "lifecycle",
    successors: [s("networking.k8s.io/v1", "1.33")],
  },
  {
    group: "certificates.k8s.io",
    version: "v1alpha1",
    kinds: ["ClusterTrustBundle"],
    deprecated: "1.34",
    removed: "1.37",
    basis: "lifecycle",
    successors: [s("certificates.k8s.io/v1", "1.37"), s("certificates.k8s.io/v1beta1", "1.33", "1.40")],
  },
  // Types deleted in 1.37. kubernetes/kubernetes#140184 release note: "If using the v1alpha2
  // version in 1.36, remember to remove all v1alpha2 objects from the api-server before upgrading
  // from 1.36 to 1.37."
  {
    group: "scheduling.k8s.io",
    version: "v1alpha2",
    kinds: ["Workload", "PodGroup"],
    removed: "1.37",
    basis: "deleted",
    successors: [SCHEDULING_WORKLOAD_BETA],
    deleteBeforeUpgrade:
      "kubernetes/kubernetes#140184 (v1.37): remove all v1alpha2 objects from the api-server before upgrading from 1.36 to 1.37",
  },
  // 1.38 and later: scheduled by the lifecycle data of the snapshot (a 1.37 tree); a release may
  // still delete a version sooner.
  {
    group: "admissionregistration.k8s.io",
    version: "v1alpha1",
    kinds: ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
    deprecated: "1.35",
    removed: "1.38",
    basis: "lifecycle",
    successors: [
      s("admissionregistration.k8s.io/v1", "1.36"),
      s("admissionregistration.k8s.io/v1beta1", "1.34", "1.40"),
    ],
  },
  {
    group: "coordination.k8s.io",
    version: "v1alpha2",
    kinds: ["LeaseCandidate"],
    deprecated: "1.35",
    removed: "1.38",
    basis: "lifecycle",
    successors: [s("coordination.k8s.io/v1beta1", "1.33", "1.39")],
  },
  {
    group: "resource.k8s.io",
    version: "v1beta1",
    kinds: ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    deprecated: "1.35",
    removed: "1.38",
    basis: "lifecycle",
    successors: [s("resource.k8s.io/v1", "1.34")],
  },
  {
    group: "coordination.k8s.io",
    version: "v1beta1",
    kinds: ["LeaseCandidate"],
    deprecated: "1.36",
    removed: "1.39",
    basis: "lifecycle",
    note: "no GA LeaseCandidate exists in the k8s.io/api Upshift knows (July 2026)",
  },
  {
    group: "resource.k8s.io",
    version: "v1beta2",
    kinds: ["DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"],
    deprecated: "1.36",
    removed: "1.39",
    basis: "lifecycle",
    successors: [s("resource.k8s.io/v1", "1.34")],
  },
  {
    group: "resource.k8s.io",
    version: "v1alpha3",
    kinds: ["DeviceTaintRule"],
    deprecated: "1.36",
    removed: "1.39",
    basis: "lifecycle",
    successors: [s("resource.k8s.io/v1", "1.37"), s("resource.k8s.io/v1beta2", "1.36", "1.42")],
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1beta1",
    kinds: ["MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
    deprecated: "1.37",
    removed: "1.40",
    basis: "lifecycle",
    successors: [s("admissionregistration.k8s.io/v1", "1.36")],
  },
  {
    group: "certificates.k8s.io",
    version: "v1beta1",
    kinds: ["ClusterTrustBundle", "PodCertificateRequest"],
    deprecated: "1.37",
    removed: "1.40",
    basis: "lifecycle",
    successors: [s("certificates.k8s.io/v1", "1.37")],
  },
  {
    group: "storagemigration.k8s.io",
    version: "v1beta1",
    kinds: ["StorageVersionMigration"],
    deprecated: "1.37",
    removed: "1.40",
    basis: "lifecycle",
    successors: [s("storagemigration.k8s.io/v1", "1.37")],
  },
];

export const DEPRECATIONS: readonly Deprecation[] = ROWS.flatMap((row) =>
  row.kinds.map((kind) => {
    const successors = row.successors ?? [];
    return {
      group: row.group,
      version: row.version,
      kind,
      deprecatedIn: row.deprecated ?? row.removed,
      removedIn: row.removed,
      basis: row.basis,
      source: row.source,
      successors,
      replacement: lastingSuccessor(successors)?.apiVersion,
      note: row.note,
      deleteBeforeUpgrade: row.deleteBeforeUpgrade,
    };
  }),
);

/** The successor still served where the table ends (GA first); undefined when every successor goes too. */
function lastingSuccessor(successors: readonly Successor[]): Successor | undefined {
  const reach = parseKubeVersion(TABLE_REACHES)!;
  return successors.find((x) => x.until === undefined || !minorAtOrBefore(parseKubeVersion(x.until)!, reach));
}

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

/**
 * The apiVersion to migrate to on `target`: the most stable successor served there (since <= target
 * < until). Undefined when none is (PodSecurityPolicy from 1.25; classic DRA kinds).
 */
export function replacementAt(d: Deprecation, target: KubeVersion): string | undefined {
  const served = (x: Successor) => {
    const since = parseKubeVersion(x.since);
    const until = x.until === undefined ? undefined : parseKubeVersion(x.until);
    return (
      since !== undefined && minorAtOrBefore(since, target) && (until === undefined || !minorAtOrBefore(until, target))
    );
  };
  return d.successors.find(served)?.apiVersion;
}

/** Whether "MAJOR.MINOR" removal release is at or before target; for sources (metrics) that give no kind. */
export function releaseAtOrBefore(release: string, target: KubeVersion): boolean {
  const r = parseKubeVersion(release);
  return r !== undefined && minorAtOrBefore(r, target);
}
