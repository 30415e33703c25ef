// INCIDENTS case 3 (docs/incidents.md): a Helm release stuck pending-upgrade on a pre-release chart.

import type { KubeObject } from "../../kube/resources.ts";
import { clusterNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { event } from "./builders/event.ts";
import { helm } from "./builders/helm.ts";
import { at, hashOf } from "./builders/snapshot.ts";
import { app, pdb, workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const incident3HelmPendingPrerelease: Scenario = {
  file: "incident-3-helm-pending-prerelease.yaml",
  description:
    "INCIDENTS 3: Helm release fleet pending-upgrade on chart 106.0.0+up0.12.0-rc.3; Rancher pod in CreateContainerConfigError (ConfigMap rancher-config missing).",
  objects: () => [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident3Objects()],
};

/** INCIDENTS case 3: fleet release stuck pending-upgrade on an RC chart; Rancher misses a ConfigMap. */
export function incident3Objects(): KubeObject[] {
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
