// The sandbox's parts on their own (selectors, patches, fixtures, kubeconfig), a 20,000-object
// paginated list over HTTP, and the CLI as a child process.
import { execFileSync, spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { KubeObject } from "../../src/kube/resources.ts";
import { canonicalJson, templateHash } from "../../src/sandbox/controllers/common.ts";
import { kubeconfigFor, loadFixture, parseFixture, startSandbox } from "../../src/sandbox/index.ts";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../src/sandbox/patch.ts";
import { parseFieldSelector, parseLabelSelector, SelectorError } from "../../src/sandbox/selectors.ts";
import { createSandboxPki, identityFromCertificate } from "../../src/sandbox/tls.ts";

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const UPSHIFT = new URL("../../bin/upshift.js", import.meta.url).pathname;

describe("selectors", () => {
  const pod = (labels: Record<string, string>): KubeObject => ({ metadata: { labels } });

  it("implements equality, set-based and existence requirements", () => {
    const m = parseLabelSelector("app in (web,api), tier notin (db), !legacy, team")!;
    expect(m(pod({ app: "web", team: "a" }))).toBe(true);
    expect(m(pod({ app: "web", team: "a", tier: "db" }))).toBe(false);
    expect(m(pod({ app: "web", team: "a", legacy: "1" }))).toBe(false);
    expect(m(pod({ app: "web" }))).toBe(false);
    expect(parseLabelSelector("a!=b")!(pod({}))).toBe(true);
    expect(parseLabelSelector("")).toBeUndefined();
  });

  it("rejects malformed selectors and unknown field labels with a specific message", () => {
    expect(() => parseLabelSelector("app in ()")).toThrow(SelectorError);
    expect(() => parseLabelSelector("bad key=x")).toThrow(/unable to parse requirement/);
    expect(() => parseFieldSelector("spec.replicas=2", "Deployment", false)).toThrow(
      /"spec.replicas" is not a known field selector/,
    );
    const m = parseFieldSelector("involvedObject.kind=Pod,type!=Normal", "Event", false)!;
    expect(m({ involvedObject: { kind: "Pod" }, type: "Warning" })).toBe(true);
    expect(m({ involvedObject: { kind: "Pod" }, type: "Normal" })).toBe(false);
  });
});

describe("patches", () => {
  it("merge patch deletes with null and replaces lists", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({
      a: 1,
      b: { d: 3 },
      l: [3],
    });
  });

  it("strategic merge patch merges containers by name and honours $patch: delete", () => {
    const target = {
      spec: {
        containers: [
          { name: "a", image: "a:1" },
          { name: "b", image: "b:1" },
        ],
      },
    };
    const out = strategicMergePatch(target, {
      spec: {
        containers: [
          { name: "b", image: "b:2" },
          { name: "c", image: "c:1" },
          { name: "a", $patch: "delete" },
        ],
      },
    });
    expect(out.spec.containers).toEqual([
      { name: "b", image: "b:2" },
      { name: "c", image: "c:1" },
    ]);
  });

  it("json patch applies add/replace/remove/test and fails a failed test", () => {
    const out = jsonPatch({ a: [1, 2], b: { c: 1 } }, [
      { op: "add", path: "/a/-", value: 3 },
      { op: "replace", path: "/b/c", value: 2 },
      { op: "remove", path: "/a/0" },
      { op: "test", path: "/b/c", value: 2 },
    ]);
    expect(out).toEqual({ a: [2, 3], b: { c: 2 } });
    expect(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }])).toThrow(/test failed/);
  });
});

describe("fixtures and kubeconfig", () => {
  it("reads settings apart from objects and flattens Lists", () => {
    const f = parseFixture(`apiVersion: sandbox.upshift.dev/v1
kind: SandboxSettings
spec: { serverVersion: v1.30.2, rolloutDelayMs: 50 }
---
apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a, namespace: x } }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: b, namespace: x } }
---
`);
    expect(f.settings).toEqual({ serverVersion: "v1.30.2", rolloutDelayMs: 50 });
    expect(f.objects.map((o) => o.metadata?.name)).toEqual(["a", "b"]);
    expect(loadFixture(FIXTURES).settings.serverVersion).toBe("v1.31.4");
  });

  it("names the document and the problem in fixture errors", () => {
    expect(() => parseFixture("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "f.yaml")).toThrow(
      "f.yaml document 1: Pod needs metadata.name",
    );
    expect(() => parseFixture("---\nkind: Pod\n", "f.yaml")).toThrow(
      "f.yaml document 1: object needs string apiVersion and kind",
    );
    expect(() =>
      parseFixture(
        "apiVersion: sandbox.upshift.dev/v1\nkind: SandboxSettings\nspec: { serverVersion: 1.31 }\n",
        "s.yaml",
      ),
    ).toThrow(/spec.serverVersion must look like "v1.31.4"/);
  });

  it("builds one kubeconfig for a fleet that client-node loads", () => {
    const text = kubeconfigFor([
      { name: "prod", url: "http://127.0.0.1:1111" },
      { name: "staging", url: "http://127.0.0.1:2222" },
    ]);
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getContexts().map((c) => c.name)).toEqual(["prod", "staging"]);
    expect(kc.getCurrentContext()).toBe("prod");
    kc.setCurrentContext("staging");
    expect(kc.getCurrentCluster()?.server).toBe("http://127.0.0.1:2222");
    expect(() =>
      kubeconfigFor([
        { name: "a", url: "x" },
        { name: "a", url: "y" },
      ]),
    ).toThrow(/duplicate context name "a"/);
  });
});

describe("20,000 objects", () => {
  it("pages through 10,000 pods at limit=500 in order, each once", async () => {
    const objects: KubeObject[] = [];
    for (let i = 0; i < 10_000; i++) {
      objects.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `p-${i}`, namespace: `ns-${i % 40}` },
        status: { phase: "Running" },
      });
      objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `c-${i}`, namespace: `ns-${i % 40}` } });
    }
    const sandbox = await startSandbox({ objects });
    try {
      const keys: string[] = [];
      let token = "";
      let pages = 0;
      do {
        const res = await fetch(
          `${sandbox.url}/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ""}`,
        );
        const body = await res.json();
        expect(body.kind).toBe("PodList");
        for (const p of body.items) keys.push(`${p.metadata.namespace}/${p.metadata.name}`);
        token = body.metadata.continue ?? "";
        pages++;
      } while (token);
      expect(pages).toBe(20);
      expect(keys).toHaveLength(10_000);
      expect(new Set(keys).size).toBe(10_000);
      expect([...keys].sort()).toEqual(keys);
    } finally {
      await sandbox.close();
    }
  });
});

describe("upshift sandbox CLI", () => {
  function run(args: string[]) {
    const child = spawn(process.execPath, [UPSHIFT, "sandbox", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    exited.finally(() => clearTimeout(killer));
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  it("serves a fixture over plain HTTP with --plain-http, writes the kubeconfig, and exits 0 on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-cli-"));
    try {
      const kubeconfig = join(dir, "kc.yaml");
      const p = run([
        "--fixture",
        FIXTURES,
        "--kube-version",
        "v1.30.9",
        "--kubeconfig-out",
        kubeconfig,
        "--context",
        "lab",
        "--plain-http",
      ]);
      while (!p.out().includes("\n")) await new Promise((r) => setTimeout(r, 20));
      const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(p.out());
      expect(m).not.toBeNull();
      const kc = parse(readFileSync(kubeconfig, "utf8"));
      expect(kc["current-context"]).toBe("lab");
      expect(kc.clusters[0].cluster.server).toBe(m![1]);
      const version = await (await fetch(`${m![1]}/version`)).json();
      expect(version.gitVersion).toBe("v1.30.9");
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves HTTPS by default with its own CA, and writes a kubeconfig for the chosen authentication", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-tls-"));
    try {
      const kubeconfig = join(dir, "kc.yaml");
      const p = run(["--fixture", FIXTURES, "--kubeconfig-out", kubeconfig, "--auth", "exec"]);
      while (!p.out().includes("\n")) await new Promise((r) => setTimeout(r, 20));
      const m = /^listening on (https:\/\/127\.0\.0\.1:(\d+))\n$/.exec(p.out());
      expect(m).not.toBeNull();
      const kc = parse(readFileSync(kubeconfig, "utf8"));
      const ca = Buffer.from(kc.clusters[0].cluster["certificate-authority-data"], "base64").toString();
      expect(new X509Certificate(ca).ca).toBe(true);
      expect(kc.clusters[0].cluster["insecure-skip-tls-verify"]).toBeUndefined();
      expect(kc.users[0].user.exec).toMatchObject({
        apiVersion: "client.authentication.k8s.io/v1",
        command: `${kubeconfig}.exec-credential.sh`,
        interactiveMode: "Never",
      });
      // The plugin is what kubectl or client-node runs: it prints an ExecCredential with the token.
      const credential = JSON.parse(execFileSync(kc.users[0].user.exec.command, { encoding: "utf8" }));
      expect(credential).toMatchObject({ kind: "ExecCredential", status: { token: expect.any(String) } });
      const get = (path: string, token?: string) =>
        new Promise<number>((resolve, reject) => {
          const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
          httpsGet(`${m![1]}${path}`, { ca, headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on("error", reject);
        });
      expect(await get("/version")).toBe(200);
      expect(await get("/api/v1/pods")).toBe(403);
      expect(await get("/api/v1/pods", credential.status.token)).toBe(200);
      p.child.kill("SIGTERM");
      expect(await p.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 with a specific message on bad flags", async () => {
    const dir = mkdtempSync(join(tmpdir(), "upshift-sandbox-bad-"));
    writeFileSync(join(dir, "bad.yaml"), "apiVersion: v1\nkind: Pod\n");
    try {
      const cases: Array<[string[], string]> = [
        [["--fixture", FIXTURES, "--bogus"], 'unknown flag "--bogus"'],
        [["--fixture", FIXTURES, "--port", "http"], '--port: expected a port number 0-65535, got "http"'],
        [[], "--fixture: required"],
        [["--fixture", dir], "bad.yaml document 1: Pod needs metadata.name"],
        [["--fixture", FIXTURES, "--auth", "basic"], '--auth: expected one of token, client-cert, exec, got "basic"'],
        [["--fixture", FIXTURES, "--auth", "exec", "--plain-http"], "--auth exec: needs HTTPS (drop --plain-http)"],
        [["--fixture", FIXTURES, "--anonymous-auth", "no"], '--anonymous-auth: expected true or false, got "no"'],
        [
          ["--fixture", FIXTURES, "--rollout-delay-ms", "1s"],
          '--rollout-delay-ms: expected a whole number of milliseconds, got "1s"',
        ],
      ];
      const runs = cases.map(([args]) => run(args));
      const codes = await Promise.all(runs.map((r) => r.exited));
      expect(codes).toEqual(cases.map(() => 2));
      for (const [i, [, message]] of cases.entries()) expect(runs[i].err()).toContain(message);
      expect(runs.map((r) => r.out())).toEqual(cases.map(() => ""));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("PKI", () => {
  it("makes a CA, a server certificate for the loopback names, and client certificates naming user and groups", () => {
    const pki = createSandboxPki();
    const ca = new X509Certificate(pki.ca.certPem);
    const server = new X509Certificate(pki.server.certPem);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkIP("::1")).toBe("::1");
    expect(server.checkHost("example.com")).toBeUndefined();
    const client = new X509Certificate(pki.issueClient("jane", ["dev", "ops"]).certPem);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(identityFromCertificate(client.raw)).toEqual({ user: "jane", groups: ["dev", "ops"] });
  });
});

describe("pod-template-hash", () => {
  it("depends on the template's content, not its key order", () => {
    const a = { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "x:1" }] } };
    const b = { spec: { containers: [{ image: "x:1", name: "c" }] }, metadata: { labels: { app: "x" } } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(templateHash(a)).toBe(templateHash(b));
    expect(templateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(templateHash({ ...a, spec: { containers: [{ name: "c", image: "x:2" }] } })).not.toBe(templateHash(a));
    expect(templateHash(a, 1)).not.toBe(templateHash(a));
  });
});
