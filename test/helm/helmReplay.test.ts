// The demo's releases remade by real Helm: a scenario's hand-built release Secrets (the input here,
// as in src/sandbox/scenarios) become what `helm install`/`upgrade` write, pending-upgrade included
// (Helm killed mid-hook); what Helm cannot make keeps its hand-built Secrets.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupReleases, helmReleaseSecret, releaseFromSecret } from "../../src/helm/release.ts";
import { remakeReleasesWithHelm } from "../../src/sandbox/helmReplay.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { type HelmHome, helmHome, helmList, helmOk, removeHelmHome } from "../tools/helm.ts";
import { helmBinary } from "../tools/realBinaries.ts";

const handBuilt = [
  helmReleaseSecret({
    name: "fleet",
    namespace: "cattle-fleet-system",
    revision: 1,
    status: "deployed",
    chart: "fleet-105.0.2+up0.11.2",
    appVersion: "0.11.2",
  }),
  helmReleaseSecret({
    name: "fleet",
    namespace: "cattle-fleet-system",
    revision: 2,
    status: "pending-upgrade",
    chart: "fleet-106.0.0+up0.12.0-rc.3",
    appVersion: "0.12.0-rc.3",
  }),
  helmReleaseSecret({
    name: "ingress-nginx",
    namespace: "ingress-nginx",
    revision: 1,
    status: "superseded",
    chart: "ingress-nginx-4.11.3",
    appVersion: "1.11.3",
  }),
  helmReleaseSecret({
    name: "ingress-nginx",
    namespace: "ingress-nginx",
    revision: 2,
    status: "deployed",
    chart: "ingress-nginx-4.12.1",
    appVersion: "1.12.1",
    kubeVersion: ">=1.21.0-0",
  }),
  // A manifest naming objects the scenario already holds: Helm could not adopt them, so it is kept.
  helmReleaseSecret({
    name: "legacy",
    namespace: "legacy",
    revision: 1,
    status: "deployed",
    chart: "legacy-0.1.0",
    manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: legacy\n",
  }),
];

let sandbox: SandboxServer;
let home: HelmHome;
beforeAll(async () => {
  sandbox = await startSandbox({ objects: handBuilt });
  home = helmHome(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  removeHelmHome(home);
});

describe("remakeReleasesWithHelm", () => {
  it("replaces remakeable releases with Helm's own, same charts and statuses, and keeps the rest", async () => {
    const result = await remakeReleasesWithHelm(sandbox, helmBinary());
    expect(result.remade).toEqual(["cattle-fleet-system/fleet", "ingress-nginx/ingress-nginx"]);
    expect(Object.keys(result.kept)).toEqual(["legacy/legacy"]);
    expect(result.kept["legacy/legacy"]).toContain("manifest");

    const listed = await helmList(home);
    const view = (name: string) => listed.find((r) => r.name === name);
    expect(view("fleet")).toMatchObject({
      revision: "2",
      status: "pending-upgrade",
      chart: "fleet-106.0.0+up0.12.0-rc.3",
    });
    expect(view("ingress-nginx")).toMatchObject({ revision: "2", status: "deployed", chart: "ingress-nginx-4.12.1" });
    expect(view("legacy")).toMatchObject({ revision: "1", status: "deployed" });

    const { groups } = groupReleases(sandbox.store.list("v1", "Secret"));
    const statuses = Object.fromEntries(groups.map((g) => [g.name, g.revisions.map((r) => r.labels.status)]));
    expect(statuses).toEqual({
      fleet: ["deployed", "pending-upgrade"],
      "ingress-nginx": ["superseded", "deployed"],
      legacy: ["deployed"],
    });
    // Made by Helm: its own bookkeeping is there (hand-built Secrets have no modifiedAt label).
    const fleet2 = sandbox.store.get("v1", "Secret", "cattle-fleet-system", "sh.helm.release.v1.fleet.v2");
    expect(fleet2?.metadata?.labels?.modifiedAt).toMatch(/^\d+$/);
    expect(releaseFromSecret(fleet2!)?.chart).toMatchObject({
      version: "106.0.0+up0.12.0-rc.3",
      appVersion: "0.12.0-rc.3",
    });
    const nginx2 = sandbox.store.get("v1", "Secret", "ingress-nginx", "sh.helm.release.v1.ingress-nginx.v2");
    expect(releaseFromSecret(nginx2!)?.chart.kubeVersion).toBe(">=1.21.0-0");
    // Helm itself refuses to upgrade the pending release, as it would on a real cluster.
    const history = JSON.parse(await helmOk(home, ["history", "fleet", "-n", "cattle-fleet-system", "-o", "json"]));
    expect(history.map((h: { description: string }) => h.description)).toEqual([
      "Install complete",
      "Preparing upgrade",
    ]);
  });

  it("keeps the hand-built Secrets when the helm binary cannot run", async () => {
    const other = await startSandbox({ objects: handBuilt.slice(2, 4) });
    try {
      const result = await remakeReleasesWithHelm(other, "/nonexistent/helm");
      expect(result.remade).toEqual([]);
      expect(Object.keys(result.kept)).toEqual(["ingress-nginx/ingress-nginx"]);
      const names = other.store.list("v1", "Secret", "ingress-nginx").map((s) => s.metadata?.name);
      expect(names).toEqual(["sh.helm.release.v1.ingress-nginx.v1", "sh.helm.release.v1.ingress-nginx.v2"]);
      expect(
        other.store.get("v1", "Secret", "ingress-nginx", "sh.helm.release.v1.ingress-nginx.v2")?.metadata?.labels
          ?.modifiedAt,
      ).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
