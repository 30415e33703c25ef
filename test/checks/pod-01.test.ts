import { describe, expect, it } from "vitest";
import { pod01CrashingContainers } from "../../src/checks/catalog/pod-01-crashing-containers.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { FindingInput } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const NOW = new Date("2026-03-01T12:00:00Z");

function pod(name: string, statuses: unknown, owner?: { kind: string; name: string }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "botkube",
      labels: { "pod-template-hash": "5f6d8b9c7" },
      ownerReferences: owner ? [{ apiVersion: "apps/v1", controller: true, ...owner }] : undefined,
    },
    spec: { containers: [{ name: "plugin" }] },
    status: { containerStatuses: statuses },
  };
}

const run = (objects: KubeObject[]) =>
  pod01CrashingContainers.evaluate(
    contextFromObjects(objects, { serverVersion: "v1.31.4", target: "1.32", now: NOW }),
  ) as FindingInput[];

describe("POD-01 crashing containers", () => {
  it("reports 50 crash-looping pods of one Deployment once, resolving the owner by name when the ReplicaSet is absent", () => {
    const pods = Array.from({ length: 50 }, (_, i) =>
      pod(
        `botkube-5f6d8b9c7-${i}`,
        [
          {
            name: "plugin",
            restartCount: 10 + i,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            lastState: {
              terminated: {
                exitCode: 2,
                reason: "Error",
                finishedAt: "2026-03-01T11:58:00Z",
                message: "panic: runtime error: invalid memory address or nil pointer dereference",
              },
            },
          },
        ],
        { kind: "ReplicaSet", name: "botkube-5f6d8b9c7" },
      ),
    );
    const findings = run(pods);
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: "botkube",
      name: "botkube",
    });
    expect(findings[0].message).toBe(
      "Container plugin of Deployment botkube/botkube is in CrashLoopBackOff (50 pods, up to 59 restarts).",
    );
    expect(findings[0].evidence).toContain("state.waiting.reason=CrashLoopBackOff");
    expect(findings[0].evidence).toContain("last message: panic: runtime error");
    expect(findings[0].severity).toBeUndefined(); // the check's default: high
    expect(pod01CrashingContainers.severity).toBe("high");
  });

  it("reports a restart within the hour and ignores older restarts", () => {
    const recent = pod(
      "recent",
      [
        {
          name: "plugin",
          restartCount: 1,
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-03-01T11:20:00Z" } },
        },
      ],
      { kind: "StatefulSet", name: "db" },
    );
    const old = pod("old", [
      {
        name: "plugin",
        restartCount: 7,
        state: { running: {} },
        lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-03-01T10:30:00Z" } },
      },
    ]);
    const findings = run([recent, old]);
    expect(findings).toHaveLength(1);
    expect(findings[0].object).toEqual({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      namespace: "botkube",
      name: "db",
    });
    expect(findings[0].message).toContain("restarted in the last hour");
    expect(findings[0].evidence).toContain("finishedAt=2026-03-01T11:20:00Z");
  });

  it("decoys: healthy pods and odd objects never throw", () => {
    expect(
      run([
        pod("ok", [{ name: "plugin", restartCount: 0, state: { running: {} } }]),
        pod("restarted-no-count", [
          { name: "plugin", restartCount: 0, lastState: { terminated: { finishedAt: "2026-03-01T11:59:00Z" } } },
        ]),
        pod("bad", "nope"),
        pod("bad2", [null, 3, { state: null }]),
        { kind: "Pod", apiVersion: "v1" },
      ]),
    ).toEqual([]);
  });
});
