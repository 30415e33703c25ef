// The verify diff as a pure function: two baselines in, the four sections and a verdict out.
import { describe, expect, it } from "vitest";
import { renderVerify, verifyMessages, verifySummary } from "../../src/render/verify.ts";
import { BASELINE_VERSION, boundBaseline, type ClusterBaseline, parseBaseline } from "../../src/verify/baseline.ts";
import { diffBaselines, worstSeverity } from "../../src/verify/diff.ts";
import { verifyTarget } from "../../src/verify/verify.ts";

function baseline(over: Partial<ClusterBaseline> = {}): ClusterBaseline {
  return {
    version: BASELINE_VERSION,
    cluster: "prod",
    takenAt: "2026-11-30T10:00:00.000Z",
    serverVersion: "v1.32.4",
    target: "1.33",
    components: [{ component: "kube-apiserver", version: "v1.32.4", count: 1 }],
    nodeGroups: [
      { kubelet: "v1.32.4", kubeProxy: "v1.32.4", runtime: "containerd://2.0.5", count: 3, examples: ["a", "b", "c"] },
    ],
    nodeCount: 3,
    nodeProblems: [],
    addons: [{ addon: "dns", name: "CoreDNS", version: "1.11.3", workloads: ["Deployment kube-system/coredns"] }],
    workloads: [{ key: "Deployment web/web", desired: 3, ready: 3, restarts: 0, crashLooping: 0 }],
    releases: [{ namespace: "web", name: "web", revision: 2, status: "deployed", chart: "web-1.4.0" }],
    crds: [{ name: "widgets.example.com", versions: ["v1"], storedVersions: ["v1"] }],
    pdbs: [{ key: "PodDisruptionBudget web/web", disruptionsAllowed: 1 }],
    findings: [{ check: "WL-01", object: "Deployment web/web", severity: "low", message: "no spread" }],
    ...over,
  };
}

const upgraded = (over: Partial<ClusterBaseline> = {}) =>
  baseline({
    takenAt: "2026-12-01T10:00:00.000Z",
    serverVersion: "v1.33.1",
    components: [{ component: "kube-apiserver", version: "v1.33.1", count: 1 }],
    nodeGroups: [
      { kubelet: "v1.33.1", kubeProxy: "v1.33.1", runtime: "containerd://2.0.5", count: 3, examples: ["a", "b", "c"] },
    ],
    addons: [{ addon: "dns", name: "CoreDNS", version: "1.12.0", workloads: ["Deployment kube-system/coredns"] }],
    ...over,
  });

describe("diffBaselines", () => {
  it("a clean upgrade: what changed, nothing worse, nothing left, healthy", () => {
    const r = diffBaselines(baseline(), upgraded());
    expect(r.verdict).toBe("healthy");
    expect(r.changed).toEqual([
      "Kubernetes server: v1.32.4 → v1.33.1",
      "kube-apiserver: v1.32.4 (1 pod) → v1.33.1 (1 pod)",
      "kubelet: v1.32.4 (3 nodes) → v1.33.1 (3 nodes)",
      "kube-proxy: v1.32.4 (3 nodes) → v1.33.1 (3 nodes)",
      "CoreDNS: 1.11.3 → 1.12.0",
    ]);
    expect(r.worse).toEqual([]);
    expect(r.left).toEqual([]);
    expect(r.notes).toEqual([]);
  });

  it("a crash loop, fewer ready replicas, an old add-on and a node left behind: degraded, with the cycle to run", () => {
    const r = diffBaselines(
      baseline(),
      upgraded({
        nodeGroups: [
          { kubelet: "v1.33.1", kubeProxy: "v1.33.1", count: 2, examples: ["a", "b"] },
          { kubelet: "v1.32.4", kubeProxy: "v1.33.1", count: 1, examples: ["c"] },
        ],
        addons: [{ addon: "dns", name: "CoreDNS", version: "1.11.3", workloads: [] }],
        workloads: [{ key: "Deployment web/web", desired: 3, ready: 1, restarts: 14, crashLooping: 2 }],
        pdbs: [{ key: "PodDisruptionBudget web/web", disruptionsAllowed: 0 }],
      }),
    );
    expect(r.verdict).toBe("degraded");
    expect(r.worse).toEqual([
      { severity: "high", text: "Deployment web/web: 2 containers in CrashLoopBackOff (none at the baseline)" },
      { severity: "high", text: "Deployment web/web: 1/3 ready (was 3/3)" },
      { severity: "medium", text: "PodDisruptionBudget web/web now blocks drains: 0 disruptions allowed (was 1)" },
    ]);
    expect(r.left).toEqual([
      { text: "1 node still on kubelet v1.32.4 (server v1.33.1): c" },
      {
        text: "CoreDNS still at 1.11.3 (below 1.12.0, the oldest release supported on 1.33, unchanged since v1.32.4)",
        command: "/upgrade-cycle prod dns",
      },
    ]);
    expect(worstSeverity(r)).toBe("high");
  });

  it("a release stuck pending and a new finding are worse; a resolved finding is better", () => {
    const r = diffBaselines(
      baseline(),
      upgraded({
        releases: [{ namespace: "web", name: "web", revision: 3, status: "pending-upgrade", chart: "web-1.5.0" }],
        findings: [
          { check: "HELM-01", object: "Secret web/sh.helm.release.v1.web.v3", severity: "blocker", message: "stuck" },
        ],
      }),
    );
    expect(r.verdict).toBe("degraded");
    expect(r.changed).toContain("Helm release web/web: revision 2 → 3 (web-1.4.0 → web-1.5.0)");
    expect(r.worse.map((w) => [w.severity, w.text])).toEqual([
      ["blocker", "New finding HELM-01 Secret web/sh.helm.release.v1.web.v3: stuck"],
      ["high", "Helm release web/web is pending-upgrade at revision 3 (was deployed at 2)"],
    ]);
    expect(r.better).toEqual(["Resolved: WL-01 Deployment web/web"]);
  });

  it("nodes NotReady or cordoned are worse; recovered ones better", () => {
    const r = diffBaselines(
      baseline({ nodeProblems: [{ name: "b", ready: false, cordoned: false }] }),
      upgraded({ nodeProblems: [{ name: "a", ready: false, cordoned: true }] }),
    );
    expect(r.worse.map((w) => w.text)).toEqual([
      "Node a is NotReady (Ready at the baseline)",
      "Node a is cordoned (schedulable at the baseline)",
    ]);
    expect(r.better).toEqual(["Node b is Ready again"]);
  });

  it("the same server and nothing moved: says there was no upgrade since the baseline", () => {
    const r = diffBaselines(baseline(), baseline({ takenAt: "2026-12-01T10:00:00.000Z" }));
    expect(r.verdict).toBe("healthy");
    expect(r.notes).toEqual([
      "No upgrade since the baseline: the server is still v1.32.4 and no node or add-on version moved.",
    ]);
  });

  it("nodes moved under the same server: the baseline predates the node upgrade only", () => {
    const r = diffBaselines(
      baseline({ nodeGroups: [{ kubelet: "v1.31.9", count: 3, examples: ["a", "b", "c"] }] }),
      baseline({ takenAt: "2026-12-01T10:00:00.000Z" }),
    );
    expect(r.notes).toEqual([
      "The server was already v1.32.4 at the baseline: it predates the node upgrade, not the control-plane upgrade.",
    ]);
    expect(r.changed).toContain("kubelet: v1.31.9 (3 nodes) → v1.32.4 (3 nodes)");
  });

  it("a baseline from a newer server is named as a downgrade or another cluster", () => {
    const r = diffBaselines(upgraded(), baseline({ takenAt: "2026-12-02T10:00:00.000Z" }));
    expect(r.notes[0]).toMatch(/^The baseline's server version v1\.33\.1 is newer than now's v1\.32\.4/);
  });

  it("CRD-01 now means a CRD left behind its controller: left to do, and incomplete without anything worse", () => {
    const crd = { check: "CRD-01", object: "CustomResourceDefinition widgets.example.com", severity: "high" as const };
    const r = diffBaselines(baseline({ findings: [crd] }), upgraded({ findings: [crd] }));
    expect(r.verdict).toBe("incomplete");
    expect(r.left).toEqual([
      { text: "CRD not upgraded with its controller: CRD-01 CustomResourceDefinition widgets.example.com" },
    ]);
  });
});

describe("baseline schema and bounds", () => {
  it("parses its own output and names the bad field or the other format version", () => {
    expect(parseBaseline(JSON.parse(JSON.stringify(baseline())))).toMatchObject({ ok: true });
    expect(parseBaseline({ ...baseline(), version: 7 })).toEqual({
      ok: false,
      error: "baseline format version 7 is not 1; take a new baseline",
    });
    expect(parseBaseline({ ...baseline(), nodeCount: -1 })).toMatchObject({
      ok: false,
      error: /^baseline nodeCount: /,
    });
  });

  it("cuts the longest lists to the size limit and counts what it left out; cut lists are not compared", () => {
    const workloads = Array.from({ length: 5000 }, (_, i) => ({
      key: `Deployment ns/w-${String(i).padStart(5, "0")}`,
      desired: 1,
      ready: 1,
      restarts: 0,
      crashLooping: 0,
    }));
    const big = boundBaseline(baseline({ workloads }), 64 * 1024);
    expect(Buffer.byteLength(JSON.stringify(big))).toBeLessThanOrEqual(64 * 1024);
    expect(big.workloads.length + (big.truncated?.workloads ?? 0)).toBe(5000);
    expect(big.truncated?.workloads).toBeGreaterThan(0);
    const r = diffBaselines(big, upgraded({ workloads }));
    expect(r.worse).toEqual([]);
    expect(r.notes).toContain("The workloads list was cut to stay small; entries beyond it were not compared.");
  });
});

describe("rendering", () => {
  const r = diffBaselines(
    baseline(),
    upgraded({ workloads: [{ key: "Deployment web/web", desired: 3, ready: 0, restarts: 3, crashLooping: 3 }] }),
  );

  it("text, markdown and JSON carry the verdict and every section", () => {
    const text = renderVerify(r, "text");
    expect(text.split("\n")[0]).toBe("Upgrade verify: prod v1.32.4 → v1.33.1: degraded");
    expect(text).toContain("Compared with the baseline of 2026-11-30 10:00 UTC (24 hours earlier), taken at v1.32.4.");
    expect(text).toContain("What got worse (2):\n⛔ Deployment web/web: 0/3 ready (was 3/3)");
    expect(renderVerify(r, "markdown")).toContain(
      "## What the upgrade changed (5)\n\n- Kubernetes server: v1.32.4 → v1.33.1",
    );
    expect(JSON.parse(renderVerify(r, "json"))).toMatchObject({ cluster: "prod", verdict: "degraded" });
  });

  it("a long section folds into a file, each line shown once", () => {
    const many = diffBaselines(
      baseline(),
      upgraded({
        findings: Array.from({ length: 200 }, (_, i) => ({
          check: "POD-01",
          object: `Pod ns/p-${i}`,
          severity: "high" as const,
          message: "x".repeat(60),
        })),
      }),
    );
    const worse = verifyMessages(many, { maxChars: 2_000 }).find((m) => m.text.startsWith("*What got worse*"));
    expect(worse?.text.length).toBeLessThanOrEqual(2_000);
    expect(worse?.file?.name).toBe("worse.txt");
    const shown = worse!.text.split("\n").filter((l) => l.includes("POD-01")).length;
    expect(shown + worse!.file!.content.split("\n").length).toBe(200);
    const summary = verifySummary(many, { maxChars: 2_000 });
    expect(summary.text.length).toBeLessThanOrEqual(2_000);
    expect(summary.file?.content).toContain("Pod ns/p-199");
  });
});

describe("what counts as left behind", () => {
  it("a node on a kubelet the baseline never had is not a leftover; one still on the baseline's is", () => {
    const r = diffBaselines(
      baseline(),
      upgraded({
        nodeGroups: [
          { kubelet: "v1.33.1", count: 1, examples: ["a"] },
          { kubelet: "v1.33.0", count: 1, examples: ["b"] },
          { kubelet: "v1.32.4", count: 1, examples: ["c"] },
        ],
      }),
    );
    expect(r.left.map((l) => l.text)).toEqual(["1 node still on kubelet v1.32.4 (server v1.33.1): c"]);
  });

  it("no upgrade but something got worse: both are said", () => {
    const r = diffBaselines(
      baseline(),
      baseline({
        takenAt: "2026-12-01T10:00:00.000Z",
        workloads: [{ key: "Deployment web/web", desired: 3, ready: 2, restarts: 1, crashLooping: 0 }],
      }),
    );
    expect(r.verdict).toBe("degraded");
    expect(r.notes[0]).toMatch(/^No upgrade since the baseline/);
  });
});

describe("CRD-01 without an upgrade", () => {
  it("is not left to do of an upgrade that did not happen", () => {
    const crd = { check: "CRD-01", object: "CustomResourceDefinition widgets.example.com", severity: "high" as const };
    const r = diffBaselines(
      baseline({ findings: [crd] }),
      baseline({ takenAt: "2026-12-01T10:00:00.000Z", findings: [crd] }),
    );
    expect(r.left).toEqual([]);
    expect(r.verdict).toBe("healthy");
  });
});

describe("verifyTarget", () => {
  it("judges the baseline's target until the cluster reaches it, then the server's own minor", () => {
    expect(verifyTarget(baseline({ target: "1.33" }), "v1.32.4")).toBe("1.33");
    expect(verifyTarget(baseline({ target: "1.33" }), "v1.33.1")).toBe("1.33");
    expect(verifyTarget(baseline({ target: "1.33" }), "v1.34.0")).toBe("1.34");
    // Past Upshift's knowledge there is no valid target to name: the preflight picks its default.
    expect(verifyTarget(baseline({ target: "1.33" }), "v1.45.0")).toBeUndefined();
  });
});

describe("restarts and new PDBs", () => {
  it("a few more restarts are low, five or more medium; a new PDB that blocks drains is worse", () => {
    const r = diffBaselines(
      baseline({
        workloads: [
          { key: "Deployment a/x", desired: 1, ready: 1, restarts: 0, crashLooping: 0 },
          { key: "Deployment a/y", desired: 1, ready: 1, restarts: 2, crashLooping: 0 },
        ],
      }),
      upgraded({
        workloads: [
          { key: "Deployment a/x", desired: 1, ready: 1, restarts: 1, crashLooping: 0 },
          { key: "Deployment a/y", desired: 1, ready: 1, restarts: 9, crashLooping: 0 },
        ],
        pdbs: [
          { key: "PodDisruptionBudget web/web", disruptionsAllowed: 1 },
          { key: "PodDisruptionBudget db/db", disruptionsAllowed: 0 },
        ],
      }),
    );
    expect(r.worse).toEqual([
      { severity: "medium", text: "Deployment a/y: 7 more container restarts" },
      {
        severity: "medium",
        text: "PodDisruptionBudget db/db (new since the baseline) blocks drains: 0 disruptions allowed",
      },
      { severity: "low", text: "Deployment a/x: 1 more container restart" },
    ]);
  });
});
