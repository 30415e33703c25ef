// INCIDENTS case 4 (docs/incidents.md): CRDs left a release behind their controller.

import type { KubeObject } from "../../kube/resources.ts";
import { clusterNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { crd } from "./builders/crd.ts";
import { helm } from "./builders/helm.ts";
import { at, hashOf } from "./builders/snapshot.ts";
import { app, workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const incident4CrdControllerSkew: Scenario = {
  file: "incident-4-crd-controller-skew.yaml",
  description:
    "INCIDENTS 4: Kargo CRDs at 1.5.1 without Helm ownership beside a Helm-managed 1.5.2 controller; status updates rejected with Required value.",
  objects: () => [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident4Objects()],
};

/** INCIDENTS case 4: Kargo CRDs left at 1.5.1 (no Helm ownership) under a 1.5.2 controller. */
export function incident4Objects(): KubeObject[] {
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
