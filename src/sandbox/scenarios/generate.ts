// Writes the sandbox scenarios (src/sandbox/scenarios/*.yaml) from the builders below. The YAML
// files are committed as plain snapshots, so the sandbox and tests never run this; rerun it after
// changing a scenario: `node src/sandbox/scenarios/generate.ts`. Builders keep pods, ReplicaSets
// and statuses consistent (owner references, ready times), which hand-written YAML gets wrong.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { helmReleaseSecret } from "../../helm/release.ts";
import type { KubeObject } from "../../kube/resources.ts";

/** Snapshot time: statuses are written as seen at about this moment. */
const T0 = Date.parse("2026-03-01T11:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString().replace(".000Z", "Z");

// biome-ignore lint/suspicious/noExplicitAny: builders write free-form Kubernetes JSON
type Json = Record<string, any>;

function settings(serverVersion: string): KubeObject {
  return { apiVersion: "sandbox.upshift.dev/v1", kind: "SandboxSettings", spec: { serverVersion } };
}

function namespace(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

function node(
  name: string,
  kubeletVersion: string,
  opts: { controlPlane?: boolean; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        ...(opts.controlPlane ? { "node-role.kubernetes.io/control-plane": "" } : {}),
        ...opts.labels,
      },
    },
    spec: opts.controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {},
    status: {
      conditions: [
        {
          type: "MemoryPressure",
          status: "False",
          reason: "KubeletHasSufficientMemory",
          lastTransitionTime: at(-86400),
        },
        { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", lastTransitionTime: at(-86400) },
        { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", lastTransitionTime: at(-86400) },
        {
          type: "Ready",
          status: "True",
          reason: "KubeletReady",
          message: "kubelet is posting ready status",
          lastTransitionTime: at(-86400),
        },
      ],
      nodeInfo: {
        kubeletVersion,
        containerRuntimeVersion: "containerd://1.7.24",
        osImage: "Ubuntu 24.04.1 LTS",
        architecture: "amd64",
      },
      capacity: { cpu: "4", memory: "16331256Ki", pods: "110" },
      allocatable: { cpu: "4", memory: "16228856Ki", pods: "110" },
    },
  };
}

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

interface WorkloadInput {
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

const HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
function hashOf(s: string, length = 10): string {
  let h = 2166136261;
  let out = "";
  for (let i = 0; i < length; i++) {
    for (const c of `${s}:${i}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
    out += HASH_ALPHABET[h % HASH_ALPHABET.length];
  }
  return out;
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
function workload(w: WorkloadInput): KubeObject[] {
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

function pdb(namespace: string, app: string, spec: Json, expectedPods: number): KubeObject {
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

function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    data,
  };
}

function secret(namespace: string, name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace },
    type: "Opaque",
    data: { token: Buffer.from("fixture").toString("base64") },
  };
}

function event(
  namespace: string,
  involved: { kind: string; name: string; apiVersion?: string },
  reason: string,
  message: string,
  count: number,
  type = "Warning",
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${involved.name}.${hashOf(`${involved.name}${reason}`, 16)}`, namespace },
    involvedObject: { apiVersion: involved.apiVersion ?? "v1", kind: involved.kind, name: involved.name, namespace },
    reason,
    message,
    type,
    count,
    firstTimestamp: at(-1500),
    lastTimestamp: at(-60),
    source: { component: "kubelet" },
  };
}

const probe = (path: string, port: number, extra: Json = {}) => ({
  httpGet: { path, port },
  periodSeconds: 10,
  failureThreshold: 3,
  ...extra,
});

function app(name: string, image: string, port: number): Json {
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

const WORKERS = ["worker-1", "worker-2", "worker-3"];

function clusterNodes(kubeletVersion: string): KubeObject[] {
  return [
    node("cp-1", kubeletVersion, { controlPlane: true }),
    node("cp-2", kubeletVersion, { controlPlane: true }),
    node("cp-3", kubeletVersion, { controlPlane: true }),
    ...WORKERS.map((n) => node(n, kubeletVersion)),
  ];
}

function helm(name: string, namespace: string, revisions: Array<[string, string, string?]>): KubeObject[] {
  return revisions.map(([chart, status, appVersion], i) =>
    helmReleaseSecret({ name, namespace, revision: i + 1, status, chart, appVersion }),
  );
}

function crd(
  group: string,
  plural: string,
  kind: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${group}`, labels, ...(annotations ? { annotations } : {}) },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
    status: {
      acceptedNames: { kind, plural },
      storedVersions: ["v1"],
      conditions: [{ type: "Established", status: "True" }],
    },
  };
}

// ---------------------------------------------------------------- healthy cluster

function healthyAddons(): KubeObject[] {
  return [
    ...workload({
      namespace: "kube-system",
      name: "coredns",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      containers: [
        {
          ...app("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", 8080),
          args: ["-conf", "/etc/coredns/Corefile"],
        },
      ],
    }),
    ...workload({
      namespace: "kube-system",
      name: "metrics-server",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      containers: [app("metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2", 10250)],
    }),
    ...workload({
      kind: "DaemonSet",
      namespace: "kube-system",
      name: "calico-node",
      replicas: 0,
      nodes: WORKERS,
      containers: [app("calico-node", "docker.io/calico/node:v3.30.2", 9099)],
    }),
  ];
}

function healthyApps(): KubeObject[] {
  const certLabels = (v: string) => ({
    "app.kubernetes.io/name": "cert-manager",
    "app.kubernetes.io/instance": "cert-manager",
    "app.kubernetes.io/version": v,
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": `cert-manager-${v}`,
  });
  const helmOwned = { "meta.helm.sh/release-name": "cert-manager", "meta.helm.sh/release-namespace": "cert-manager" };
  const monitoringLabels = {
    "app.kubernetes.io/managed-by": "Helm",
    "app.kubernetes.io/instance": "rancher-monitoring",
  };
  return [
    namespace("shop"),
    namespace("traefik"),
    namespace("cert-manager"),
    namespace("cattle-monitoring-system"),
    ...workload({
      namespace: "shop",
      name: "web",
      replicas: 3,
      spread: true,
      nodes: WORKERS,
      containers: [app("web", "ghcr.io/example/shop-web:2.4.1", 8080)],
    }),
    ...workload({
      namespace: "shop",
      name: "api",
      replicas: 3,
      spread: true,
      nodes: WORKERS,
      containers: [
        {
          ...app("api", "ghcr.io/example/shop-api:2.4.1", 8081),
          envFrom: [{ configMapRef: { name: "api-settings" } }, { secretRef: { name: "api-db" } }],
        },
      ],
    }),
    configMap("shop", "api-settings", { LOG_LEVEL: "info", FEATURE_CHECKOUT_V2: "true" }),
    secret("shop", "api-db"),
    ...workload({
      kind: "StatefulSet",
      namespace: "shop",
      name: "postgres",
      replicas: 3,
      spread: true,
      nodes: WORKERS,
      containers: [app("postgres", "docker.io/library/postgres:16.6", 5432)],
    }),
    pdb("shop", "web", { maxUnavailable: 1 }, 3),
    pdb("shop", "api", { minAvailable: 2 }, 3),
    pdb("shop", "postgres", { maxUnavailable: 1 }, 3),
    // Traefik, not ingress-nginx: ingress-nginx was retired in March 2026 (ADD-02), and a healthy
    // cluster must have nothing above low.
    ...workload({
      namespace: "traefik",
      name: "traefik",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: {
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": "v3.3.5",
        "helm.sh/chart": "traefik-34.4.1",
      },
      containers: [app("traefik", "docker.io/traefik:v3.3.5", 9000)],
    }),
    pdb("traefik", "traefik", { maxUnavailable: 1 }, 2),
    ...helm("traefik", "traefik", [
      ["traefik-34.3.0", "superseded", "v3.3.4"],
      ["traefik-34.4.1", "deployed", "v3.3.5"],
    ]),
    ...workload({
      namespace: "cert-manager",
      name: "cert-manager",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: certLabels("v1.16.2"),
      annotations: helmOwned,
      containers: [app("cert-manager-controller", "quay.io/jetstack/cert-manager-controller:v1.16.2", 9402)],
    }),
    ...["certificates", "issuers", "clusterissuers", "certificaterequests"].map((plural) =>
      crd("cert-manager.io", plural, plural[0].toUpperCase() + plural.slice(1, -1), certLabels("v1.16.2"), helmOwned),
    ),
    ...helm("cert-manager", "cert-manager", [["cert-manager-v1.16.2", "deployed", "v1.16.2"]]),
    ...workload({
      namespace: "cattle-monitoring-system",
      name: "rancher-monitoring-operator",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: monitoringLabels,
      containers: [
        app("prometheus-operator", "docker.io/rancher/mirrored-prometheus-operator-prometheus-operator:v0.76.2", 8080),
      ],
    }),
    ...helm("rancher-monitoring", "cattle-monitoring-system", [
      ["rancher-monitoring-105.1.1+up61.3.2", "superseded", "v0.76.2"],
      ["rancher-monitoring-105.1.2+up61.3.2", "deployed", "v0.76.2"],
    ]),
  ];
}

// ---------------------------------------------------------------- incidents

/** INCIDENTS case 1: Botkube downloads kubectl at start; liveness (10s delay) kills it first. */
function incident1(): KubeObject[] {
  const container = {
    name: "botkube",
    image: "ghcr.io/kubeshop/botkube:v1.10.0",
    env: [
      { name: "BOTKUBE_PLUGINS_CACHE__DIR", value: "/tmp" },
      { name: "BOTKUBE_CONFIG_PATHS", value: "/config/global_config.yaml" },
    ],
    livenessProbe: {
      httpGet: { path: "/healthz", port: 2114 },
      initialDelaySeconds: 10,
      periodSeconds: 5,
      failureThreshold: 3,
    },
    readinessProbe: { httpGet: { path: "/healthz", port: 2114 }, initialDelaySeconds: 10, periodSeconds: 5 },
    volumeMounts: [{ name: "config", mountPath: "/config" }],
  };
  const started = at(-300);
  const ready = at(-300 + 45);
  return [
    namespace("botkube"),
    configMap("botkube", "botkube-global-config", {
      "global_config.yaml": "settings:\n  clusterName: prod\n  upgradeNotifier: true\n",
    }),
    ...workload({
      namespace: "botkube",
      name: "botkube",
      replicas: 1,
      nodes: WORKERS,
      hash: "6c8f7d9b54",
      labels: {
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": "v1.10.0",
        "helm.sh/chart": "botkube-v1.10.0",
      },
      containers: [container],
      volumes: [{ name: "config", configMap: { name: "botkube-global-config" } }],
      podStatus: () => ({
        phase: "Running",
        startTime: at(-1500),
        conditions: [
          { type: "Initialized", status: "True", lastTransitionTime: at(-1500) },
          { type: "Ready", status: "True", lastTransitionTime: ready },
          { type: "ContainersReady", status: "True", lastTransitionTime: ready },
          { type: "PodScheduled", status: "True", lastTransitionTime: at(-1500) },
        ],
        containerStatuses: [
          {
            name: "botkube",
            image: container.image,
            ready: true,
            started: true,
            restartCount: 4,
            state: { running: { startedAt: started } },
            lastState: { terminated: { exitCode: 137, reason: "Error", startedAt: at(-330), finishedAt: at(-304) } },
          },
        ],
      }),
    }),
    event(
      "botkube",
      { kind: "Pod", name: `botkube-6c8f7d9b54-${hashOf("botkube-0", 5)}` },
      "Unhealthy",
      'Liveness probe failed: Get "http://10.1.1.24:2114/healthz": dial tcp 10.1.1.24:2114: connect: connection refused',
      12,
    ),
    event(
      "botkube",
      { kind: "Pod", name: `botkube-6c8f7d9b54-${hashOf("botkube-0", 5)}` },
      "Killing",
      "Container botkube failed liveness probe, will be restarted",
      4,
      "Normal",
    ),
    ...helm("botkube", "botkube", [
      ["botkube-v1.8.0", "superseded", "v1.8.0"],
      ["botkube-v1.10.0", "deployed", "v1.10.0"],
    ]),
  ];
}

const BOTKUBE_K8S_PLUGIN_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "botkube/kubernetes plugin configuration",
  type: "object",
  required: ["config"],
  properties: {
    config: {
      type: "object",
      required: ["event", "resources"],
      properties: {
        event: {
          type: "object",
          required: ["types"],
          properties: {
            types: { type: "array", minItems: 1, items: { enum: ["create", "update", "delete", "error"] } },
          },
        },
        resources: { type: "array", items: { type: "object", required: ["type"] } },
      },
    },
  },
};

/** INCIDENTS case 2: event types set per resource only; the plugin panics on HPA events. */
function incident2(): KubeObject[] {
  const pluginConfig = [
    "config:",
    "  namespaces:",
    "    include: ['.*']",
    "  resources:",
    "    - type: autoscaling/v2/horizontalpodautoscalers",
    "      event:",
    "        types: [create, update, delete]",
    "",
  ].join("\n");
  const container = {
    name: "botkube",
    image: "ghcr.io/kubeshop/botkube:v1.13.0",
    startupProbe: { httpGet: { path: "/healthz", port: 2114 }, periodSeconds: 5, failureThreshold: 24 },
    livenessProbe: { httpGet: { path: "/healthz", port: 2114 }, periodSeconds: 10 },
    volumeMounts: [{ name: "plugin-config", mountPath: "/config/plugins" }],
  };
  return [
    namespace("chatops"),
    configMap(
      "chatops",
      "botkube-kubernetes-plugin",
      { "config.yaml": pluginConfig },
      {
        "upshift.dev/config-schema": JSON.stringify(BOTKUBE_K8S_PLUGIN_SCHEMA),
        "upshift.dev/config-key": "config.yaml",
      },
    ),
    ...workload({
      namespace: "chatops",
      name: "botkube",
      replicas: 1,
      nodes: WORKERS,
      hash: "7f9c6d8b5b",
      labels: {
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": "v1.13.0",
        "helm.sh/chart": "botkube-v1.13.0",
      },
      containers: [container],
      volumes: [{ name: "plugin-config", configMap: { name: "botkube-kubernetes-plugin" } }],
      podStatus: () => ({
        phase: "Running",
        startTime: at(-900),
        conditions: [
          { type: "Initialized", status: "True", lastTransitionTime: at(-900) },
          { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: at(-880) },
          { type: "ContainersReady", status: "False", reason: "ContainersNotReady", lastTransitionTime: at(-880) },
          { type: "PodScheduled", status: "True", lastTransitionTime: at(-900) },
        ],
        containerStatuses: [
          {
            name: "botkube",
            image: container.image,
            ready: false,
            started: false,
            restartCount: 10,
            state: {
              waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container=botkube" },
            },
            lastState: {
              terminated: {
                exitCode: 2,
                reason: "Error",
                startedAt: at(-130),
                finishedAt: at(-118),
                message:
                  "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\ngoroutine 112 [running]:\ngithub.com/kubeshop/botkube/internal/source/kubernetes/config.mergeResourceEvents(...)",
              },
            },
          },
        ],
      }),
    }),
    event(
      "chatops",
      { kind: "Pod", name: `botkube-7f9c6d8b5b-${hashOf("botkube-0", 5)}` },
      "BackOff",
      `Back-off restarting failed container botkube in pod botkube-7f9c6d8b5b-${hashOf("botkube-0", 5)}_chatops`,
      10,
    ),
    ...helm("botkube", "chatops", [
      ["botkube-v1.12.0", "superseded", "v1.12.0"],
      ["botkube-v1.13.0", "deployed", "v1.13.0"],
    ]),
  ];
}

/** INCIDENTS case 3: fleet release stuck pending-upgrade on an RC chart; Rancher misses a ConfigMap. */
function incident3(): KubeObject[] {
  const rancher = {
    name: "rancher",
    image: "docker.io/rancher/rancher:v2.11.0",
    envFrom: [{ configMapRef: { name: "rancher-config" } }],
    startupProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 10, failureThreshold: 30 },
    livenessProbe: { httpGet: { path: "/healthz", port: 80 }, periodSeconds: 30 },
  };
  return [
    namespace("cattle-system"),
    namespace("cattle-fleet-system"),
    ...workload({
      namespace: "cattle-system",
      name: "rancher",
      replicas: 3,
      spread: true,
      nodes: WORKERS,
      hash: "5d6c9f8b7d",
      labels: { "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "rancher-2.11.0" },
      containers: [rancher],
      podStatus: (i) =>
        i === 0
          ? {
              phase: "Pending",
              startTime: at(-600),
              conditions: [
                { type: "Initialized", status: "True", lastTransitionTime: at(-600) },
                { type: "Ready", status: "False", reason: "ContainersNotReady", lastTransitionTime: at(-600) },
                {
                  type: "ContainersReady",
                  status: "False",
                  reason: "ContainersNotReady",
                  lastTransitionTime: at(-600),
                },
                { type: "PodScheduled", status: "True", lastTransitionTime: at(-600) },
              ],
              containerStatuses: [
                {
                  name: "rancher",
                  image: rancher.image,
                  ready: false,
                  started: false,
                  restartCount: 0,
                  state: {
                    waiting: { reason: "CreateContainerConfigError", message: 'configmap "rancher-config" not found' },
                  },
                  lastState: {},
                },
              ],
            }
          : undefined,
    }),
    pdb("cattle-system", "rancher", { maxUnavailable: 1 }, 3),
    ...workload({
      namespace: "cattle-fleet-system",
      name: "fleet-controller",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: { "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": "fleet-106.0.0_up0.12.0-rc.3" },
      containers: [app("fleet-controller", "docker.io/rancher/fleet:v0.12.0-rc.3", 8080)],
    }),
    ...helm("fleet", "cattle-fleet-system", [
      ["fleet-105.0.2+up0.11.2", "deployed", "0.11.2"],
      ["fleet-106.0.0+up0.12.0-rc.3", "pending-upgrade", "0.12.0-rc.3"],
    ]),
    event(
      "cattle-system",
      { kind: "Pod", name: `rancher-5d6c9f8b7d-${hashOf("rancher-0", 5)}` },
      "Failed",
      'Error: configmap "rancher-config" not found',
      9,
    ),
  ];
}

/** INCIDENTS case 4: Kargo CRDs left at 1.5.1 (no Helm ownership) under a 1.5.2 controller. */
function incident4(): KubeObject[] {
  const crdLabels = {
    "app.kubernetes.io/name": "kargo",
    "app.kubernetes.io/instance": "kargo",
    "app.kubernetes.io/part-of": "kargo",
    "app.kubernetes.io/version": "1.5.1",
    "helm.sh/chart": "kargo-1.5.1",
  };
  const ctrlLabels = {
    "app.kubernetes.io/name": "kargo",
    "app.kubernetes.io/instance": "kargo",
    "app.kubernetes.io/component": "controller",
    "app.kubernetes.io/version": "1.5.2",
    "app.kubernetes.io/managed-by": "Helm",
    "helm.sh/chart": "kargo-1.5.2",
  };
  const invalid =
    'Stage.kargo.akuity.io "test" is invalid: status.freightHistory[0].verificationHistory[0].id: Required value';
  return [
    namespace("kargo"),
    namespace("kargo-demo"),
    ...["stages", "freights", "promotions", "warehouses", "projects"].map((plural) =>
      crd("kargo.akuity.io", plural, plural[0].toUpperCase() + plural.slice(1, -1), crdLabels),
    ),
    ...workload({
      namespace: "kargo",
      name: "kargo-controller",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: ctrlLabels,
      annotations: { "meta.helm.sh/release-name": "kargo", "meta.helm.sh/release-namespace": "kargo" },
      containers: [app("controller", "ghcr.io/akuity/kargo:v1.5.2", 8080)],
    }),
    ...helm("kargo", "kargo", [
      ["kargo-1.5.1", "superseded", "v1.5.1"],
      ["kargo-1.5.2", "deployed", "v1.5.2"],
    ]),
    {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `test.${hashOf("kargo-invalid", 16)}`, namespace: "kargo-demo" },
      involvedObject: { apiVersion: "kargo.akuity.io/v1alpha1", kind: "Stage", name: "test", namespace: "kargo-demo" },
      reason: "StatusUpdateFailed",
      message: `error updating Stage status: ${invalid}`,
      type: "Warning",
      count: 37,
      firstTimestamp: at(-2400),
      lastTimestamp: at(-30),
      source: { component: "kargo-controller" },
    },
    {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `test.${hashOf("kargo-pending", 16)}`, namespace: "kargo-demo" },
      involvedObject: {
        apiVersion: "kargo.akuity.io/v1alpha1",
        kind: "Promotion",
        name: "test.01jq8v3k2",
        namespace: "kargo-demo",
      },
      reason: "PromotionPending",
      message: "Promotion has been Pending for 40m",
      type: "Warning",
      count: 1,
      firstTimestamp: at(-2400),
      lastTimestamp: at(-2400),
      source: { component: "kargo-controller" },
    },
  ];
}

/** INCIDENTS case 5: MicroK8s core at 1.30, add-ons still as enabled on 1.28. */
function incident5Addons(): KubeObject[] {
  return [
    namespace("ingress"),
    ...workload({
      kind: "DaemonSet",
      namespace: "ingress",
      name: "nginx-ingress-microk8s-controller",
      replicas: 0,
      nodes: WORKERS,
      labels: { "microk8s-application": "nginx-ingress-microk8s" },
      containers: [
        {
          ...app("nginx-ingress-microk8s", "registry.k8s.io/ingress-nginx/controller:v1.8.0", 10254),
          args: [
            "/nginx-ingress-controller",
            "--configmap=$(POD_NAMESPACE)/nginx-load-balancer-microk8s-conf",
            "--ingress-class=public",
          ],
        },
      ],
    }),
  ];
}

function staleCoreDns(): KubeObject[] {
  return workload({
    namespace: "kube-system",
    name: "coredns",
    replicas: 2,
    spread: true,
    nodes: WORKERS,
    labels: { "k8s-app": "kube-dns" },
    containers: [{ ...app("coredns", "coredns/coredns:1.10.1", 8080), args: ["-conf", "/etc/coredns/Corefile"] }],
  });
}

function microk8sNodes(version: string): KubeObject[] {
  return ["mk8s-1", "mk8s-2", "mk8s-3"].map((n) =>
    node(n, version, {
      labels: { "node.kubernetes.io/microk8s-controlplane": "microk8s-controlplane", "microk8s.io/cluster": "true" },
    }),
  );
}

// ---------------------------------------------------------------- a current upgrade (1.34 → 1.35)

/** A kubeadm cluster on 1.34 that cannot survive 1.35: CentOS 7 nodes (cgroup v1), a removed feature
 *  gate on kube-apiserver, IPVS kube-proxy, CoreDNS and ingress-nginx left behind, and a Helm release
 *  that still renders ValidatingAdmissionPolicy v1beta1 (no longer served since 1.34). */
function currentUpgrade(): KubeObject[] {
  const version = "v1.34.2";
  const centos = (o: KubeObject): KubeObject => {
    o.status.nodeInfo = {
      ...o.status.nodeInfo,
      osImage: "CentOS Linux 7 (Core)",
      kernelVersion: "3.10.0-1160.119.1.el7.x86_64",
      containerRuntimeVersion: "containerd://1.7.27",
    };
    return o;
  };
  const nodes = ["cp-1", "cp-2", "cp-3"].map((n) => centos(node(n, version, { controlPlane: true })));
  nodes.push(...WORKERS.map((n) => centos(node(n, version))));
  const mirror = (component: string, nodeName: string, image: string, command: string[]): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${component}-${nodeName}`,
      namespace: "kube-system",
      labels: { component, tier: "control-plane" },
      annotations: { "kubernetes.io/config.source": "file" },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: hashOf(nodeName, 8), controller: true }],
    },
    spec: { nodeName, priorityClassName: "system-node-critical", containers: [{ name: component, image, command }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: at(-86400) }],
      containerStatuses: [
        {
          name: component,
          image,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at(-86400) } },
        },
      ],
    },
  });
  const controlPlane = ["cp-1", "cp-2", "cp-3"].flatMap((n) => [
    mirror("kube-apiserver", n, `registry.k8s.io/kube-apiserver:${version}`, [
      "kube-apiserver",
      "--authorization-mode=Node,RBAC",
      "--enable-admission-plugins=NodeRestriction",
      // Removed in 1.35: a kube-apiserver started with it does not start (CP-01).
      "--feature-gates=UserNamespacesPodSecurityStandards=true",
    ]),
    mirror("kube-controller-manager", n, `registry.k8s.io/kube-controller-manager:${version}`, [
      "kube-controller-manager",
      "--leader-elect=true",
    ]),
    mirror("kube-scheduler", n, `registry.k8s.io/kube-scheduler:${version}`, ["kube-scheduler", "--leader-elect=true"]),
    mirror("etcd", n, "registry.k8s.io/etcd:3.6.4-0", ["etcd", "--data-dir=/var/lib/etcd"]),
  ]);
  const kubeProxyConfig = configMap("kube-system", "kube-proxy", {
    "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs\n",
  });
  const vapManifest = [
    "---",
    "# Source: policy-guard/templates/policy.yaml",
    "apiVersion: admissionregistration.k8s.io/v1beta1",
    "kind: ValidatingAdmissionPolicy",
    "metadata:",
    "  name: require-team-label",
    "spec:",
    "  failurePolicy: Fail",
    "---",
    "# Source: policy-guard/templates/binding.yaml",
    "apiVersion: admissionregistration.k8s.io/v1beta1",
    "kind: ValidatingAdmissionPolicyBinding",
    "metadata:",
    "  name: require-team-label",
    "spec:",
    "  policyName: require-team-label",
    "",
  ].join("\n");
  return [
    ...nodes,
    ...controlPlane,
    kubeProxyConfig,
    ...workload({
      kind: "DaemonSet",
      namespace: "kube-system",
      name: "kube-proxy",
      replicas: 0,
      nodes: [...nodes.map((n) => String(n.metadata?.name))],
      labels: { "k8s-app": "kube-proxy" },
      containers: [
        {
          name: "kube-proxy",
          image: `registry.k8s.io/kube-proxy:${version}`,
          command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"],
        },
      ],
    }),
    ...workload({
      namespace: "kube-system",
      name: "coredns",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      containers: [
        {
          ...app("coredns", "registry.k8s.io/coredns/coredns:v1.12.1", 8080),
          args: ["-conf", "/etc/coredns/Corefile"],
        },
      ],
    }),
    namespace("ingress-nginx"),
    ...workload({
      namespace: "ingress-nginx",
      name: "ingress-nginx-controller",
      replicas: 2,
      spread: true,
      nodes: WORKERS,
      labels: {
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/version": "1.13.3",
        "helm.sh/chart": "ingress-nginx-4.13.3",
      },
      containers: [app("controller", "registry.k8s.io/ingress-nginx/controller:v1.13.3", 10254)],
    }),
    pdb("ingress-nginx", "ingress-nginx-controller", { maxUnavailable: 1 }, 2),
    ...helm("ingress-nginx", "ingress-nginx", [["ingress-nginx-4.13.3", "deployed", "1.13.3"]]),
    namespace("policy"),
    helmReleaseSecret({
      name: "policy-guard",
      namespace: "policy",
      revision: 1,
      status: "deployed",
      chart: "policy-guard-0.4.2",
      appVersion: "0.4.2",
      manifest: vapManifest,
    }),
  ];
}

// ---------------------------------------------------------------- files

const HEADER =
  "# Generated by src/sandbox/scenarios/generate.ts (node src/sandbox/scenarios/generate.ts); edit the generator, not this file.\n";

function write(file: string, description: string, objects: KubeObject[]): void {
  const docs = objects.map((o) => stringify(o, { lineWidth: 0 }).trimEnd());
  const dir = dirname(fileURLToPath(import.meta.url));
  const text = `${HEADER}# ${description}\n${docs.map((d) => `---\n${d}\n`).join("")}`;
  writeFileSync(join(dir, file), text);
}

export function scenarios(): Record<string, { description: string; objects: KubeObject[] }> {
  const healthyAddonsNoDns = healthyAddons().filter(
    (o) => !(o.metadata?.namespace === "kube-system" && String(o.metadata?.name).startsWith("coredns")),
  );
  return {
    "healthy.yaml": {
      description:
        "A healthy 1.31 cluster: spread replicas, PDBs with room, startup probes, deployed GA Helm releases, CRDs in step with their controller.",
      objects: [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...healthyAddons(), ...healthyApps()],
    },
    "incident-1-slow-start-liveness.yaml": {
      description:
        "INCIDENTS 1: Botkube takes ~45s to start (kubectl download) but liveness kills it at 25s; no startupProbe; restarts.",
      objects: [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident1()],
    },
    "incident-2-plugin-crashloop.yaml": {
      description:
        "INCIDENTS 2: Botkube crash-loops on HPA events; its plugin ConfigMap lacks the global config.event.types its schema requires.",
      objects: [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident2()],
    },
    "incident-3-helm-pending-prerelease.yaml": {
      description:
        "INCIDENTS 3: Helm release fleet pending-upgrade on chart 106.0.0+up0.12.0-rc.3; Rancher pod in CreateContainerConfigError (ConfigMap rancher-config missing).",
      objects: [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident3()],
    },
    "incident-4-crd-controller-skew.yaml": {
      description:
        "INCIDENTS 4: Kargo CRDs at 1.5.1 without Helm ownership beside a Helm-managed 1.5.2 controller; status updates rejected with Required value.",
      objects: [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident4()],
    },
    "incident-5-microk8s-addons.yaml": {
      description:
        "INCIDENTS 5: MicroK8s core upgraded 1.28 → 1.30; the ingress add-on still runs controller v1.8.0 and CoreDNS is 1.10.1.",
      objects: [settings("v1.30.4"), ...microk8sNodes("v1.30.4"), ...staleCoreDns(), ...incident5Addons()],
    },
    "current-upgrade.yaml": {
      description:
        "A kubeadm 1.34 cluster going to 1.35: CentOS 7 nodes on cgroup v1 and containerd 1.7, a feature gate 1.35 removes, IPVS kube-proxy, CoreDNS and the retired ingress-nginx left behind, and a Helm release still rendering ValidatingAdmissionPolicy v1beta1.",
      objects: [
        {
          ...settings("v1.34.2"),
          spec: {
            serverVersion: "v1.34.2",
            // The kubelets answer /metrics through the node proxy, so NODE-02 reads the cgroup
            // version itself instead of judging from the kernel and OS image.
            nodeProxy: {
              allowed: true,
              kubeletMetrics: Object.fromEntries(
                ["cp-1", "cp-2", "cp-3", ...WORKERS].map((n) => [
                  n,
                  "# TYPE kubelet_cgroup_version gauge\nkubelet_cgroup_version 1\n",
                ]),
              ),
            },
          },
        },
        ...currentUpgrade(),
      ],
    },
    "demo.yaml": {
      description:
        "The npm run demo cluster: all five incidents on one 1.31 cluster, with the healthy cluster as filler.",
      objects: [
        settings("v1.31.4"),
        ...clusterNodes("v1.31.4"),
        ...healthyAddonsNoDns,
        ...staleCoreDns(),
        ...healthyApps(),
        ...incident1(),
        ...incident2(),
        ...incident3(),
        ...incident4(),
        ...incident5Addons(),
      ],
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [file, { description, objects }] of Object.entries(scenarios())) {
    write(file, description, objects);
    console.log(`${file}: ${objects.length} objects`);
  }
}
