import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  decodeReleaseSecret,
  groupReleases,
  helmReleaseSecret,
  MAX_RELEASE_BYTES,
  manifestObjects,
  releaseFromSecret,
  releaseLabels,
  splitChartString,
} from "../../src/helm/release.ts";
import type { KubeObject } from "../../src/kube/resources.ts";

const manifest = `---
# Source: fleet/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fleet-controller
---
# Source: fleet/templates/empty.yaml
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: old
  namespace: other
---
this: is: not: yaml: {{ .Values.broken }
---
- a list
`;

function secretWith(release: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "sh.helm.release.v1.x.v1",
      namespace: "ns",
      labels: { owner: "helm", name: "x", status: "deployed", version: "1" },
    },
    type: "helm.sh/release.v1",
    data: { release },
  };
}

const helmJson = JSON.stringify({
  name: "x",
  namespace: "ns",
  version: 1,
  info: { status: "deployed" },
  chart: { metadata: { name: "c", version: "1.0.0" } },
  manifest: "",
});

describe("helmReleaseSecret / releaseFromSecret", () => {
  it("round-trips a release through the Secret encoding", () => {
    const secret = helmReleaseSecret({
      name: "fleet",
      namespace: "cattle-fleet-system",
      revision: 3,
      status: "deployed",
      chart: "fleet-106.0.0+up0.12.0-rc.3",
      appVersion: "0.12.0-rc.3",
      kubeVersion: ">= 1.23.0-0 < 1.32.0-0",
      manifest,
    });
    expect(secret.metadata?.name).toBe("sh.helm.release.v1.fleet.v3");
    expect(secret.metadata?.labels).toEqual({ name: "fleet", owner: "helm", status: "deployed", version: "3" });
    expect(secret.type).toBe("helm.sh/release.v1");
    const release = releaseFromSecret(secret);
    expect(release).toEqual({
      name: "fleet",
      namespace: "cattle-fleet-system",
      revision: 3,
      status: "deployed",
      chart: {
        name: "fleet",
        version: "106.0.0+up0.12.0-rc.3",
        appVersion: "0.12.0-rc.3",
        kubeVersion: ">= 1.23.0-0 < 1.32.0-0",
      },
      manifest,
    });
    // cached per object
    expect(releaseFromSecret(secret)).toBe(release);
  });

  it("accepts single base64, double base64 and plain JSON", () => {
    const gz = gzipSync(helmJson);
    expect(releaseFromSecret(secretWith(gz.toString("base64")))?.chart.name).toBe("c");
    expect(releaseFromSecret(secretWith(Buffer.from(gz.toString("base64")).toString("base64")))?.chart.version).toBe(
      "1.0.0",
    );
    expect(releaseFromSecret(secretWith(Buffer.from(helmJson).toString("base64")))?.name).toBe("x");
  });

  it("explains why odd Secrets do not decode, without throwing", () => {
    expect(decodeReleaseSecret(secretWith(""))).toEqual({ ok: false, error: "data.release is missing" });
    expect(decodeReleaseSecret({})).toEqual({ ok: false, error: "data.release is missing" });
    expect(decodeReleaseSecret(secretWith("%%%"))).toEqual({
      ok: false,
      error: "data.release is neither base64, gzip nor JSON",
    });
    const notJson = decodeReleaseSecret(secretWith(gzipSync("nope").toString("base64")));
    expect(notJson.ok).toBe(false);
    const corrupt = Buffer.from([0x1f, 0x8b, 1, 2, 3]).toString("base64");
    expect(decodeReleaseSecret(secretWith(corrupt))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^gzip data is corrupt/),
    });
  });

  it("refuses a gzip bomb beyond the size limit", () => {
    const bomb = gzipSync(Buffer.alloc(MAX_RELEASE_BYTES + 1024, 0x20));
    expect(decodeReleaseSecret(secretWith(bomb.toString("base64")))).toEqual({
      ok: false,
      error: `release is larger than ${MAX_RELEASE_BYTES} bytes once decompressed`,
    });
  });

  it("splits chart strings at the version", () => {
    expect(splitChartString("fleet-106.0.0+up0.12.0-rc.3")).toEqual({
      name: "fleet",
      version: "106.0.0+up0.12.0-rc.3",
    });
    expect(splitChartString("kube-prometheus-stack-58.1.0")).toEqual({
      name: "kube-prometheus-stack",
      version: "58.1.0",
    });
  });
});

describe("releaseLabels / groupReleases", () => {
  const rev = (n: number, status: string, name = "app") =>
    helmReleaseSecret({ name, namespace: "ns", revision: n, status, chart: { name, version: "1.0.0" } });

  it("reads labels without decoding", () => {
    expect(releaseLabels(rev(7, "superseded"))).toEqual({
      name: "app",
      namespace: "ns",
      status: "superseded",
      revision: 7,
    });
    expect(
      releaseLabels({ metadata: { labels: { owner: "helm", name: "a", status: "deployed", version: "x" } } }),
    ).toBeUndefined();
    expect(releaseLabels({})).toBeUndefined();
  });

  it("groups by release, orders revisions numerically and finds the newest deployed", () => {
    const broken: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { labels: { owner: "helm" } } };
    const { groups, skipped } = groupReleases([
      rev(10, "pending-upgrade"),
      rev(9, "deployed"),
      rev(2, "superseded"),
      rev(1, "deployed", "other"),
      broken,
    ]);
    expect(skipped).toEqual([broken]);
    expect(groups.map((g) => g.name)).toEqual(["app", "other"]);
    expect(groups[0].revisions.map((r) => r.labels.revision)).toEqual([2, 9, 10]);
    expect(groups[0].newest.labels.status).toBe("pending-upgrade");
    expect(groups[0].newestDeployed?.labels.revision).toBe(9);
  });
});

describe("manifestObjects", () => {
  it("keeps objects with apiVersion and kind and skips template junk", () => {
    expect(manifestObjects(manifest)).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "fleet-controller", namespace: undefined },
      { apiVersion: "extensions/v1beta1", kind: "Ingress", name: "old", namespace: "other" },
    ]);
    expect(manifestObjects("")).toEqual([]);
  });

  it("reads quoted values, comments, nested names and flow style like a YAML parser", () => {
    const tricky = [
      'apiVersion: "policy/v1beta1" # old\nkind: \'PodDisruptionBudget\'\nmetadata:\n  labels:\n    name: not-this\n    app.kubernetes.io/name: nor-this\n  name: "pdb"\n  namespace: team-a\nspec:\n  template:\n    metadata:\n      name: inner\n',
      '{"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "flow"}}',
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inline}\n",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &anchor anchored\n",
      "kind: ConfigMap\nmetadata:\n  name: no-api-version\n",
    ].join("\n---\n");
    expect(manifestObjects(tricky)).toEqual([
      { apiVersion: "policy/v1beta1", kind: "PodDisruptionBudget", name: "pdb", namespace: "team-a" },
      { apiVersion: "batch/v1beta1", kind: "CronJob", name: "flow", namespace: undefined },
      { apiVersion: "v1", kind: "ConfigMap", name: "inline", namespace: undefined },
      { apiVersion: "v1", kind: "ConfigMap", name: "anchored", namespace: undefined },
    ]);
  });
});

describe("decoding cost", () => {
  // Measures, does not assert time: the report quotes it (about 0.8 s on 2 shared cores).
  it("decodes 500 releases with 200-object manifests", () => {
    const big = Array.from(
      { length: 200 },
      (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  k: "${"x".repeat(200)}"\n`,
    ).join("");
    const secrets = Array.from({ length: 500 }, (_, i) =>
      helmReleaseSecret({
        name: `r${i}`,
        namespace: "ns",
        revision: 1,
        status: "deployed",
        chart: { name: "c", version: "1.0.0" },
        manifest: big,
      }),
    );
    const t0 = performance.now();
    let objects = 0;
    for (const s of secrets) objects += manifestObjects(releaseFromSecret(s)?.manifest ?? "").length;
    const ms = performance.now() - t0;
    expect(objects).toBe(500 * 200);
    console.log(`decoded and parsed 500 releases (100k objects) in ${ms.toFixed(0)} ms`);
  });
});
