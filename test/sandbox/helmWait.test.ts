// Real Helm 3.17 `--wait` against an HTTPS sandbox: install and upgrade finish when the sandbox's
// controllers roll the chart's Deployment out, and time out (release failed) when its pods never
// become Ready, as on a real cluster. Helm stores releases as protobuf-encoded Secrets, so this
// needs the sandbox's protobuf request decoding (issue 13 §1, another branch).
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { helmBinary } from "../tools/realBinaries.ts";

let sandbox: SandboxServer;
let dir: string;
let kubeconfig: string;

function helm(args: string[], timeout = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      helmBinary(),
      [...args, "--kubeconfig", kubeconfig],
      {
        timeout,
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          HELM_CACHE_HOME: join(dir, "cache"),
          HELM_CONFIG_HOME: join(dir, "config"),
          HELM_DATA_HOME: join(dir, "data"),
        },
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** A chart with one Deployment; `never` marks its pod template as never becoming Ready. */
function chart(name: string): string {
  const root = join(dir, name);
  mkdirSync(join(root, "templates"), { recursive: true });
  writeFileSync(join(root, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nappVersion: "1.0.0"\n`);
  writeFileSync(join(root, "values.yaml"), "image: web:1\nnever: false\nreplicas: 2\n");
  writeFileSync(
    join(root, "templates", "deployment.yaml"),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
      {{- if .Values.never }}
      annotations:
        sandbox.upshift.dev/rollout: never
      {{- end }}
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
`,
  );
  return root;
}

beforeAll(async () => {
  sandbox = await startSandbox({ serverVersion: "v1.32.2", rolloutDelayMs: 300, tls: true });
  dir = mkdtempSync(join(tmpdir(), "upshift-helm-wait-"));
  kubeconfig = join(dir, "kubeconfig");
  sandbox.writeKubeconfig(kubeconfig, "sandbox");
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("helm --wait", () => {
  it("install --wait returns once the Deployment is available, upgrade --wait once the new ReplicaSet is", async () => {
    const path = chart("web");
    const install = await helm(["install", "web", path, "--namespace", "default", "--wait", "--timeout", "30s"]);
    expect(install.stderr).toBe("");
    expect(install.code).toBe(0);
    expect(install.stdout).toContain("STATUS: deployed");
    const d = sandbox.store.get("apps/v1", "Deployment", "default", "web");
    expect(d?.status?.availableReplicas).toBe(2);

    const upgrade = await helm([
      "upgrade",
      "web",
      path,
      "--namespace",
      "default",
      "--set",
      "image=web:2",
      "--wait",
      "--timeout",
      "30s",
    ]);
    expect(upgrade.code).toBe(0);
    expect(upgrade.stdout).toContain("STATUS: deployed");
    const rs = sandbox.store
      .list("apps/v1", "ReplicaSet", "default")
      .filter((r) => r.metadata?.name?.startsWith("web-"));
    expect(rs).toHaveLength(2);
    const current = rs.find((r) => r.metadata?.annotations?.["deployment.kubernetes.io/revision"] === "2");
    expect(current?.status?.readyReplicas).toBe(2);
  });

  it("install --wait times out on a chart whose pods never become Ready and leaves the release failed", async () => {
    const path = chart("stuck");
    const install = await helm([
      "install",
      "stuck",
      path,
      "--namespace",
      "default",
      "--set",
      "never=true",
      "--wait",
      "--timeout",
      "3s",
    ]);
    expect(install.code).not.toBe(0);
    expect(install.stderr).toMatch(/context deadline exceeded|timed out waiting for the condition/);
    const list = await helm(["list", "-a", "--namespace", "default", "-o", "json"]);
    const stuck = JSON.parse(list.stdout).find((r: { name: string }) => r.name === "stuck");
    expect(stuck).toMatchObject({ status: "failed", revision: "1" });
  });

  it("upgrade --wait times out when the new version never becomes Ready", async () => {
    const path = chart("web");
    const upgrade = await helm([
      "upgrade",
      "web",
      path,
      "--namespace",
      "default",
      "--set",
      "never=true",
      "--wait",
      "--timeout",
      "3s",
    ]);
    expect(upgrade.code).not.toBe(0);
    expect(upgrade.stderr).toMatch(/context deadline exceeded|timed out waiting for the condition/);
    const history = await helm(["history", "web", "--namespace", "default", "-o", "json"]);
    expect(JSON.parse(history.stdout).at(-1)).toMatchObject({ revision: 3, status: "failed" });
  });
});
