// INCIDENTS case 1 (docs/incidents.md): a slow-starting Botkube killed by its liveness probe.

import type { KubeObject } from "../../kube/resources.ts";
import { clusterNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { configMap } from "./builders/config.ts";
import { event } from "./builders/event.ts";
import { helm } from "./builders/helm.ts";
import { at, hashOf } from "./builders/snapshot.ts";
import { workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const incident1SlowStartLiveness: Scenario = {
  file: "incident-1-slow-start-liveness.yaml",
  description:
    "INCIDENTS 1: Botkube takes ~45s to start (kubectl download) but liveness kills it at 25s; no startupProbe; restarts.",
  objects: () => [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident1Objects()],
};

/** INCIDENTS case 1: Botkube downloads kubectl at start; liveness (10s delay) kills it first. */
export function incident1Objects(): KubeObject[] {
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
