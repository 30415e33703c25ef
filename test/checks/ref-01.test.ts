import { describe, expect, it } from "vitest";
import { ref01MissingConfigRefs } from "../../src/checks/catalog/ref-01-missing-config-refs.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const cm = (name: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "cattle-system" },
  data,
});
const secret = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "cattle-system" },
  type: "Opaque",
});
const pod = (name: string, spec: object, status?: object, rs?: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    namespace: "cattle-system",
    ownerReferences: rs ? [{ kind: "ReplicaSet", name: rs, controller: true }] : undefined,
  },
  spec,
  status,
});
const run = (objects: KubeObject[]) =>
  ref01MissingConfigRefs.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32" }),
  ) as FindingInput[];

describe("REF-01 missing ConfigMap/Secret references", () => {
  it("flags a missing ConfigMap volume once per Deployment, with the field as evidence", () => {
    const spec = {
      containers: [{ name: "rancher" }],
      volumes: [{ name: "cfg", configMap: { name: "rancher-config" } }],
    };
    const findings = run([
      pod("rancher-6b8f9d7c4-a", spec, undefined, "rancher-6b8f9d7c4"),
      pod("rancher-6b8f9d7c4-b", spec, undefined, "rancher-6b8f9d7c4"),
    ]);
    expect(findings).toEqual([
      {
        object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "cattle-system", name: "rancher" },
        message:
          "Deployment cattle-system/rancher refers to ConfigMap cattle-system/rancher-config, which does not exist: its pods cannot start (2 pods not running).",
        evidence: "volumes[cfg].configMap name=rancher-config; ConfigMap not found in namespace cattle-system",
        remediation: expect.stringContaining("Create ConfigMap rancher-config in namespace cattle-system"),
      },
    ]);
  });

  it("counts only the pods that are really not running", () => {
    const spec = { containers: [{ name: "rancher", envFrom: [{ configMapRef: { name: "gone" } }] }] };
    const up = { phase: "Running", containerStatuses: [{ name: "rancher", state: { running: { startedAt: "x" } } }] };
    const stuck = {
      phase: "Pending",
      containerStatuses: [{ name: "rancher", state: { waiting: { reason: "CreateContainerConfigError" } } }],
    };
    const mixed = run([
      pod("rancher-6b8f9d7c4-a", spec, up, "rancher-6b8f9d7c4"),
      pod("rancher-6b8f9d7c4-b", spec, up, "rancher-6b8f9d7c4"),
      pod("rancher-6b8f9d7c4-c", spec, stuck, "rancher-6b8f9d7c4"),
    ]);
    expect(mixed[0].message).toBe(
      "Deployment cattle-system/rancher refers to ConfigMap cattle-system/gone, which does not exist: its pods cannot start: 1 of 3 pods is not running, and the 2 still running will not come back once restarted or drained.",
    );
    const allUp = run([pod("solo", spec, up)]);
    expect(allUp[0].message).toBe(
      "Pod cattle-system/solo refers to ConfigMap cattle-system/gone, which does not exist: its running pod keeps going (pod solo), but no new or restarted pod can start, and draining nodes for the upgrade replaces them all.",
    );
    expect(run([pod("one", spec, stuck)])[0].message).toContain("its pods cannot start (1 pod not running).");
  });

  it("flags secretKeyRef, envFrom, projected sources and a missing ConfigMap key", () => {
    const spec = {
      containers: [
        {
          name: "app",
          env: [
            { name: "PASS", valueFrom: { secretKeyRef: { name: "db-pass", key: "p" } } },
            { name: "MODE", valueFrom: { configMapKeyRef: { name: "present", key: "mode" } } },
          ],
          envFrom: [{ configMapRef: { name: "env-cm" } }],
        },
      ],
      volumes: [
        { name: "p", projected: { sources: [{ secret: { name: "tls" } }, { configMap: { name: "present" } }] } },
      ],
    };
    const findings = run([pod("solo", spec), cm("present", { other: "x" })]);
    expect(findings.map((f) => f.evidence)).toEqual([
      "containers[app].env[PASS].valueFrom.secretKeyRef name=db-pass; Secret not found in namespace cattle-system",
      "containers[app].env[MODE].valueFrom.configMapKeyRef name=present key=mode; ConfigMap has no such key",
      "containers[app].envFrom[0].configMapRef name=env-cm; ConfigMap not found in namespace cattle-system",
      "volumes[p].projected.sources[0].secret name=tls; Secret not found in namespace cattle-system",
    ]);
    expect(findings.every((f) => f.object.kind === "Pod" && f.object.name === "solo")).toBe(true);
  });

  it("reports CreateContainerConfigError when no missing reference explains it", () => {
    const status = {
      containerStatuses: [
        {
          name: "app",
          state: {
            waiting: {
              reason: "CreateContainerConfigError",
              message: "couldn't find key token in Secret cattle-system/present-secret",
            },
          },
        },
      ],
    };
    const findings = run([pod("stuck", { containers: [{ name: "app" }] }, status), secret("present-secret")]);
    expect(findings).toHaveLength(1);
    expect(findings[0].evidence).toBe(
      "state.waiting.reason=CreateContainerConfigError message=couldn't find key token in Secret cattle-system/present-secret",
    );
  });

  it("decoys: optional references, existing objects, another namespace's object, odd specs", () => {
    const spec = {
      containers: [
        {
          name: "app",
          env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "gone", key: "k", optional: true } } }],
          envFrom: [{ secretRef: { name: "s" } }],
        },
      ],
      volumes: [
        { name: "a", configMap: { name: "gone2", optional: true } },
        { name: "b", secret: { secretName: "s" } },
        { name: "c", emptyDir: {} },
        null,
      ],
    };
    const other: KubeObject = pod("elsewhere", {
      containers: [{ name: "x", envFrom: [{ configMapRef: { name: "present" } }] }],
    });
    other.metadata!.namespace = "cattle-system";
    expect(
      run([
        pod("fine", spec),
        secret("s"),
        cm("present"),
        other,
        { kind: "Pod", apiVersion: "v1" },
        pod("odd", { containers: "x", volumes: 5 }),
      ]),
    ).toEqual([]);
  });

  it("asks about Secrets by name: missing ones are flagged, unreadable namespaces are reported as not evaluated", () => {
    const needs = (name: string) => ({ containers: [{ name: "app", envFrom: [{ secretRef: { name } }] }] });
    const findings = ref01MissingConfigRefs.evaluate(
      contextFromObjects([pod("has", needs("present")), pod("lacks", needs("gone")), cm("unrelated")], {
        serverVersion: "v1.31.4",
        target: "1.32",
        // What the snapshot's metadata-only reads found, and a namespace it could not read.
        secrets: {
          helmUnreadable: [],
          refs: new Map([
            ["cattle-system/present", true],
            ["cattle-system/gone", false],
          ]),
          refsUnreadable: [{ namespace: "monitoring", reason: "not in UPSHIFT_HELM_NAMESPACES" }],
        },
      }),
    ) as FindingInput[];
    expect(findings.map((f) => [f.severity ?? "high", f.object.kind, f.object.name])).toEqual([
      ["info", "Namespace", "monitoring"],
      ["high", "Pod", "lacks"],
    ]);
    expect(findings[0].message).toBe(
      "Secret references not evaluated: no access to Secrets in namespace monitoring (not in UPSHIFT_HELM_NAMESPACES); ConfigMap references there were checked.",
    );
    expect(findings[1].message).toMatch(/refers to Secret cattle-system\/gone, which does not exist/);
  });
});
