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
  /** A server-side label selector applied when listing (Helm release Secrets: owner=helm). */
  labelSelector?: string;
  /** A server-side field selector applied when listing (Helm release Secrets: type=helm.sh/release.v1). */
  fieldSelector?: string;
}

export const RESOURCES = {
  nodes: { apiVersion: "v1", kind: "Node", plural: "nodes", namespaced: false },
  namespaces: { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  pods: { apiVersion: "v1", kind: "Pod", plural: "pods", namespaced: true },
  configmaps: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
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
