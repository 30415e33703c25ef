import { describe, expect, it } from "vitest";
import { cfg01ConfigSchema } from "../../src/checks/catalog/cfg-01-config-schema.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

// The shape Botkube's Kubernetes plugin assumed (INCIDENTS case 2): the global event types are required.
const schema = JSON.stringify({
  type: "object",
  required: ["config"],
  properties: {
    config: {
      type: "object",
      required: ["event"],
      properties: {
        event: {
          type: "object",
          required: ["types"],
          properties: { types: { type: "array", minItems: 1, items: { type: "string" } } },
        },
        resources: { type: "array" },
      },
    },
  },
});
const perResourceOnly = `config:
  resources:
    - type: autoscaling/v2/horizontalpodautoscalers
      event:
        types: [create, delete]
`;
const complete = `config:
  event:
    types: [create, delete, error]
`;
const cm = (name: string, data: Record<string, string>, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "botkube", annotations },
  data,
});
const run = (objects: KubeObject[]) =>
  cfg01ConfigSchema.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
  ) as FindingInput[];

describe("CFG-01 configuration fails its schema", () => {
  it("flags an annotated ConfigMap missing config.event.types, with the failing path", () => {
    const findings = run([
      cm("k8s-plugin", { "config.yaml": perResourceOnly }, { "upshift.dev/config-schema": schema }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "botkube",
      name: "k8s-plugin",
    });
    expect(findings[0].evidence).toBe(
      "config.yaml config.event is missing (schema #/properties/config/required) (schema from annotation upshift.dev/config-schema)",
    );
    expect(findings[0].message).toBe(
      "ConfigMap botkube/k8s-plugin key config.yaml fails the configuration schema of ConfigMap botkube/k8s-plugin: config.event is missing; the component may crash on it after the upgrade.",
    );
    expect(findings[0].remediation).toBe(
      "Fix config.event in ConfigMap botkube/k8s-plugin key config.yaml (e.g. helm upgrade with the missing values), then restart the workload that reads it (changing a ConfigMap restarts no pod).",
    );
    expect(findings[0].severity).toBeUndefined();
  });

  it("validates a Deployment's ConfigMap named by annotation, schema from configmap:<name>/<key>, chosen key only", () => {
    const deploy: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "botkube",
        namespace: "botkube",
        annotations: {
          "upshift.dev/config-schema": "configmap:schemas/plugin.json",
          "upshift.dev/config-configmap": "botkube-config",
          "upshift.dev/config-key": "plugin.yaml",
        },
      },
    };
    const findings = run([
      deploy,
      cm("schemas", { "plugin.json": schema }),
      cm("botkube-config", { "plugin.yaml": "config:\n  event:\n    types: []\n", "other.yaml": "not: checked" }),
    ]);
    expect(findings.map((f) => [f.object.kind, f.object.name, f.evidence])).toEqual([
      [
        "Deployment",
        "botkube",
        "plugin.yaml config.event.types must NOT have fewer than 1 items (schema #/properties/config/properties/event/properties/types/minItems) (schema from ConfigMap schemas key plugin.json)",
      ],
    ]);
  });

  it("tells you to restart the workloads that read the ConfigMap, not to roll the ConfigMap", () => {
    const reader = (name: string, ns: string, spec: object): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace: ns },
      spec: { template: { spec } },
    });
    const findings = run([
      cm("k8s-plugin", { "config.yaml": perResourceOnly }, { "upshift.dev/config-schema": schema }),
      reader("botkube", "botkube", {
        containers: [{ name: "b" }],
        volumes: [{ name: "p", configMap: { name: "k8s-plugin" } }],
      }),
      reader("sidecar", "botkube", {
        containers: [{ name: "s", envFrom: [{ configMapRef: { name: "k8s-plugin" } }] }],
      }),
      reader("unrelated", "botkube", { containers: [{ name: "u" }] }),
      reader("elsewhere", "other", { volumes: [{ name: "p", configMap: { name: "k8s-plugin" } }] }),
    ]);
    expect(findings[0].remediation).toBe(
      "Fix config.event in ConfigMap botkube/k8s-plugin key config.yaml (e.g. helm upgrade with the missing values), then restart the workloads that read it: `kubectl rollout restart -n botkube deployment/botkube`, `kubectl rollout restart -n botkube deployment/sidecar`.",
    );
  });

  it("flags unparseable configuration and a missing key (high)", () => {
    const findings = run([
      cm("broken", { "a.yaml": "config: [unclosed" }, { "upshift.dev/config-schema": schema }),
      cm("nokey", { "b.yaml": complete }, { "upshift.dev/config-schema": schema, "upshift.dev/config-key": "c.yaml" }),
    ]);
    expect(findings.map((f) => [f.object.name, f.severity])).toEqual([
      ["broken", undefined],
      ["nokey", undefined],
    ]);
    expect(findings[0].message).toBe(
      "ConfigMap botkube/broken key a.yaml is not valid YAML/JSON, so ConfigMap botkube/broken will fail to load it.",
    );
    expect(findings[1].message).toBe(
      "ConfigMap botkube/nokey has no key c.yaml, which the configuration schema of ConfigMap botkube/nokey validates.",
    );
    expect(findings[1].evidence).toBe("upshift.dev/config-key=c.yaml; ConfigMap botkube/nokey data keys: b.yaml");
  });

  it("decoys: valid configuration, unannotated objects; bad schemas are info 'could not evaluate'", () => {
    expect(
      run([
        cm("good", { "config.yaml": complete }, { "upshift.dev/config-schema": schema }),
        cm("plain", { x: "y: [" }),
      ]),
    ).toEqual([]);
    const odd = run([
      cm("notjson", { x: "a: 1" }, { "upshift.dev/config-schema": "{nope" }),
      cm("badref", { x: "a: 1" }, { "upshift.dev/config-schema": "configmap:missing/key" }),
      cm("badschema", { x: "a: 1" }, { "upshift.dev/config-schema": '{"type": "no-such-type"}' }),
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "nocm", namespace: "botkube", annotations: { "upshift.dev/config-schema": schema } },
      },
      { apiVersion: "v1", kind: "ConfigMap" },
    ]);
    expect(odd.map((f) => [f.object.name, f.severity])).toEqual([
      ["nocm", "info"],
      ["notjson", "info"],
      ["badref", "info"],
      ["badschema", "info"],
    ]);
    expect(odd[2].message).toContain("schema ConfigMap botkube/missing key key not found");
  });
});
