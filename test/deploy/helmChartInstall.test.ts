// `helm install` of Upshift's chart into the sandbox API server with the real Helm 3.17: the
// release ends "deployed" with every rendered object stored, upgrades to a second revision, and
// `helm uninstall` removes the objects and the release records. Helm stores its release records
// as Secrets through client-go's typed clients, which send protobuf bodies; this needs the
// sandbox's protobuf decoding (issue 13, section 1).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/resources.ts";
import { type SandboxServer, startSandbox } from "../../src/sandbox/index.ts";
import { kubectlBinary } from "../tools/realBinaries.ts";
import { CHART_DIR, HelmHome, parseObjects, runProcess } from "./helmRun.ts";

const VALUES = {
  redis: { enabled: true },
  rbac: { addonCycles: true, nodeMetrics: true, helmReleaseNamespaces: ["apps"] },
  secrets: { env: { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" } },
  serviceMonitor: { enabled: false },
};

describe("helm install into the sandbox", () => {
  const helm = new HelmHome();
  let sandbox: SandboxServer;
  let kubeconfig: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }] });
    kubeconfig = join(helm.dir, "kubeconfig");
    writeFileSync(kubeconfig, sandbox.kubeconfig("sandbox"), { mode: 0o600 });
  });
  afterAll(async () => {
    await sandbox?.close();
    helm.remove();
  });

  // Async: the sandbox answers from this process, so a blocking spawn would never get a reply.
  const run = (args: string[]) => helm.runAsync([...args, "--kubeconfig", kubeconfig], 60_000);
  const kubectl = (args: string[]) =>
    runProcess(kubectlBinary(), [...args, "--kubeconfig", kubeconfig], helm.env(), 30_000);
  /** kubectl get by kind and name; the group (kind.group) keeps same-named kinds apart. */
  const exists = async (o: KubeObject) => {
    const ns = o.metadata?.namespace ? ["-n", o.metadata.namespace] : [];
    const group = o.apiVersion?.includes("/") ? `.${o.apiVersion.split("/")[0]}` : "";
    const r = await kubectl(["get", `${o.kind}${group}`, o.metadata!.name!, ...ns, "-o", "name"]);
    if (r.status !== 0 && !r.stderr.includes("NotFound")) throw new Error(`kubectl get: ${r.stderr}`);
    return r.status === 0;
  };
  const existing = async (objects: KubeObject[]) => {
    const found: string[] = [];
    for (const o of objects) if (await exists(o)) found.push(`${o.kind}/${o.metadata?.name}`);
    return found;
  };
  const releaseSecrets = async () => {
    const r = await kubectl(["get", "secrets", "-n", "upshift", "-l", "owner=helm,name=upshift", "-o", "json"]);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout).items as KubeObject[];
  };
  let manifest: KubeObject[] = [];

  it("installs the chart: the release is deployed and every rendered object is stored", async () => {
    const install = await run([
      "install",
      "upshift",
      CHART_DIR,
      "-n",
      "upshift",
      "--create-namespace",
      "-f",
      helm.valuesFile(VALUES),
    ]);
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout).toContain("STATUS: deployed");

    const status = await run(["status", "upshift", "-n", "upshift", "-o", "json"]);
    expect(status.status, status.stderr).toBe(0);
    const release = JSON.parse(status.stdout);
    expect(release.info.status).toBe("deployed");
    expect(release.version).toBe(1);
    expect(release.info.notes).toContain("rbac.addonCycles grants upshift-addon-cycles");
    const list = await run(["list", "-a", "-n", "upshift", "-o", "json"]);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { name: "upshift", revision: "1", status: "deployed", chart: "upshift-0.1.0", app_version: "0.1.0" },
    ]);

    const got = await run(["get", "manifest", "upshift", "-n", "upshift"]);
    expect(got.status, got.stderr).toBe(0);
    manifest = parseObjects(got.stdout);
    expect(manifest.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      expect.arrayContaining([
        "Deployment/upshift-bot",
        "Deployment/upshift-worker",
        "StatefulSet/upshift-redis",
        "ClusterRole/upshift-read",
        "ClusterRole/upshift-addon-cycles",
        "ClusterRole/upshift-node-metrics",
        "ClusterRole/upshift-read-secrets",
        "RoleBinding/upshift-read-secrets",
        "Secret/upshift-secrets",
        "ConfigMap/upshift-config",
      ]),
    );
    expect(await existing(manifest)).toHaveLength(manifest.length);
    expect((await releaseSecrets()).map((s) => s.metadata?.labels?.status)).toEqual(["deployed"]);
  });

  it("upgrades to a second revision with a changed upshift.yaml", async () => {
    const upgrade = await run([
      "upgrade",
      "upshift",
      CHART_DIR,
      "-n",
      "upshift",
      "-f",
      helm.valuesFile(VALUES),
      "--set",
      "config.ignore[0].check=HELM-04",
    ]);
    expect(upgrade.status, upgrade.stderr).toBe(0);
    const list = await run(["list", "-a", "-n", "upshift", "-o", "json"]);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: "upshift", revision: "2", status: "deployed" }]);
    const cm = await kubectl(["get", "configmap", "upshift-config", "-n", "upshift", "-o", "json"]);
    expect(JSON.parse(cm.stdout).data["upshift.yaml"]).toContain("HELM-04");
  });

  it("uninstalls: the objects and the release records are gone", async () => {
    expect(manifest.length).toBeGreaterThan(10);
    const uninstall = await run(["uninstall", "upshift", "-n", "upshift", "--timeout", "60s"]);
    expect(uninstall.status, uninstall.stderr).toBe(0);
    expect(uninstall.stdout).toContain('release "upshift" uninstalled');
    expect(await existing(manifest)).toEqual([]);
    expect(await releaseSecrets()).toEqual([]);
    const list = await run(["list", "-a", "-n", "upshift", "-o", "json"]);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});
