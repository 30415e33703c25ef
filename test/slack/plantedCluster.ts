// The cluster the Slack end-to-end tests and the bench check: two planted problems (a Helm
// release stuck in pending-upgrade, INCIDENTS case 3; a pod whose liveness probe kills it while
// it starts, case 1) beside healthy decoys that must not be reported. `fillers` adds healthy
// objects to make the read realistically large without adding findings.
import type { KubeObject } from "../../src/kube/resources.ts";
import { helmLabelsSecret as helmSecret } from "../fixtures/helmSecret.ts";

const t = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function restartingPod(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "botkube-7d9f", namespace: "botkube" },
    spec: {
      containers: [
        {
          name: "botkube",
          image: "ghcr.io/kubeshop/botkube:v1.10.0",
          livenessProbe: {
            httpGet: { path: "/healthz", port: 2114 },
            initialDelaySeconds: 5,
            periodSeconds: 5,
            failureThreshold: 3,
          },
        },
      ],
    },
    status: {
      phase: "Running",
      containerStatuses: [
        {
          name: "botkube",
          ready: false,
          restartCount: 7,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          // Killed by the kubelet 19 s after start: inside the 20 s liveness window.
          lastState: { terminated: { exitCode: 137, reason: "Error", startedAt: t(100), finishedAt: t(81) } },
        },
      ],
    },
  };
}

export function healthyPod(namespace: string, name: string): KubeObject {
  const probe = { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10 };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      containers: [
        {
          name: "app",
          image: "registry.example/app:1.0",
          livenessProbe: probe,
          startupProbe: { ...probe, failureThreshold: 30 },
        },
      ],
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "True", lastTransitionTime: t(3000) }],
      containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: t(3600) } } }],
    },
  };
}

export const PLANTED = {
  helmRelease: "ingress-nginx",
  pod: "botkube-7d9f",
  decoyRelease: "cert-manager",
  decoyPod: "shop-api-5c7b",
} as const;

export function plantedObjects(fillers = 0): KubeObject[] {
  const objects: KubeObject[] = [
    helmSecret("ingress", PLANTED.helmRelease, 1, "deployed"),
    helmSecret("ingress", PLANTED.helmRelease, 2, "pending-upgrade"),
    helmSecret("cert-manager", PLANTED.decoyRelease, 3, "deployed"),
    restartingPod(),
    healthyPod("shop", PLANTED.decoyPod),
  ];
  for (let i = 0; i < fillers; i++) {
    objects.push(
      i % 4 === 0
        ? helmSecret(`team-${i % 20}`, `svc-${i}`, 1, "deployed")
        : healthyPod(`team-${i % 20}`, `filler-${i}`),
    );
  }
  return objects;
}
