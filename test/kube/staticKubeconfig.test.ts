// `upshift check` reads kubeconfigs of static credentials without client-node (issue 14): only
// what it fully understands, everything else through ClusterDirectory as before, and the same
// findings either way over every scenario the sandbox serves.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { runPreflight } from "../../src/checks/preflight.ts";
import { ClusterAccessError } from "../../src/errors/clusterAccessError.ts";
import { ConfigError } from "../../src/errors/configError.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { RESOURCES } from "../../src/kube/resources.ts";
import { loadClusterSource, readStaticKubeconfig } from "../../src/kube/staticKubeconfig.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const SCENARIOS = new URL("../../src/sandbox/scenarios/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "upshift-static-kubeconfig-"));

function kubeconfigFile(name: string, cluster: object, user: object, extra: object = {}): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster }],
      users: [{ name: "u", user }],
      contexts: [{ name: "ctx", context: { cluster: "c", user: "u", namespace: "default" } }],
      "current-context": "ctx",
      ...extra,
    }),
  );
  return file;
}

describe("readStaticKubeconfig", () => {
  it("reads tokens, client certificates, CAs (files relative to the kubeconfig) and basic auth", () => {
    writeFileSync(join(dir, "ca.crt"), "CA-PEM");
    const file = kubeconfigFile(
      "certs",
      { server: "https://127.0.0.1:6443/", "certificate-authority": "ca.crt", "tls-server-name": "kubernetes" },
      { "client-certificate-data": Buffer.from("CERT").toString("base64"), "client-key-data": "S0VZ" },
    );
    const ctx = readStaticKubeconfig(file)?.contexts.get("ctx");
    expect(ctx?.server).toBe("https://127.0.0.1:6443");
    expect(ctx?.tls.ca?.toString()).toBe("CA-PEM");
    expect(ctx?.tls.cert?.toString()).toBe("CERT");
    expect(ctx?.tls.key?.toString()).toBe("KEY");
    expect(ctx?.tls.servername).toBe("kubernetes");
    expect(ctx?.tls.rejectUnauthorized).toBeUndefined();
    const basic = readStaticKubeconfig(
      kubeconfigFile("basic", { server: "https://127.0.0.1:6443" }, { username: "admin", password: "pw" }),
    );
    expect(basic?.contexts.get("ctx")?.authorization).toBe(`Basic ${Buffer.from("admin:pw").toString("base64")}`);
    // A token wins over a username, as in client-node.
    const both = readStaticKubeconfig(
      kubeconfigFile("both", { server: "https://127.0.0.1:6443" }, { username: "a", password: "b", token: "t0k" }),
    );
    expect(both?.contexts.get("ctx")?.authorization).toBe("Bearer t0k");
  });

  it("leaves to client-node whatever it does not fully understand", () => {
    const https = { server: "https://127.0.0.1:6443" };
    const exec = { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "aws", args: ["eks"] } };
    expect(readStaticKubeconfig(kubeconfigFile("exec", https, exec))).toBeUndefined();
    expect(
      readStaticKubeconfig(kubeconfigFile("provider", https, { "auth-provider": { name: "oidc" } })),
    ).toBeUndefined();
    expect(readStaticKubeconfig(kubeconfigFile("tokenfile", https, { "token-file": "/x" }))).toBeUndefined();
    expect(readStaticKubeconfig(kubeconfigFile("as", https, { token: "t", as: "someone" }))).toBeUndefined();
    expect(
      readStaticKubeconfig(kubeconfigFile("proxy", { ...https, "proxy-url": "http://127.0.0.1:3128" }, { token: "t" })),
    ).toBeUndefined();
    // Files it cannot read, plain http without skipping TLS verification, a missing cluster: client-node says why.
    expect(
      readStaticKubeconfig(
        kubeconfigFile("noca", { ...https, "certificate-authority": "missing.crt" }, { token: "t" }),
      ),
    ).toBeUndefined();
    expect(
      readStaticKubeconfig(kubeconfigFile("http", { server: "http://127.0.0.1:1" }, { token: "t" })),
    ).toBeUndefined();
    expect(
      readStaticKubeconfig(
        kubeconfigFile(
          "dangling",
          https,
          { token: "t" },
          { contexts: [{ name: "x", context: { cluster: "nope", user: "u" } }] },
        ),
      ),
    ).toBeUndefined();
  });

  it("loadClusterSource falls back to ClusterDirectory with its errors for a missing file", async () => {
    await expect(loadClusterSource(join(dir, "does-not-exist"))).rejects.toBeInstanceOf(ConfigError);
    const exec = kubeconfigFile("exec2", { server: "https://127.0.0.1:6443" }, { exec: { command: "x" } });
    expect(await loadClusterSource(exec)).toBeInstanceOf(ClusterDirectory);
  });
});

describe("the same findings through either transport", () => {
  let sandbox: SandboxServer;
  let file: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ fixture: SCENARIOS });
    file = join(dir, "sandbox");
    sandbox.writeKubeconfig(file, "scenarios");
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it("runs every check over the scenarios with node:https and with client-node", async () => {
    const source = await loadClusterSource(file);
    expect(source).not.toBeInstanceOf(ClusterDirectory);
    expect(source.names()).toEqual(["scenarios"]);
    expect(source.defaultName()).toBe("scenarios");
    const viaHttps = await runPreflight(source.client("scenarios"), { checks: allChecks, target: "1.32" });
    const viaClientNode = await runPreflight(ClusterDirectory.load(file).client("scenarios"), {
      checks: allChecks,
      target: "1.32",
    });
    expect(viaHttps.findings.length).toBeGreaterThan(10);
    expect(viaHttps.findings).toEqual(viaClientNode.findings);
    expect(viaHttps.warnings).toEqual(viaClientNode.warnings);
  });

  it("a server that is not there is a transient failure through either transport", async () => {
    const closed = await startSandbox({ objects: [] });
    const url = closed.url;
    await closed.close(); // a loopback port nothing listens on any more
    const gone = join(dir, "gone");
    writeFileSync(gone, sandbox.kubeconfig("scenarios").replace(sandbox.url, url));
    const source = await loadClusterSource(gone);
    expect(source).not.toBeInstanceOf(ClusterDirectory);
    for (const client of [source.client("scenarios"), ClusterDirectory.load(gone).client("scenarios")]) {
      const err = await client.listAll(RESOURCES.pods).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ClusterAccessError);
      expect(err).toMatchObject({ transient: true, status: undefined });
      expect((err as Error).message).toContain("ECONNREFUSED");
    }
  });
});
