import { describe, expect, it } from "vitest";
import { prb01LivenessBeforeStart } from "../../src/checks/catalog/prb-01-liveness-before-start.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const NOW = new Date("2026-03-01T12:00:00Z");

function pod(
  name: string,
  opts: { container?: object; status?: object; annotations?: Record<string, string>; rs?: string } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "botkube",
      annotations: opts.annotations,
      labels: { "pod-template-hash": "7d9f8c6b5" },
      ownerReferences: opts.rs
        ? [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: opts.rs, controller: true }]
        : undefined,
    },
    spec: { containers: [{ name: "botkube", image: "ghcr.io/kubeshop/botkube:v1.10.0", ...opts.container }] },
    status: opts.status,
  };
}

const shortLiveness = {
  livenessProbe: {
    httpGet: { path: "/healthz", port: 2114 },
    initialDelaySeconds: 10,
    periodSeconds: 5,
    failureThreshold: 3,
  },
};

function readyAfter(seconds: number, restartCount = 0, lastState: object = {}) {
  const started = new Date(NOW.getTime() - 600_000);
  return {
    conditions: [
      {
        type: "ContainersReady",
        status: "True",
        lastTransitionTime: new Date(started.getTime() + seconds * 1000).toISOString(),
      },
    ],
    containerStatuses: [
      {
        name: "botkube",
        ready: true,
        restartCount,
        state: { running: { startedAt: started.toISOString() } },
        lastState,
      },
    ],
  };
}

function run(objects: KubeObject[]) {
  return prb01LivenessBeforeStart.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32", now: NOW }),
  ) as FindingInput[];
}

describe("PRB-01 liveness probe before start", () => {
  it("flags a container that takes longer to start than its liveness window, high when it restarted, once per Deployment", () => {
    const rs: KubeObject = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: "botkube-7d9f8c6b5",
        namespace: "botkube",
        ownerReferences: [{ kind: "Deployment", name: "botkube", controller: true, apiVersion: "apps/v1" }],
      },
    };
    const findings = run([
      rs,
      pod("botkube-7d9f8c6b5-a", { container: shortLiveness, status: readyAfter(45, 4), rs: "botkube-7d9f8c6b5" }),
      pod("botkube-7d9f8c6b5-b", { container: shortLiveness, status: readyAfter(38, 2), rs: "botkube-7d9f8c6b5" }),
    ]);
    expect(findings).toHaveLength(1);
    const f = findings[0];
    expect(f.severity).toBe("high");
    expect(f.object).toEqual({ apiVersion: "apps/v1", kind: "Deployment", namespace: "botkube", name: "botkube" });
    expect(f.evidence).toContain("initialDelaySeconds=10 periodSeconds=5 failureThreshold=3 → window 25s");
    expect(f.evidence).toContain("observed start 45s (pod botkube-7d9f8c6b5-a");
    expect(f.evidence).toContain("restartCount=6");
    expect(f.message).toContain("takes 45s to start");
    expect(f.message).toContain("(2 pods)");
    expect(f.remediation).toContain("startupProbe");
  });

  it("is medium when the slow container never restarted, using Kubernetes defaults for a bare probe", () => {
    const findings = run([
      pod("solo", { container: { livenessProbe: { exec: { command: ["true"] } } }, status: readyAfter(31) }),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0].severity).toBe("medium");
    expect(findings[0].object).toEqual({ apiVersion: "v1", kind: "Pod", namespace: "botkube", name: "solo" });
    expect(findings[0].evidence).toContain("initialDelaySeconds=0 periodSeconds=10 failureThreshold=3 → window 30s");
  });

  it("flags a container killed with 137 inside its liveness window", () => {
    const started = "2026-03-01T11:50:00Z";
    const status = {
      containerStatuses: [
        {
          name: "botkube",
          ready: false,
          restartCount: 3,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: {
            terminated: { exitCode: 137, reason: "Error", startedAt: started, finishedAt: "2026-03-01T11:50:26Z" },
          },
        },
      ],
    };
    const [f] = run([pod("killed", { container: shortLiveness, status })]);
    expect(f.severity).toBe("high");
    expect(f.evidence).toContain("lastState.terminated exitCode=137 reason=Error after 26s");
  });

  it("uses the observed-start annotation on the pod", () => {
    const [f] = run([
      pod("ann", { container: shortLiveness, annotations: { "upshift.dev/observed-start-seconds": "90" } }),
    ]);
    expect(f.severity).toBe("medium");
    expect(f.evidence).toContain("observed start 90s");
    expect(f.evidence).toContain("annotation upshift.dev/observed-start-seconds=90 on the pod");
  });

  it("flags a container that downloads kubectl at start with a short window (medium)", () => {
    const container = {
      ...shortLiveness,
      command: ["/bin/sh", "-c"],
      args: ["curl -sLO https://dl.k8s.io/release/v1.31.0/bin/linux/amd64/kubectl && exec /botkube"],
    };
    const [f] = run([pod("dl", { container })]);
    expect(f.severity).toBe("medium");
    expect(f.message).toContain("downloads binaries at start");
    expect(f.evidence).toContain("curl -sLO https://dl.k8s.io");
  });

  it("decoys: a short liveness WITH a startupProbe, a fast start, a long window, odd objects", () => {
    const withStartup = {
      ...shortLiveness,
      startupProbe: { httpGet: { path: "/healthz", port: 2114 }, failureThreshold: 30, periodSeconds: 5 },
    };
    const objects: KubeObject[] = [
      pod("startup", { container: withStartup, status: readyAfter(200, 5) }),
      pod("fast", { container: shortLiveness, status: readyAfter(5) }),
      pod("long", { container: { livenessProbe: { initialDelaySeconds: 120 } }, status: readyAfter(45) }),
      pod("noprobe", { status: readyAfter(300) }),
      { apiVersion: "v1", kind: "Pod" },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "weird" },
        spec: { containers: [null, { name: "x", livenessProbe: "yes" }] },
        status: { containerStatuses: "no" },
      },
      pod("badtimes", {
        container: shortLiveness,
        status: {
          conditions: [{ type: "Ready", status: "True", lastTransitionTime: "not a date" }],
          containerStatuses: [{ name: "botkube", ready: true, state: { running: { startedAt: 5 } } }],
        },
      }),
    ];
    expect(run(objects)).toEqual([]);
  });
});
