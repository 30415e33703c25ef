// Workloads (Deployment with its ReplicaSet, StatefulSet, DaemonSet) with their pods, the
// containers they run, and PodDisruptionBudgets over them.
import type { KubeObject } from "../../../kube/resources.ts";
import { at, hashOf, type Json } from "./snapshot.ts";

const antiAffinity = (app: string) => ({
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { app } } },
      },
    ],
  },
});

/** What workload() builds: a controller, its pods on `nodes` in turn, healthy unless podStatus says. */
export interface WorkloadInput {
  kind?: "Deployment" | "StatefulSet" | "DaemonSet";
  namespace: string;
  name: string;
  replicas: number;
  containers: Json[];
  volumes?: Json[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Spread replicas across nodes (anti-affinity). */
  spread?: boolean;
  nodes: string[];
  hash?: string;
  /** Per pod index: container statuses and pod conditions to use instead of healthy ones. */
  podStatus?: (i: number, podName: string) => Json | undefined;
}

function healthyPodStatus(containers: Json[], nodeName: string, i: number): Json {
  const started = at(-3600 + i * 7);
  const ready = at(-3600 + i * 7 + 8);
  return {
    phase: "Running",
    hostIP: `10.0.0.${10 + (i % 6)}`,
    podIP: `10.1.${i % 6}.${20 + i}`,
    startTime: started,
    conditions: [
      { type: "PodReadyToStartContainers", status: "True", lastTransitionTime: started },
      { type: "Initialized", status: "True", lastTransitionTime: started },
      { type: "Ready", status: "True", lastTransitionTime: ready },
      { type: "ContainersReady", status: "True", lastTransitionTime: ready },
      { type: "PodScheduled", status: "True", lastTransitionTime: started },
    ],
    containerStatuses: containers.map((c) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(":")[0]}@sha256:${hashOf(c.image, 16)}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: started } },
      lastState: {},
    })),
    qosClass: "Burstable",
    _node: nodeName,
  };
}

/** A workload with its ReplicaSet (Deployments) and pods, statuses consistent with each other. */
export function workload(w: WorkloadInput): KubeObject[] {
  const kind = w.kind ?? "Deployment";
  const labels = { app: w.name, ...w.labels };
  const podSpec: Json = { containers: w.containers, ...(w.volumes ? { volumes: w.volumes } : {}) };
  if (w.spread) podSpec.affinity = antiAffinity(w.name);
  const template = { metadata: { labels: { app: w.name } }, spec: podSpec };
  const replicas = kind === "DaemonSet" ? w.nodes.length : w.replicas;
  const meta = { name: w.name, namespace: w.namespace, labels, annotations: w.annotations, generation: 1 };
  const out: KubeObject[] = [];
  const readyCount = Array.from({ length: replicas }, (_, i) => i).filter((i) => {
    const s = w.podStatus?.(i, "");
    return !s || s.conditions?.some((c: Json) => c.type === "Ready" && c.status === "True");
  }).length;
  if (kind === "Deployment") {
    out.push({
      apiVersion: "apps/v1",
      kind,
      metadata: { ...meta, annotations: { "deployment.kubernetes.io/revision": "1", ...w.annotations } },
      spec: { replicas, selector: { matchLabels: { app: w.name } }, strategy: { type: "RollingUpdate" }, template },
      status: {
        observedGeneration: 1,
        replicas,
        readyReplicas: readyCount,
        availableReplicas: readyCount,
        updatedReplicas: replicas,
      },
    });
  } else if (kind === "StatefulSet") {
    out.push({
      apiVersion: "apps/v1",
      kind,
      metadata: meta,
      spec: { replicas, serviceName: w.name, selector: { matchLabels: { app: w.name } }, template },
      status: {
        observedGeneration: 1,
        replicas,
        readyReplicas: readyCount,
        currentReplicas: replicas,
        updatedReplicas: replicas,
      },
    });
  } else {
    out.push({
      apiVersion: "apps/v1",
      kind,
      metadata: meta,
      spec: { selector: { matchLabels: { app: w.name } }, template },
      status: {
        desiredNumberScheduled: replicas,
        currentNumberScheduled: replicas,
        numberReady: readyCount,
        numberAvailable: readyCount,
        updatedNumberScheduled: replicas,
      },
    });
  }
  const hash = w.hash ?? hashOf(`${w.namespace}/${w.name}`);
  let podOwner: Json = {
    apiVersion: "apps/v1",
    kind,
    name: w.name,
    controller: true,
    blockOwnerDeletion: true,
    uid: `uid-${hashOf(`${w.namespace}/${w.name}`, 8)}`,
  };
  const podLabels: Record<string, string> = { app: w.name };
  if (kind === "Deployment") {
    const rsName = `${w.name}-${hash}`;
    podLabels["pod-template-hash"] = hash;
    out.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: rsName,
        namespace: w.namespace,
        labels: { app: w.name, "pod-template-hash": hash },
        ownerReferences: [{ ...podOwner }],
      },
      spec: { replicas, selector: { matchLabels: { app: w.name, "pod-template-hash": hash } }, template },
      status: { replicas, readyReplicas: readyCount, availableReplicas: readyCount },
    });
    podOwner = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: rsName,
      controller: true,
      blockOwnerDeletion: true,
      uid: `uid-${hashOf(rsName, 8)}`,
    };
  }
  for (let i = 0; i < replicas; i++) {
    const suffix = kind === "StatefulSet" ? String(i) : hashOf(`${w.name}-${i}`, 5);
    const name = kind === "Deployment" ? `${w.name}-${hash}-${suffix}` : `${w.name}-${suffix}`;
    const nodeName = w.nodes[i % w.nodes.length];
    const { _node, ...status } = w.podStatus?.(i, name) ?? healthyPodStatus(w.containers, nodeName, i);
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name,
        namespace: w.namespace,
        labels: kind === "StatefulSet" ? { ...podLabels, "statefulset.kubernetes.io/pod-name": name } : podLabels,
        ownerReferences: [podOwner],
      },
      spec: { ...podSpec, nodeName, restartPolicy: "Always", serviceAccountName: "default" },
      status,
    });
  }
  return out;
}

export function pdb(namespace: string, app: string, spec: Json, expectedPods: number): KubeObject {
  const minAvailable = typeof spec.minAvailable === "number" ? spec.minAvailable : undefined;
  const maxUnavailable = typeof spec.maxUnavailable === "number" ? spec.maxUnavailable : undefined;
  const allowed = Math.max(0, maxUnavailable ?? expectedPods - (minAvailable ?? expectedPods));
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: app, namespace },
    spec: { ...spec, selector: { matchLabels: { app } } },
    status: {
      currentHealthy: expectedPods,
      desiredHealthy: expectedPods - allowed,
      disruptionsAllowed: allowed,
      expectedPods,
      observedGeneration: 1,
    },
  };
}

/** An HTTP probe every 10 s, failing after three misses unless `extra` says otherwise. */
const probe = (path: string, port: number, extra: Json = {}) => ({
  httpGet: { path, port },
  periodSeconds: 10,
  failureThreshold: 3,
  ...extra,
});

/** A well-behaved container: requests, a startup probe, liveness and readiness. */
export function app(name: string, image: string, port: number): Json {
  return {
    name,
    image,
    ports: [{ containerPort: port }],
    resources: { requests: { cpu: "100m", memory: "128Mi" } },
    startupProbe: probe("/healthz", port, { failureThreshold: 30 }),
    livenessProbe: probe("/healthz", port, { initialDelaySeconds: 5 }),
    readinessProbe: probe("/ready", port),
  };
}
