// The microk8s driver against the fake CLI: status parsing, failures with their output kept,
// a stopped MicroK8s, and the per-command timeout.
import { expect, it } from "vitest";
import { Microk8sDriver } from "../../src/cycles/drivers/microk8sDriver.ts";
import { FakeMicrok8s } from "./harness.ts";

it("reads `microk8s status --format yaml` into add-on states", async () => {
  const m = new FakeMicrok8s({
    addons: [
      { name: "dns", status: "enabled", version: "1.10.1" },
      { name: "dashboard", status: "disabled" },
    ],
  });
  const d = new Microk8sDriver({ env: m.env });
  expect(await d.status()).toEqual([
    {
      name: "dns",
      driver: "microk8s",
      status: "enabled",
      version: "1.10.1",
      repository: "core",
      namespace: "kube-system",
    },
    {
      name: "dashboard",
      driver: "microk8s",
      status: "disabled",
      version: "1.0.0",
      repository: "core",
      namespace: "kube-system",
    },
  ]);
  expect((await d.backup("dns")).config).toMatchObject({ name: "dns", version: "1.10.1", status: "enabled" });
  expect((await d.verify("dashboard")).ok).toBe(false);
});

it("keeps the output of a failed command in the error", async () => {
  const m = new FakeMicrok8s({ addons: [{ name: "ingress", status: "disabled" }], failEnable: ["ingress"] });
  const d = new Microk8sDriver({ env: m.env });
  const err = await d.enable("ingress").catch((e: unknown) => e);
  expect(err).toMatchObject({ message: "microk8s enable ingress failed (exit 1)" });
  expect((err as { output: { output: string } }).output.output).toContain(
    "Error from server (Timeout): failed to apply ingress manifests",
  );
  await expect(d.disable("nope", { keepKinds: [] })).rejects.toThrow("microk8s disable nope failed (exit 1)");
});

it("refuses a stopped MicroK8s and a missing CLI with what was expected", async () => {
  const m = new FakeMicrok8s({ running: false, addons: [] });
  await expect(new Microk8sDriver({ env: m.env }).status()).rejects.toThrow(
    "microk8s is not running (microk8s.running: false)",
  );
  await expect(new Microk8sDriver({ env: m.env, bin: "/nonexistent/microk8s" }).status()).rejects.toThrow(
    /cannot run \/nonexistent\/microk8s: ENOENT/,
  );
});

it("kills a command that outlives its timeout and says so", async () => {
  const m = new FakeMicrok8s({ addons: [{ name: "dns", status: "disabled" }], sleepMs: { "enable dns": 5_000 } });
  const d = new Microk8sDriver({ env: m.env, timeoutMs: 1_000 });
  await expect(d.enable("dns")).rejects.toMatchObject({
    output: { output: expect.stringContaining("(killed after 1000 ms)") },
  });
});
