// Real kubectl against an HTTPS sandbox (CA in the kubeconfig) with each way to authenticate, and
// `kubectl rollout status` finishing on healthy workloads and failing on one that never gets Ready,
// as on a real cluster. Plain `kubectl apply` uses JSON, so this needs no protobuf decoding.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeconfigAuth, type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { createSandboxPki, type PemPair } from "../../src/sandbox/tls.ts";
import { kubectlBinary } from "../tools/realBinaries.ts";

let sandbox: SandboxServer;
let dir: string;
const kubeconfigs = new Map<KubeconfigAuth, string>();
const MODES: KubeconfigAuth[] = ["token", "client-cert", "exec"];

function kubectl(args: string[], kubeconfig: string, timeout = 30_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(kubectlBinary(), ["--kubeconfig", kubeconfig, ...args], { timeout }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function manifest(
  name: string,
  kind: "Deployment" | "StatefulSet" | "DaemonSet",
  image: string,
  never = false,
): string {
  const file = join(dir, `${name}-${image.replace(/\W/g, "-")}.json`);
  const template = {
    metadata: { labels: { app: name }, ...(never ? { annotations: { "sandbox.upshift.dev/rollout": "never" } } : {}) },
    spec: { containers: [{ name: "c", image }] },
  };
  const spec: Record<string, unknown> = { selector: { matchLabels: { app: name } }, template };
  if (kind !== "DaemonSet") spec.replicas = 2;
  if (kind === "StatefulSet") spec.serviceName = name;
  writeFileSync(file, JSON.stringify({ apiVersion: "apps/v1", kind, metadata: { name, namespace: "default" }, spec }));
  return file;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    serverVersion: "v1.32.2",
    rolloutDelayMs: 200,
    tls: true,
    objects: [
      { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, status: {} },
      { apiVersion: "v1", kind: "Node", metadata: { name: "n2" }, status: {} },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), "upshift-kubectl-tls-"));
  for (const auth of MODES) {
    const path = join(dir, `kubeconfig-${auth}`);
    sandbox.writeKubeconfig(path, "tls", { auth });
    kubeconfigs.set(auth, path);
  }
});

afterAll(async () => {
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(MODES)("kubectl over HTTPS with %s authentication", (auth) => {
  it("verifies the server against the CA, authenticates, and waits a Deployment's rollout out", async () => {
    const kc = kubeconfigs.get(auth)!;
    const name = `web-${auth}`;
    const applied = await kubectl(["apply", "-f", manifest(name, "Deployment", "web:1")], kc);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain(`deployment.apps/${name} created`);
    const status = await kubectl(["rollout", "status", `deployment/${name}`, "--timeout=20s"], kc);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`deployment "${name}" successfully rolled out`);
    const rs = await kubectl(["get", "rs", "-l", `app=${name}`, "-o", "json"], kc);
    const items = JSON.parse(rs.stdout).items;
    expect(items).toHaveLength(1);
    expect(items[0].metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
  });
});

describe("kubectl rollout status", () => {
  const kc = () => kubeconfigs.get("token")!;

  it("follows an update to a new ReplicaSet and reports revision 2 in the history", async () => {
    await kubectl(["apply", "-f", manifest("api", "Deployment", "api:1")], kc());
    expect((await kubectl(["rollout", "status", "deployment/api", "--timeout=20s"], kc())).code).toBe(0);
    await kubectl(["apply", "-f", manifest("api", "Deployment", "api:2")], kc());
    const r = await kubectl(["rollout", "status", "deployment/api", "--timeout=20s"], kc());
    expect(r.code).toBe(0);
    // (kubectl starts slower than the 200 ms rollout, so it may see it finished already.)
    expect(r.stdout).toContain('deployment "api" successfully rolled out');
    const history = await kubectl(["rollout", "history", "deployment/api"], kc());
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(/^1\s/m);
    expect(history.stdout).toMatch(/^2\s/m);
  });

  it("fails on a Deployment whose pods never become ready (progress deadline exceeded)", async () => {
    await kubectl(["apply", "-f", manifest("stuck", "Deployment", "stuck:1", true)], kc());
    const r = await kubectl(["rollout", "status", "deployment/stuck", "--timeout=10s"], kc());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('deployment "stuck" exceeded its progress deadline');
  });

  it("times out on a StatefulSet whose pods never become ready", async () => {
    await kubectl(["apply", "-f", manifest("stuckdb", "StatefulSet", "db:1", true)], kc());
    const r = await kubectl(["rollout", "status", "statefulset/stuckdb", "--timeout=2s"], kc());
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("timed out waiting for the condition");
  });

  it("finishes for a StatefulSet and a DaemonSet", async () => {
    await kubectl(["apply", "-f", manifest("db", "StatefulSet", "db:1")], kc());
    await kubectl(["apply", "-f", manifest("agent", "DaemonSet", "agent:1")], kc());
    const sts = await kubectl(["rollout", "status", "statefulset/db", "--timeout=20s"], kc());
    expect(sts.code).toBe(0);
    expect(sts.stdout).toContain("partitioned roll out complete: 2 new pods have been updated...");
    const ds = await kubectl(["rollout", "status", "daemonset/agent", "--timeout=20s"], kc());
    expect(ds.code).toBe(0);
    expect(ds.stdout).toContain('daemon set "agent" successfully rolled out');
  });
});

describe("unauthenticated and wrongly authenticated requests", () => {
  it("lets anonymous read /version and /healthz only, refuses the rest with 403, and bad tokens with 401", async () => {
    const ca = sandbox.security!.pki.ca.certPem;
    const get = async (path: string, headers: Record<string, string> = {}, client?: PemPair) => {
      const { request } = await import("node:https");
      return new Promise<{ code: number; body: string }>((resolve, reject) => {
        const tlsClient = client ? { cert: client.certPem, key: client.keyPem } : {};
        const req = request(`${sandbox.url}${path}`, { ca, headers, ...tlsClient }, (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
      });
    };
    expect((await get("/version")).code).toBe(200);
    expect((await get("/healthz")).body).toBe("ok");
    const api = await get("/api/v1/namespaces/default/pods");
    expect(api.code).toBe(403);
    expect(JSON.parse(api.body)).toMatchObject({
      kind: "Status",
      reason: "Forbidden",
      message:
        'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"',
    });
    const metrics = await get("/metrics");
    expect(metrics.code).toBe(403);
    const bad = await get("/version", { Authorization: "Bearer not-a-sandbox-token" });
    expect(bad.code).toBe(401);
    expect(JSON.parse(bad.body)).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "Unauthorized",
      reason: "Unauthorized",
      code: 401,
    });
    // A client certificate from another CA is no identity: the request is anonymous.
    const foreign = createSandboxPki().issueClient("sandbox-admin", ["system:masters"]);
    expect((await get("/api/v1/namespaces/default/pods", {}, foreign)).code).toBe(403);
    expect((await get("/api/v1/namespaces/default/pods", {}, sandbox.security!.adminCert)).code).toBe(200);
  });
});

describe("anonymous auth off (kube-apiserver --anonymous-auth=false)", () => {
  it("answers 401 to every request without credentials, /healthz included", async () => {
    const strict = await startSandbox({ tls: { anonymous: false } });
    try {
      const { request } = await import("node:https");
      const code = (path: string, headers: Record<string, string> = {}) =>
        new Promise<number>((resolve, reject) => {
          const req = request(`${strict.url}${path}`, { ca: strict.security!.pki.ca.certPem, headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
      expect(await code("/healthz")).toBe(401);
      expect(await code("/version")).toBe(401);
      expect(await code("/version", { Authorization: `Bearer ${strict.security!.adminToken}` })).toBe(200);
    } finally {
      await strict.close();
    }
  });
});
