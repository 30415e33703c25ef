// A synthetic big cluster for the preflight benchmark: 19,200 objects shaped like a real one
// (10,000 pods owned by 2,000 Deployments through ReplicaSets, 500 Helm release Secrets with
// real gzip payloads, 200 CRDs, 500 nodes, Services, ConfigMaps), or `scale` times that
// (8: 153,600 objects, the size the issue-14 goals are stated at).
import { helmReleaseSecret } from "../src/helm/release.ts";
import type { KubeObject } from "../src/kube/resources.ts";

export function syntheticCluster(scale = 1): KubeObject[] {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`scale: expected a positive integer, got ${scale}`);
  const objects: KubeObject[] = [];
  const namespaces = Array.from({ length: 50 }, (_, i) => `team-${i}`);
  for (let i = 0; i < 500 * scale; i++) {
    objects.push({
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: `node-${i}`,
        labels: i < 3 ? { "node-role.kubernetes.io/control-plane": "" } : { "kubernetes.io/os": "linux" },
      },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        nodeInfo: { kubeletVersion: i % 50 === 0 ? "v1.30.6" : "v1.31.4" },
      },
    });
  }
  for (let d = 0; d < 2000 * scale; d++) {
    const ns = namespaces[d % namespaces.length];
    const name = `svc-${d}`;
    const labels = { app: name, "app.kubernetes.io/instance": name };
    const container = {
      name: "app",
      image: `registry.example.com/${name}:1.${d % 20}.0`,
      livenessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 10 },
      startupProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5, failureThreshold: 30 },
      envFrom: [{ configMapRef: { name: `${name}-config` } }],
    };
    objects.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels },
          spec: {
            containers: [container],
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { app: name } },
              },
            ],
          },
        },
      },
      status: { replicas: 5, readyReplicas: 5, availableReplicas: 5 },
    });
    objects.push({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${name}-5d8f7c9b4`,
        namespace: ns,
        labels: { ...labels, "pod-template-hash": "5d8f7c9b4" },
        ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name, controller: true }],
      },
      spec: { replicas: 5 },
    });
    objects.push({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-config`, namespace: ns },
      data: { "app.yaml": `name: ${name}\nreplicas: 5\n` },
    });
    objects.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace: ns },
      spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    for (let p = 0; p < 5; p++) {
      // One crash-looping container in every 400 pods: findings must come out of a big cluster too.
      const crashing = (d * 5 + p) % 400 === 7;
      objects.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `${name}-5d8f7c9b4-${p}x${d}`,
          namespace: ns,
          labels: { ...labels, "pod-template-hash": "5d8f7c9b4" },
          ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: `${name}-5d8f7c9b4`, controller: true }],
        },
        spec: { nodeName: `node-${(d * 5 + p) % (500 * scale)}`, containers: [container] },
        status: {
          phase: "Running",
          conditions: [
            { type: "Ready", status: crashing ? "False" : "True", lastTransitionTime: "2026-11-20T10:00:20Z" },
          ],
          containerStatuses: [
            {
              name: "app",
              ready: !crashing,
              restartCount: crashing ? 12 : 0,
              state: crashing
                ? { waiting: { reason: "CrashLoopBackOff" } }
                : { running: { startedAt: "2026-11-20T10:00:00Z" } },
            },
          ],
        },
      });
    }
  }
  for (let c = 0; c < 200 * scale; c++) {
    const group = `g${c % 40}.example.com`;
    objects.push({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `widgets${c}.${group}`, labels: { "app.kubernetes.io/version": "2.1.0" } },
      spec: {
        group,
        names: { plural: `widgets${c}`, kind: `Widget${c}`, singular: `widget${c}` },
        scope: "Namespaced",
        versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } }],
      },
      status: { storedVersions: ["v1"] },
    });
  }
  // 500 release Secrets: 250 releases × 2 revisions, each with a realistic manifest to decode.
  for (let r = 0; r < 250 * scale; r++) {
    const ns = namespaces[r % namespaces.length];
    const manifest = Array.from({ length: 12 }, (_, k) =>
      [
        `---`,
        `# Source: chart-${r}/templates/t${k}.yaml`,
        `apiVersion: ${k === 3 ? "networking.k8s.io/v1" : "apps/v1"}`,
        `kind: ${k === 3 ? "Ingress" : "Deployment"}`,
        `metadata:`,
        `  name: rel-${r}-${k}`,
        `  namespace: ${ns}`,
        `spec:`,
        `  replicas: 2`,
      ].join("\n"),
    ).join("\n");
    for (const [revision, status] of [
      [1, "superseded"],
      [2, "deployed"],
    ] as const) {
      objects.push(
        helmReleaseSecret({
          name: `rel-${r}`,
          namespace: ns,
          revision,
          status,
          chart: `chart-${r}-3.${revision}.0`,
          appVersion: `3.${revision}.0`,
          manifest,
        }),
      );
    }
  }
  return objects;
}
