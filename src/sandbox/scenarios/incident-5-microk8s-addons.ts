// INCIDENTS case 5 (docs/incidents.md): MicroK8s add-ons left behind by a core upgrade.

import type { KubeObject } from "../../kube/resources.ts";
import { coreDns } from "./builders/addons.ts";
import { microk8sNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { app, workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const incident5Microk8sAddons: Scenario = {
  file: "incident-5-microk8s-addons.yaml",
  description:
    "INCIDENTS 5: MicroK8s core upgraded 1.28 → 1.30; the ingress add-on still runs controller v1.8.0 and CoreDNS is 1.10.1.",
  objects: () => [settings("v1.30.4"), ...microk8sNodes("v1.30.4"), ...staleCoreDns(), ...microk8sIngressAddon()],
};

/** INCIDENTS case 5: MicroK8s core at 1.30, add-ons still as enabled on 1.28. */
export function microk8sIngressAddon(): KubeObject[] {
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

/** CoreDNS as MicroK8s 1.28 enabled it, still there after the core went to 1.30. */
export function staleCoreDns(): KubeObject[] {
  return coreDns("coredns/coredns:1.10.1", { "k8s-app": "kube-dns" });
}
