// The healthy cluster: what a well-kept 1.31 cluster looks like, with nothing above low. The demo
// uses its add-ons and apps as filler around the incidents.

import type { KubeObject } from "../../kube/resources.ts";
import { coreDns } from "./builders/addons.ts";
import { clusterNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { configMap, secret } from "./builders/config.ts";
import { crd } from "./builders/crd.ts";
import { helm } from "./builders/helm.ts";
import { app, pdb, workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const healthy: Scenario = {
  file: "healthy.yaml",
  description:
    "A healthy 1.31 cluster: spread replicas, PDBs with room, startup probes, deployed GA Helm releases, CRDs in step with their controller.",
  objects: () => [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...healthyAddons(), ...healthyApps()],
};

export function healthyAddons(): KubeObject[] {
  return [
    ...coreDns("registry.k8s.io/coredns/coredns:v1.11.3"),
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

export function healthyApps(): KubeObject[] {
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
