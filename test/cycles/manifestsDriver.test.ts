// The manifests driver's own guarantees: verify notices a workload that is not there at all, and
// bad manifest input is refused with the file and what was expected.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, expect, it } from "vitest";
import { fileConfigSchema } from "../../src/config/schema.ts";
import { loadManifests, ManifestsDriver } from "../../src/cycles/drivers/manifestsDriver.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { FIXTURES } from "./harness.ts";

let sandbox: SandboxServer | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

async function driver(fixture?: string) {
  sandbox = await startSandbox(fixture ? { fixture: resolve(FIXTURES, fixture) } : {});
  const dir = ClusterDirectory.fromString(sandbox.kubeconfig("edge"));
  const { addons } = fileConfigSchema.parse({
    addons: [{ name: "demo-ingress", driver: "manifests", manifests: "demo-ingress/v2", namespace: "demo-ingress" }],
  });
  return new ManifestsDriver({
    kc: dir.kubeConfig("edge"),
    client: dir.client("edge"),
    addons,
    baseDir: FIXTURES,
    rolloutDeadlineMs: 500,
    pollMs: 20,
  });
}

it("reports the installed version and verifies the live add-on", async () => {
  const d = await driver("demo-ingress/v1");
  expect(await d.status()).toEqual([
    {
      name: "demo-ingress",
      driver: "manifests",
      status: "enabled",
      version: "1.8.0",
      expectedVersion: undefined,
      namespace: "demo-ingress",
    },
  ]);
  expect(await d.verify("demo-ingress")).toMatchObject({ ok: true });
});

it("fails verify when a declared workload does not exist (nothing to wait for is not success)", async () => {
  const d = await driver();
  expect((await d.status())[0].status).toBe("disabled");
  const v = await d.verify("demo-ingress");
  expect(v.ok).toBe(false);
  expect(v.details[0]).toBe("Deployment/demo-ingress-controller does not exist");
});

it("refuses manifests without apiVersion/kind/name, naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "bad-manifests-"));
  writeFileSync(join(dir, "a.yaml"), "kind: ConfigMap\nmetadata:\n  name: x\n");
  expect(() => loadManifests(dir)).toThrow(
    `${join(dir, "a.yaml")}: every object needs apiVersion, kind and metadata.name`,
  );
});
