// The sandbox through the real kubectl binary. /usr/bin/kubectl dispatches to the client version
// matching the server's, so the main sandbox reports v1.32 (kubectl 1.32) and one test uses v1.31.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const KUBECTL = "/usr/bin/kubectl";
const FIXTURE = new URL("./fixtures/cluster.yaml", import.meta.url).pathname;

let sandbox: SandboxServer;
let dir: string;
let kubeconfigPath: string;

function kubectl(
  args: string[],
  kubeconfig = kubeconfigPath,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ fixture: FIXTURE, serverVersion: "v1.32.2" });
  dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-kubectl-"));
  kubeconfigPath = join(dir, "kubeconfig");
  sandbox.writeKubeconfig(kubeconfigPath);
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("kubectl against the sandbox", () => {
  // What the README says of explain: it names the kind, with no field documentation.
  it("kubectl explain names the kind (core and apps)", async () => {
    const pods = await kubectl(["explain", "pods"]);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/KIND:\s+Pod\nVERSION:\s+v1/);
    const deployments = await kubectl(["explain", "deployments"]);
    expect(deployments.code).toBe(0);
    expect(deployments.stdout).toMatch(/GROUP:\s+apps\nKIND:\s+Deployment/);
  });

  it("reports the server version", async () => {
    const r = await kubectl(["version", "-o", "json"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.serverVersion.gitVersion).toBe("v1.32.2");
    expect(v.clientVersion.minor).toMatch(/^32/);
  });

  it("gets pods across namespaces with label and field selectors as JSON", async () => {
    const r = await kubectl([
      "get",
      "pods",
      "-A",
      "-l",
      "app=web",
      "--field-selector",
      "status.phase=Running",
      "-o",
      "json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(
      list.items.map(
        (p: { metadata: { namespace: string; name: string } }) => `${p.metadata.namespace}/${p.metadata.name}`,
      ),
    ).toEqual(["default/web-3", "shop/web-1"]);
  });

  it("prints a table for get, with NAMESPACE for -A", async () => {
    const r = await kubectl(["get", "pods", "-A"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.some((l) => /^shop\s+web-1\s+1\/1\s+Running\s+0\s+\S+$/.test(l))).toBe(true);
  });

  it("gets custom resources of a fixture CRD by plural and short name", async () => {
    const r = await kubectl(["get", "stages", "-n", "shop"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+AGE\nprod\s+\S+\n$/);
    const short = await kubectl(["get", "stg", "-n", "shop", "-o", "name"]);
    expect(short.stdout.trim()).toBe("stage.kargo.akuity.io/prod");
  });

  it("lists api-resources, custom ones included", async () => {
    const r = await kubectl(["api-resources"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(r.stdout).toMatch(/^stages\s+stg\s+kargo\.akuity\.io\/v1alpha1\s+true\s+Stage$/m);
    expect(r.stdout).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
  });

  it("applies server-side (create, then update) and deletes", async () => {
    const file = join(dir, "apply.yaml");
    writeFileSync(
      file,
      `apiVersion: v1
kind: ConfigMap
metadata: { name: applied-by-kubectl, namespace: shop }
data: { a: "1" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: api, image: "api:1" }] }
`,
    );
    const first = await kubectl(["apply", "--server-side", "-f", file]);
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe(
      "configmap/applied-by-kubectl serverside-applied\ndeployment.apps/api serverside-applied\n",
    );
    expect(sandbox.store.get("v1", "ConfigMap", "shop", "applied-by-kubectl")?.data).toEqual({ a: "1" });

    writeFileSync(
      file,
      `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: applied-by-kubectl, namespace: shop }\ndata: { a: "2" }\n`,
    );
    const second = await kubectl(["apply", "--server-side", "-f", file]);
    expect(second.code).toBe(0);
    expect(sandbox.store.get("v1", "ConfigMap", "shop", "applied-by-kubectl")?.data).toEqual({ a: "2" });

    const del = await kubectl(["delete", "configmap", "applied-by-kubectl", "-n", "shop"]);
    expect(del.code).toBe(0);
    expect(del.stdout).toBe('configmap "applied-by-kubectl" deleted\n');
    expect(sandbox.store.get("v1", "ConfigMap", "shop", "applied-by-kubectl")).toBeUndefined();

    const missing = await kubectl(["delete", "configmap", "applied-by-kubectl", "-n", "shop"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('configmaps "applied-by-kubectl" not found');
  });

  it("streams changes with get --watch", async () => {
    const child = spawn(KUBECTL, ["--kubeconfig", kubeconfigPath, "get", "configmaps", "-n", "watch-me", "--watch"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    try {
      sandbox.store.upsert({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "before", namespace: "watch-me" },
      });
      let out = "";
      let upserted = false;
      await new Promise<void>((resolve, reject) => {
        child.on("exit", () => reject(new Error(`kubectl exited early: ${out}`)));
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (!upserted && /\nbefore\s/.test(out)) {
            upserted = true;
            sandbox.store.upsert({
              apiVersion: "v1",
              kind: "ConfigMap",
              metadata: { name: "after", namespace: "watch-me" },
            });
          }
          // The whole line: kubectl may write the name and its AGE column in two chunks.
          if (/\nafter\s+\S+\n/.test(out)) resolve();
        });
      });
      const lines = out.trim().split("\n");
      expect(lines[0]).toMatch(/^NAME\s+AGE$/);
      expect(lines[1]).toMatch(/^before\s+\S+$/);
      expect(lines[2]).toMatch(/^after\s+\S+$/);
    } finally {
      clearTimeout(killer);
      child.kill("SIGTERM");
    }
  });

  it("works with kubectl 1.31 against a v1.31 server", async () => {
    const old = await startSandbox({ fixture: FIXTURE });
    const path = join(dir, "kubeconfig-131");
    old.writeKubeconfig(path, "old");
    try {
      const r = await kubectl(["get", "deployments", "-n", "shop", "-o", "name"], path);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("deployment.apps/web\n");
      const v = await kubectl(["version", "-o", "json"], path);
      expect(JSON.parse(v.stdout).clientVersion.minor).toMatch(/^31/);
    } finally {
      await old.close();
    }
  });
});
