// Every resource Upshift reads, in one table. Checks name these keys in `reads`, the snapshot
// lists exactly those, and the RBAC test compares this table with deploy/kubernetes' ClusterRole:
// a resource missing here cannot be read, so it cannot be forgotten in the role either.

/** A Kubernetes object as JSON; fields are optional because real clusters hold odd objects. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
    uid?: string;
    creationTimestamp?: string;
    ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
    [k: string]: unknown;
  };
  // biome-ignore lint/suspicious/noExplicitAny: objects are read defensively by each check
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: objects are read defensively by each check
  status?: any;
  // biome-ignore lint/suspicious/noExplicitAny: Secret and ConfigMap payloads
  data?: any;
  type?: string;
  [k: string]: unknown;
}

export interface ResourceDef {
  /** group/version, "v1" for core. */
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  /** A server-side label selector applied when listing: one `key=value` or `key!=value` (Helm release Secrets: owner=helm). */
  labelSelector?: string;
  /** A server-side field selector applied when listing (Helm release Secrets: type=helm.sh/release.v1). */
  fieldSelector?: string;
  /**
   * Served only from some minor on, or only when enabled (alpha versions): a 404 means this
   * cluster does not serve it, and the list is empty instead of failing the run.
   */
  optional?: true;
}

export const RESOURCES = {
  nodes: { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  namespaces: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  pods: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  configmaps: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  // VOL-01: PersistentVolumes still on removed in-tree volume plugins (cephfs, rbd, portworx, flex).
  persistentvolumes: { apiVersion: "v1", kind: "PersistentVolume", plural: "persistentvolumes", namespaced: false },
  // Only Helm's release Secrets are ever listed, and only by both selectors: Helm 3's Secret
  // storage driver labels each release Secret owner=helm and gives it type helm.sh/release.v1
  // (helm/helm pkg/storage/driver/secrets.go). Other Secrets are never listed: REF-01 asks for a
  // referenced Secret by name, metadata only (ClusterClient.exists), so no payload is read.
  helmReleases: {
    apiVersion: "v1",
    kind: "Secret",
    plural: "secrets",
    namespaced: true,
    labelSelector: "owner=helm",
    fieldSelector: "type=helm.sh/release.v1",
  },
  events: { apiVersion: "v1", kind: "Event", plural: "events", namespaced: true },
  services: { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  deployments: { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  statefulsets: { apiVersion: "apps/v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true },
  daemonsets: { apiVersion: "apps/v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true },
  replicasets: { apiVersion: "apps/v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true },
  pdbs: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", namespaced: true },
  crds: {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    plural: "customresourcedefinitions",
    namespaced: false,
  },
  ingresses: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses", namespaced: true },
  hpas: {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
  },
  // Kinds people `kubectl apply` whose older versions the removal table names (API-02 reads
  // their last-applied annotation), each in its GA version; optional where that GA version is
  // newer than 1.19, the oldest minor Upshift checks.
  cronjobs: { apiVersion: "batch/v1", kind: "CronJob", plural: "cronjobs", namespaced: true, optional: true },
  networkpolicies: {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
  },
  ingressclasses: {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    plural: "ingressclasses",
    namespaced: false,
  },
  servicecidrs: {
    apiVersion: "networking.k8s.io/v1",
    kind: "ServiceCIDR",
    plural: "servicecidrs",
    namespaced: false,
    optional: true,
  },
  roles: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  rolebindings: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
  },
  clusterroles: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    plural: "clusterroles",
    namespaced: false,
  },
  clusterrolebindings: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    plural: "clusterrolebindings",
    namespaced: false,
  },
  mutatingwebhooks: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    plural: "mutatingwebhookconfigurations",
    namespaced: false,
  },
  validatingwebhooks: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    plural: "validatingwebhookconfigurations",
    namespaced: false,
  },
  validatingpolicies: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    plural: "validatingadmissionpolicies",
    namespaced: false,
    optional: true,
  },
  validatingpolicybindings: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    plural: "validatingadmissionpolicybindings",
    namespaced: false,
    optional: true,
  },
  mutatingpolicies: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicy",
    plural: "mutatingadmissionpolicies",
    namespaced: false,
    optional: true,
  },
  mutatingpolicybindings: {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingAdmissionPolicyBinding",
    plural: "mutatingadmissionpolicybindings",
    namespaced: false,
    optional: true,
  },
  apiservices: {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    plural: "apiservices",
    namespaced: false,
  },
  storageclasses: {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    plural: "storageclasses",
    namespaced: false,
  },
  csidrivers: { apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", plural: "csidrivers", namespaced: false },
  volumeattributesclasses: {
    apiVersion: "storage.k8s.io/v1",
    kind: "VolumeAttributesClass",
    plural: "volumeattributesclasses",
    namespaced: false,
    optional: true,
  },
  priorityclasses: {
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    plural: "priorityclasses",
    namespaced: false,
  },
  runtimeclasses: {
    apiVersion: "node.k8s.io/v1",
    kind: "RuntimeClass",
    plural: "runtimeclasses",
    namespaced: false,
    optional: true,
  },
  // Only slices the EndpointSlice controller did not make (one or more per Service: thousands on
  // a big cluster); a slice someone applied has no such managed-by label.
  endpointslices: {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    plural: "endpointslices",
    namespaced: true,
    optional: true,
    labelSelector: "endpointslice.kubernetes.io/managed-by!=endpointslice-controller.k8s.io",
  },
  flowschemas: {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1",
    kind: "FlowSchema",
    plural: "flowschemas",
    namespaced: false,
    optional: true,
  },
  prioritylevels: {
    apiVersion: "flowcontrol.apiserver.k8s.io/v1",
    kind: "PriorityLevelConfiguration",
    plural: "prioritylevelconfigurations",
    namespaced: false,
    optional: true,
  },
  deviceclasses: {
    apiVersion: "resource.k8s.io/v1",
    kind: "DeviceClass",
    plural: "deviceclasses",
    namespaced: false,
    optional: true,
  },
  resourceclaims: {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    plural: "resourceclaims",
    namespaced: true,
    optional: true,
  },
  resourceclaimtemplates: {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaimTemplate",
    plural: "resourceclaimtemplates",
    namespaced: true,
    optional: true,
  },
  // Alpha versions whose objects must be deleted before the release that removes them (API-05).
  // Served only where an administrator enabled them, so optional.
  storageVersionMigrationsV1alpha1: {
    apiVersion: "storagemigration.k8s.io/v1alpha1",
    kind: "StorageVersionMigration",
    plural: "storageversionmigrations",
    namespaced: false,
    optional: true,
  },
  workloadsV1alpha2: {
    apiVersion: "scheduling.k8s.io/v1alpha2",
    kind: "Workload",
    plural: "workloads",
    namespaced: true,
    optional: true,
  },
  podGroupsV1alpha2: {
    apiVersion: "scheduling.k8s.io/v1alpha2",
    kind: "PodGroup",
    plural: "podgroups",
    namespaced: true,
    optional: true,
  },
  leaseCandidatesV1alpha1: {
    apiVersion: "coordination.k8s.io/v1alpha1",
    kind: "LeaseCandidate",
    plural: "leasecandidates",
    namespaced: true,
    optional: true,
  },
} as const satisfies Record<string, ResourceDef>;

export type ResourceKey = keyof typeof RESOURCES;

export function objectRef(o: KubeObject, fallback?: { apiVersion: string; kind: string }) {
  return {
    apiVersion: o.apiVersion ?? fallback?.apiVersion ?? "v1",
    kind: o.kind ?? fallback?.kind ?? "Unknown",
    namespace: o.metadata?.namespace,
    name: o.metadata?.name ?? "(unnamed)",
  };
}
