// INCIDENTS case 2 (docs/incidents.md): a Botkube plugin crash-looping on a config its schema rejects.

import type { KubeObject } from "../../kube/resources.ts";
import { clusterNodes, namespace, settings, WORKERS } from "./builders/cluster.ts";
import { configMap } from "./builders/config.ts";
import { event } from "./builders/event.ts";
import { helm } from "./builders/helm.ts";
import { at, hashOf } from "./builders/snapshot.ts";
import { workload } from "./builders/workload.ts";
import type { Scenario } from "./types.ts";

export const incident2PluginCrashloop: Scenario = {
  file: "incident-2-plugin-crashloop.yaml",
  description:
    "INCIDENTS 2: Botkube crash-loops on HPA events; its plugin ConfigMap lacks the global config.event.types its schema requires.",
  objects: () => [settings("v1.31.4"), ...clusterNodes("v1.31.4"), ...incident2Objects()],
};

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
export function incident2Objects(): KubeObject[] {
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
