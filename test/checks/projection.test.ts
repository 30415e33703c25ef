// The snapshot's projection (src/checks/projection.ts) keeps every field a check reads: every
// check over every scenario, read from the sandbox with and without it, finds the same. The
// scenarios are given what real clusters carry and the projection drops (managedFields on every
// object, a Secret with values), so the comparison is not vacuous.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromLists } from "../../src/checks/context.ts";
import { projectForChecks } from "../../src/checks/projection.ts";
import { runChecks } from "../../src/checks/runner.ts";
import { readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { loadFixture, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const SCENARIOS = new URL("../../src/sandbox/scenarios/", import.meta.url).pathname;
const NOW = new Date("2026-03-01T11:00:00Z");

const managedFields = [
  {
    manager: "kubectl-client-side-apply",
    operation: "Update",
    apiVersion: "v1",
    time: "2026-02-01T10:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:replicas": {} } },
  },
];

let sandbox: SandboxServer;
beforeAll(async () => {
  const { objects, settings } = loadFixture(SCENARIOS);
  const withExtras: KubeObject[] = objects.map((o) => ({ ...o, metadata: { ...o.metadata, managedFields } }));
  withExtras.push({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db-credentials", namespace: "default", managedFields },
    type: "Opaque",
    data: { password: Buffer.from("hunter2").toString("base64") },
  });
  sandbox = await startSandbox({ objects: withExtras, serverVersion: settings.serverVersion });
});
afterAll(async () => {
  await sandbox.close();
});

async function findingsWith(project: boolean) {
  const client = ClusterDirectory.fromString(sandbox.kubeconfig()).client("sandbox");
  const keys = [...new Set(allChecks.flatMap((c) => c.reads))];
  const snapshot = await readSnapshot(client, keys, { project, readMetrics: true });
  const ctx = contextFromLists(snapshot.lists, {
    serverVersion: await client.serverVersion(),
    target: "1.32",
    apiServerMetrics: snapshot.apiServerMetrics,
    now: NOW,
  });
  return { snapshot, run: await runChecks(allChecks, ctx) };
}

describe("projection", () => {
  it("every check finds the same over the scenarios with and without it", async () => {
    const plain = await findingsWith(false);
    const projected = await findingsWith(true);
    expect(plain.run.findings.length).toBeGreaterThan(10);
    expect(projected.run.findings).toEqual(plain.run.findings);
    // It did drop something: managedFields everywhere.
    const all = (s: typeof plain.snapshot) => [...s.lists.values()].flat();
    expect(all(plain.snapshot).some((o) => o.metadata?.managedFields)).toBe(true);
    expect(all(projected.snapshot).some((o) => o.metadata?.managedFields)).toBe(false);
    // An ordinary Secret is never listed at all (only Helm's release Secrets are).
    expect(all(plain.snapshot).some((o) => o.metadata?.name === "db-credentials")).toBe(false);
    // Helm release payloads stay as they came (base64 gzip), for the Helm checks to decode.
    const helm = projected.snapshot.lists.get("helmReleases") ?? [];
    expect(helm.length).toBeGreaterThan(0);
    const helmPlain = plain.snapshot.lists.get("helmReleases") ?? [];
    expect(helm.map((o) => o.data?.release)).toEqual(helmPlain.map((o) => o.data?.release));
  });

  it("keeps Helm release Secrets whole and drops only managedFields", () => {
    const helm: KubeObject = {
      kind: "Secret",
      metadata: { name: "sh.helm.release.v1.a.v1", labels: { owner: "helm" } },
      data: { release: "SDRzSQ==" },
    };
    expect(projectForChecks(structuredClone(helm))).toEqual(helm);
    const managed = projectForChecks({
      ...structuredClone(helm),
      metadata: { ...helm.metadata, managedFields },
    });
    expect(managed).toEqual(helm);
    // A ConfigMap's values are read by checks (CFG-01, kubeadm-config): kept.
    const cm = projectForChecks({ kind: "ConfigMap", metadata: { name: "c" }, data: { k: "v" } });
    expect(cm.data).toEqual({ k: "v" });
  });
});
