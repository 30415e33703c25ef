// The microk8s driver against the fake CLI: status parsing, failures with their output kept,
// a stopped MicroK8s, and the per-command timeout.
import { afterEach, describe, expect, it } from "vitest";
import { Microk8sDriver } from "../../src/cycles/drivers/microk8sDriver.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
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

describe("verify on a shared namespace (kube-system)", () => {
  let sandbox: SandboxServer | undefined;
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
  });

  const deployment = (name: string, labels: Record<string, string>, available: number): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "kube-system", labels, generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1` }] } },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: available,
      availableReplicas: available,
    },
  });
  const pod = (name: string, labels: Record<string, string>, crashing: boolean): KubeObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "kube-system", labels },
    spec: { containers: [{ name: "c", image: "c:1" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: crashing ? "False" : "True" }],
      containerStatuses: [
        crashing
          ? { name: "c", ready: false, restartCount: 7, state: { waiting: { reason: "CrashLoopBackOff" } } }
          : { name: "c", ready: true, restartCount: 0, state: { running: {} } },
      ],
    },
  });

  async function driverFor(objects: KubeObject[]) {
    sandbox = await startSandbox({ objects });
    const m = new FakeMicrok8s({ addons: [{ name: "dns", status: "enabled", version: "1.11.3" }] });
    const client = ClusterDirectory.fromString(sandbox.kubeconfig("edge")).client("edge");
    return new Microk8sDriver({ env: m.env, client, verifyDeadlineMs: 500 });
  }

  it("judges dns by its own workloads and pods, not by another component's trouble in kube-system", async () => {
    const dns = { "k8s-app": "kube-dns" };
    const d = await driverFor([
      deployment("coredns", dns, 1),
      pod("coredns-abc", dns, false),
      deployment("broken-thing", { app: "x" }, 0),
      pod("broken-thing-1", { app: "x" }, true),
    ]);
    const v = await d.verify("dns");
    expect(v.ok).toBe(true);
    expect(v.details).toContain("Deployment/coredns: 1/1 available");
    expect(v.details.join("\n")).not.toContain("broken-thing");
  });

  it("fails dns when its pod crash-loops, naming POD-01 and the pod", async () => {
    const dns = { "k8s-app": "kube-dns" };
    const d = await driverFor([deployment("coredns", dns, 1), pod("coredns-abc", dns, true)]);
    const v = await d.verify("dns");
    expect(v.ok).toBe(false);
    expect(v.details.join("\n")).toContain("Pod/coredns-abc is not Ready");
    expect(v.details.some((l) => l.startsWith("POD-01"))).toBe(true);
  });
});
