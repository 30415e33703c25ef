// How Upshift reads Secrets, against the sandbox as against a real API server: Helm's release
// Secrets listed by label and by type (the field selector is honoured, not ignored), and a single
// Secret asked for by name with metadata only, so its data never crosses the wire.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterDirectory } from "../../src/kube/clusterDirectory.ts";
import { type KubeObject, RESOURCES } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";

const secret = (name: string, type: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: "apps", labels },
  type,
  data: { value: Buffer.from(`the ${name} payload`).toString("base64") },
});

describe("Secrets as Upshift reads them", () => {
  let sandbox: SandboxServer;
  beforeAll(async () => {
    sandbox = await startSandbox({
      objects: [
        secret("sh.helm.release.v1.web.v1", "helm.sh/release.v1", { owner: "helm", name: "web", status: "deployed" }),
        // Labelled like a release, but not of Helm's type: the field selector must keep it out.
        secret("imposter", "Opaque", { owner: "helm" }),
        secret("db-password", "Opaque"),
      ],
    });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  const client = () => ClusterDirectory.fromString(sandbox.kubeconfig("t")).client("t");

  it("lists Helm release Secrets by owner=helm and type=helm.sh/release.v1, in all namespaces or one", async () => {
    const names = (objects: KubeObject[]) => objects.map((o) => o.metadata?.name);
    expect(names(await client().listAll(RESOURCES.helmReleases))).toEqual(["sh.helm.release.v1.web.v1"]);
    expect(names(await client().listAll(RESOURCES.helmReleases, { namespace: "apps" }))).toEqual([
      "sh.helm.release.v1.web.v1",
    ]);
    expect(await client().listAll(RESOURCES.helmReleases, { namespace: "other" })).toEqual([]);
    const list = sandbox.requests.filter((r) => r.resource === "secrets" && r.verb === "list")[0];
    expect(list.query?.get("labelSelector")).toBe("owner=helm");
    expect(list.query?.get("fieldSelector")).toBe("type=helm.sh/release.v1");
  });

  it("the field selector on type is the real one: a negation works, an unknown field is a 400", async () => {
    const opaque = await client().listAll(
      { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
      { fieldSelector: "type!=helm.sh/release.v1" },
    );
    expect(opaque.map((o) => o.metadata?.name).sort()).toEqual(["db-password", "imposter"]);
    await expect(
      client().listAll(
        { apiVersion: "v1", kind: "Secret", plural: "secrets", namespaced: true },
        { fieldSelector: "data.value=x" },
      ),
    ).rejects.toThrow(/HTTP 400/);
  });

  it("asks whether a Secret exists with metadata only: the answer holds no data", async () => {
    expect(await client().exists(RESOURCES.helmReleases, "apps", "db-password")).toBe(true);
    expect(await client().exists(RESOURCES.helmReleases, "apps", "no-such-secret")).toBe(false);
    const res = await fetch(`${sandbox.url}/api/v1/namespaces/apps/secrets/db-password`, {
      headers: { accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json" },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1" });
    expect(body).not.toHaveProperty("data");
    expect(JSON.stringify(body)).not.toContain(Buffer.from("the db-password payload").toString("base64"));
  });

  it("refuses a metadata-only read of a Secret the server does not have access to, as a 403 error", async () => {
    const fault = sandbox.faults.add({ verb: "get", resource: "secrets", namespace: "apps", status: 403 });
    try {
      await expect(client().exists(RESOURCES.helmReleases, "apps", "db-password")).rejects.toThrow(/permission denied/);
    } finally {
      fault.remove();
    }
  });
});
