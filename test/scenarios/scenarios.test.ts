// Each incident scenario must be caught by the checks written for it, and stay quiet elsewhere;
// the healthy cluster must produce nothing above low. Scenarios are loaded the way the sandbox
// serves them: plain multi-document YAML, settings document included.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { type Finding, SEVERITY_RANK } from "../../src/checks/types.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { formatMinor, nextMinor, parseKubeVersion } from "../../src/versions/kube.ts";

const SCENARIOS = new URL("../../src/sandbox/scenarios/", import.meta.url);
/** The scenario snapshots were taken at this moment (T0 in src/sandbox/scenarios/builders/snapshot.ts). */
const NOW = new Date("2026-03-01T11:00:00Z");
/** Workload checks are summarised with severity and namespace; the rest by id and object. */
const MINE = new Set([
  "ADD-01",
  "ADD-02",
  "CFG-01",
  "NODE-01",
  "PDB-01",
  "PDB-02",
  "POD-01",
  "PRB-01",
  "REF-01",
  "WL-01",
]);

function load(file: string): { objects: KubeObject[]; serverVersion: string } {
  const text = readFileSync(new URL(file, SCENARIOS), "utf8");
  const objects: KubeObject[] = [];
  let serverVersion = "v1.31.4";
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const o = doc.toJS() as KubeObject | null;
    if (!o) continue;
    if (o.kind === "SandboxSettings") serverVersion = o.spec?.serverVersion ?? serverVersion;
    else objects.push(o);
  }
  return { objects, serverVersion };
}

async function run(file: string): Promise<Finding[]> {
  const { objects, serverVersion } = load(file);
  const v = parseKubeVersion(serverVersion);
  if (!v) throw new Error(`${file}: bad serverVersion ${serverVersion}`);
  const ctx = contextFromObjects(objects, { serverVersion, target: formatMinor(nextMinor(v)), now: NOW });
  const out: Finding[] = [];
  for (const check of allChecks) {
    for (const f of await check.evaluate(ctx)) {
      out.push({
        check: check.id,
        severity: f.severity ?? check.severity,
        remediation: f.remediation ?? check.remediation,
        ...f,
      } as Finding);
    }
  }
  return out;
}

const mine = (findings: Finding[]) => findings.filter((f) => MINE.has(f.check));
/** Ids of the release/version half that fired, with the objects they named. */
const theirs = (findings: Finding[]) =>
  [
    ...new Set(findings.filter((f) => !MINE.has(f.check)).map((f) => `${f.check} ${f.object.kind} ${f.object.name}`)),
  ].sort();
const summary = (findings: Finding[]) =>
  mine(findings)
    .map((f) => `${f.check} ${f.severity} ${f.object.kind} ${f.object.namespace ?? ""}/${f.object.name}`)
    .sort();

describe("sandbox scenarios", () => {
  it("healthy.yaml: no finding above low", async () => {
    const findings = await run("healthy.yaml");
    expect(findings.filter((f) => SEVERITY_RANK[f.severity] > SEVERITY_RANK.low)).toEqual([]);
  });

  it("incident 1: PRB-01 (high, with the numbers) on Botkube; POD-01 for the restarts; WL-01 because Botkube runs one replica", async () => {
    const findings = await run("incident-1-slow-start-liveness.yaml");
    expect(summary(findings)).toEqual([
      "POD-01 high Deployment botkube/botkube",
      "PRB-01 high Deployment botkube/botkube",
      "WL-01 medium Deployment botkube/botkube",
    ]);
    expect(theirs(findings)).toEqual([]);
    const prb = findings.find((f) => f.check === "PRB-01")!;
    expect(prb.evidence).toContain("initialDelaySeconds=10 periodSeconds=5 failureThreshold=3 → window 25s");
    expect(prb.evidence).toContain("observed start 45s");
    expect(prb.evidence).toContain("restartCount=4");
  });

  it("incident 2: CFG-01 names config.event; POD-01 for the CrashLoopBackOff; no PRB-01 (startupProbe present)", async () => {
    const findings = await run("incident-2-plugin-crashloop.yaml");
    expect(summary(findings)).toEqual([
      "CFG-01 high ConfigMap chatops/botkube-kubernetes-plugin",
      "POD-01 high Deployment chatops/botkube",
      "WL-01 medium Deployment chatops/botkube",
    ]);
    expect(theirs(findings)).toEqual([]);
    const cfg = findings.find((f) => f.check === "CFG-01")!;
    expect(cfg.evidence).toContain("config.event is missing");
    expect(cfg.message).toContain("config.event is missing;");
    expect(cfg.remediation).toContain(
      "then restart the workload that reads it: `kubectl rollout restart -n chatops deployment/botkube`",
    );
    expect(findings.find((f) => f.check === "POD-01")!.evidence).toContain("state.waiting.reason=CrashLoopBackOff");
  });

  it("incident 3: HELM-01 and VER-01 on the pending RC fleet release; REF-01 on Rancher for the missing ConfigMap", async () => {
    const findings = await run("incident-3-helm-pending-prerelease.yaml");
    expect(theirs(findings)).toEqual([
      "HELM-01 Secret sh.helm.release.v1.fleet.v2",
      "VER-01 Deployment fleet-controller",
      "VER-01 Secret sh.helm.release.v1.fleet.v2",
    ]);
    expect(findings.find((f) => f.check === "HELM-01")!.severity).toBe("blocker");
    expect(summary(findings)).toEqual(["REF-01 high Deployment cattle-system/rancher"]);
    expect(findings.find((f) => f.check === "REF-01")!.evidence).toBe(
      "containers[rancher].envFrom[0].configMapRef name=rancher-config; ConfigMap not found in namespace cattle-system",
    );
  });

  // One problem, one finding: the five Kargo CRDs left at 1.5.1 share one controller and one
  // fix, so CRD-01 reports them once, at the controller, listing every CRD (was five findings).
  it("incident 4: one CRD-01 at the Kargo controller listing every CRD left at 1.5.1; no workload check fires", async () => {
    const findings = await run("incident-4-crd-controller-skew.yaml");
    expect(summary(findings)).toEqual([]);
    expect(theirs(findings)).toEqual(["CRD-01 Deployment kargo-controller"]);
    const crd = findings.find((f) => f.check === "CRD-01")!;
    expect(crd.message).toMatch(/^5 CRDs \(/);
    for (const p of ["freights", "projects", "promotions", "stages", "warehouses"])
      expect(crd.message).toContain(`${p}.kargo.akuity.io`);
  });

  it("incident 5: ADD-01 on the MicroK8s ingress controller v1.8.0 and CoreDNS 1.10.1 at 1.30", async () => {
    const findings = await run("incident-5-microk8s-addons.yaml");
    expect(summary(findings)).toEqual([
      "ADD-01 medium DaemonSet ingress/nginx-ingress-microk8s-controller",
      "ADD-01 medium Deployment kube-system/coredns",
      "ADD-02 medium DaemonSet ingress/nginx-ingress-microk8s-controller",
    ]);
    expect(theirs(findings)).toEqual([]);
    expect(findings.find((f) => f.object.name === "nginx-ingress-microk8s-controller")!.message).toContain(
      "ingress-nginx controller v1.8.0",
    );
  });

  it("current-upgrade.yaml (1.34 → 1.35): blocked by cgroup v1 nodes, a removed gate and a VAP v1beta1 release; old add-ons and IPVS reported", async () => {
    const findings = await run("current-upgrade.yaml");
    const blockers = [...new Set(findings.filter((f) => f.severity === "blocker").map((f) => f.check))].sort();
    expect(blockers).toEqual(["API-01", "CP-01", "NODE-02"]);
    expect(summary(findings)).toEqual([
      "ADD-01 medium Deployment ingress-nginx/ingress-nginx-controller",
      "ADD-01 medium Deployment kube-system/coredns",
      "ADD-02 medium Deployment ingress-nginx/ingress-nginx-controller",
    ]);
    // One finding per problem: six CentOS 7 nodes are one NODE-02 finding, three apiservers one CP-01.
    expect(findings.filter((f) => f.check === "NODE-02")).toHaveLength(1);
    expect(findings.filter((f) => f.check === "CP-01")).toHaveLength(1);
    expect(findings.find((f) => f.check === "NODE-02")!.evidence).toContain("3.10.0");
    expect(findings.find((f) => f.check === "API-01")!.message).toContain("ValidatingAdmissionPolicy");
    expect(findings.find((f) => f.check === "PROXY-01")!.severity).toBe("medium");
    // containerd 1.7 matters from 1.36 on: this upgrade does not cross it.
    expect(findings.filter((f) => f.check === "NODE-03")).toEqual([]);
  });

  it("demo.yaml: every incident's findings at once, nothing from the healthy filler", async () => {
    const findings = await run("demo.yaml");
    expect(new Set(theirs(findings).map((t) => t.split(" ")[0]))).toEqual(new Set(["CRD-01", "HELM-01", "VER-01"]));
    expect(summary(findings)).toEqual([
      "ADD-01 medium DaemonSet ingress/nginx-ingress-microk8s-controller",
      "ADD-01 medium Deployment kube-system/coredns",
      "ADD-02 medium DaemonSet ingress/nginx-ingress-microk8s-controller",
      "CFG-01 high ConfigMap chatops/botkube-kubernetes-plugin",
      "POD-01 high Deployment botkube/botkube",
      "POD-01 high Deployment chatops/botkube",
      "PRB-01 high Deployment botkube/botkube",
      "REF-01 high Deployment cattle-system/rancher",
      "WL-01 medium Deployment botkube/botkube",
      "WL-01 medium Deployment chatops/botkube",
    ]);
  });
});
