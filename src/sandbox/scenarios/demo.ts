// The `npm run demo` cluster: the five incidents side by side on one 1.31 cluster, around the
// healthy cluster's apps. Its CoreDNS is the stale one of INCIDENTS case 5 instead of the healthy one.
import { clusterNodes, settings } from "./builders/cluster.ts";
import { healthyAddons, healthyApps } from "./healthy.ts";
import { incident1Objects } from "./incident-1-slow-start-liveness.ts";
import { incident2Objects } from "./incident-2-plugin-crashloop.ts";
import { incident3Objects } from "./incident-3-helm-pending-prerelease.ts";
import { incident4Objects } from "./incident-4-crd-controller-skew.ts";
import { microk8sIngressAddon, staleCoreDns } from "./incident-5-microk8s-addons.ts";
import type { Scenario } from "./types.ts";

export const demo: Scenario = {
  file: "demo.yaml",
  description: "The npm run demo cluster: all five incidents on one 1.31 cluster, with the healthy cluster as filler.",
  objects: () => [
    settings("v1.31.4"),
    ...clusterNodes("v1.31.4"),
    ...healthyAddons().filter(
      (o) => !(o.metadata?.namespace === "kube-system" && String(o.metadata?.name).startsWith("coredns")),
    ),
    ...staleCoreDns(),
    ...healthyApps(),
    ...incident1Objects(),
    ...incident2Objects(),
    ...incident3Objects(),
    ...incident4Objects(),
    ...microk8sIngressAddon(),
  ],
};
