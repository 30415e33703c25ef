// ClusterClient keeps connections alive (issue 14): client-node opened a new TCP connection for
// every page whenever the kubeconfig names a TLS setting, as the sandbox's kubeconfig does
// (insecure-skip-tls-verify). The sandbox counts the connections it accepts; a dropped connection
// fails only its own request, and the next one opens a fresh connection.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIST_CONCURRENCY, readSnapshot } from "../../src/checks/snapshot.ts";
import { ClusterAccessError } from "../../src/errors/clusterAccessError.ts";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeObject, RESOURCES } from "../../src/kube/resources.ts";
import { loadClusterSource } from "../../src/kube/staticKubeconfig.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const CONFIGMAPS = 2_000;
const PAGE = 100;

let sandbox: SandboxServer;
beforeAll(async () => {
  const objects: KubeObject[] = Array.from({ length: CONFIGMAPS }, (_, i) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${String(i).padStart(4, "0")}`, namespace: `ns-${i % 7}` },
    data: { i: String(i) },
  }));
  sandbox = await startSandbox({ objects });
});
afterAll(async () => {
  await sandbox.close();
});

// Both transports: client-node's (ClusterDirectory) and node:https for static kubeconfigs (`upshift check`).
const TRANSPORTS = {
  "client-node": async () => {
    // The kubeconfig skips TLS verification (plain http): the case client-node made an Agent for per request.
    expect(sandbox.kubeconfig()).toContain("insecure-skip-tls-verify: true");
    return ClusterDirectory.fromString(sandbox.kubeconfig(), { pageSize: PAGE }).client("sandbox");
  },
  "node:https (static kubeconfig)": async () => {
    const file = join(mkdtempSync(join(tmpdir(), "upshift-keepalive-")), "config");
    writeFileSync(file, sandbox.kubeconfig());
    const source = await loadClusterSource(file, { pageSize: PAGE });
    expect(source).not.toBeInstanceOf(ClusterDirectory);
    return source.client("sandbox");
  },
};

describe.each(Object.entries(TRANSPORTS))("kept-alive connections: %s", (_, freshClient) => {
  it("pages through a list over one connection", async () => {
    const client = await freshClient();
    const before = sandbox.connectionsAccepted;
    sandbox.clearRequests();
    try {
      const all = await client.listAll(RESOURCES.configmaps);
      expect(all).toHaveLength(CONFIGMAPS);
      expect(sandbox.requests).toHaveLength(CONFIGMAPS / PAGE);
      // undici may open a second connection when the next page is asked for before the previous
      // response has released its socket; never one per page (20 here, as before).
      expect(sandbox.connectionsAccepted - before).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
    }
  });

  it("a whole snapshot opens at most one connection per list in flight", async () => {
    const client = await freshClient();
    const before = sandbox.connectionsAccepted;
    sandbox.clearRequests();
    try {
      const keys = Object.keys(RESOURCES) as Array<keyof typeof RESOURCES>;
      const snapshot = await readSnapshot(client, keys, { readMetrics: true });
      expect(snapshot.lists.get("configmaps")).toHaveLength(CONFIGMAPS);
      expect(sandbox.requests.length).toBeGreaterThan(keys.length);
      // At most two for each list in flight and for the /metrics read beside them.
      expect(sandbox.connectionsAccepted - before).toBeLessThanOrEqual(2 * (DEFAULT_LIST_CONCURRENCY + 1));
    } finally {
      await client.close();
    }
  });

  it("a dropped connection fails its own request; the next request gets a new connection", async () => {
    const client = await freshClient();
    const fault = sandbox.faults.add({ verb: "list", resource: "configmaps", every: 3, times: 1, drop: true });
    try {
      const before = sandbox.connectionsAccepted;
      const failure = await client.listAll(RESOURCES.configmaps).catch((err: unknown) => err);
      expect(fault.fired).toBe(1);
      expect(failure).toBeInstanceOf(ClusterAccessError);
      expect((failure as ClusterAccessError).transient).toBe(true);
      const all = await client.listAll(RESOURCES.configmaps);
      expect(all).toHaveLength(CONFIGMAPS);
      // The dropped connection is replaced; the other 39 pages still share a few connections.
      expect(sandbox.connectionsAccepted - before).toBeLessThanOrEqual(4);
    } finally {
      fault.remove();
      await client.close();
    }
  });

  it("a connection the server closed while idle is replaced without failing a request", async () => {
    const client = await freshClient();
    try {
      await client.listAll(RESOURCES.configmaps);
      const before = sandbox.connectionsAccepted;
      // The server ends every idle keep-alive connection (as an API server restart or a load
      // balancer's idle timeout does); the client must notice and connect again.
      sandbox.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 100));
      expect(await client.listAll(RESOURCES.configmaps)).toHaveLength(CONFIGMAPS);
      expect(sandbox.connectionsAccepted - before).toBeGreaterThanOrEqual(1);
      expect(sandbox.connectionsAccepted - before).toBeLessThanOrEqual(2);
    } finally {
      await client.close();
    }
  });
});
