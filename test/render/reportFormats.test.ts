// Machine formats that tools accept: SARIF validated against the official SARIF 2.1.0 schema
// (shipped by @microsoft/jest-sarif; it is a draft-04 schema, hence Ajv's draft-04 class, with
// ajv-formats so "format": "uri" is enforced), JUnit with one testcase per check that ran.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { CheckReport } from "../../src/checks/preflight.ts";
import { countBySeverity, runChecks, verdictOf } from "../../src/checks/runner.ts";
import type { Check } from "../../src/checks/types.ts";
import { findingFingerprint, renderReport } from "../../src/render/reportFormats.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const require = createRequire(import.meta.url);
const Ajv04 = require("ajv-draft-04") as typeof import("ajv-draft-04").default;
const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;

const SCHEMA = JSON.parse(
  readFileSync(require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"), "utf8"),
);
// unicodeRegExp: false because the schema's language pattern ("^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$")
// is valid only without the u flag, which Ajv 8 adds by default.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(SCHEMA);

async function reportOf(checks: readonly Check[] = allChecks, ignoreRules = [] as { check: string }[]) {
  const ctx = contextFromObjects(plantedProblems(), {
    cluster: "prod",
    serverVersion: "v1.31.4",
    target: "1.32",
    now: new Date("2026-11-24T09:00:00Z"),
  });
  const { findings, suppressed, runs } = await runChecks(checks, ctx, ignoreRules);
  const report: CheckReport = {
    cluster: "prod",
    serverVersion: "v1.31.4",
    target: "1.32",
    verdict: verdictOf(findings),
    findings,
    counts: countBySeverity(findings),
    suppressed,
    checks: runs,
    checkedAt: "2026-11-24T09:00:00.000Z",
    durationMs: 1234,
    readMs: 1000,
    apiRequests: 12,
    knowledgeHorizon: "1.38",
    warnings: [],
  };
  return report;
}

describe("SARIF", () => {
  it("validates against the official SARIF 2.1.0 schema, without and with a docs URL", async () => {
    const report = await reportOf();
    expect(report.findings.length).toBeGreaterThan(3);
    for (const docsUrl of [undefined, "https://github.com/acme/upshift/blob/main/docs/checks.md"]) {
      const sarif = JSON.parse(renderReport(report, "sarif", { docsUrl }));
      const ok = validateSarif(sarif);
      expect(validateSarif.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it("the schema check has teeth: a relative helpUri (the old output) is refused", () => {
    const bad = {
      version: "2.1.0",
      runs: [{ tool: { driver: { name: "upshift", rules: [{ id: "ADD-01", helpUri: "docs/checks.md#add-01" }] } } }],
    };
    expect(validateSarif(bad)).toBe(false);
    expect(JSON.stringify(validateSarif.errors)).toContain("helpUri");
  });

  it("rules carry the catalogue text; helpUri only with an absolute docs URL", async () => {
    const report = await reportOf();
    const plain = JSON.parse(renderReport(report, "sarif", { docsUrl: "docs/checks.md" }));
    const rules = plain.runs[0].tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual(allChecks.map((c) => c.id));
    for (const rule of rules) expect(rule.helpUri).toBeUndefined();
    const pdb = rules.find((r: { id: string }) => r.id === "PDB-02");
    const check = allChecks.find((c) => c.id === "PDB-02")!;
    expect(pdb).toMatchObject({
      name: "PodsSelectedByMoreThanOnePodDisruptionBudget",
      shortDescription: { text: check.title },
      help: { text: check.remediation },
      defaultConfiguration: { level: "error" },
    });
    expect(pdb.fullDescription.text).toContain(check.title);

    const linked = JSON.parse(renderReport(report, "sarif", { docsUrl: "https://docs.example/upshift/checks.md" }))
      .runs[0].tool.driver.rules;
    expect(linked.find((r: { id: string }) => r.id === "HELM-01").helpUri).toBe(
      "https://docs.example/upshift/checks.md#helm-01",
    );
  });

  it("results name the object as a logical location and carry a fingerprint that survives message changes", async () => {
    const report = await reportOf();
    const sarif = JSON.parse(renderReport(report, "sarif"));
    const results = sarif.runs[0].results;
    const helm = results.find((r: { ruleId: string }) => r.ruleId === "HELM-01");
    expect(helm.locations[0].logicalLocations[0]).toEqual({
      name: "sh.helm.release.v1.fleet.v3",
      fullyQualifiedName: "prod/cattle-fleet-system/Secret/sh.helm.release.v1.fleet.v3",
      kind: "resource",
    });
    expect(helm.ruleIndex).toBe(allChecks.findIndex((c) => c.id === "HELM-01"));
    const fingerprints = results.map(
      (r: { partialFingerprints: Record<string, string> }) => Object.values(r.partialFingerprints)[0],
    );
    expect(new Set(fingerprints).size).toBe(results.length);
    const f = report.findings[0];
    expect(findingFingerprint("prod", { ...f, message: "something else (7 pods)" })).toBe(
      findingFingerprint("prod", f),
    );
    expect(findingFingerprint("staging", f)).not.toBe(findingFingerprint("prod", f));
  });
});

/** The JUnit testcases as data (the renderer writes one per line, attributes in this order). */
function testcases(xml: string) {
  const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)" time="([^"]*)">(.*?)<\/testcase>/gs)];
  return cases.map((m) => ({
    name: m[2],
    time: Number(m[3]),
    failure: /<failure /.test(m[4]),
    error: /<error /.test(m[4]),
    out: /<system-out>/.test(m[4]),
  }));
}

describe("JUnit", () => {
  it("one testcase per check that ran, passing ones too, with times; failures per check at or above --fail-on", async () => {
    const report = await reportOf();
    const xml = renderReport(report, "junit", { failOn: "high" });
    const cases = testcases(xml);
    expect(cases).toHaveLength(allChecks.length);
    expect(cases.map((c) => c.name.split(" ")[0])).toEqual(allChecks.map((c) => c.id));
    for (const c of cases) expect(Number.isFinite(c.time)).toBe(true);
    const failingChecks = new Set(
      report.findings.filter((f) => f.severity === "blocker" || f.severity === "high").map((f) => f.check),
    );
    expect(cases.filter((c) => c.failure).map((c) => c.name.split(" ")[0])).toEqual(
      allChecks.map((c) => c.id).filter((id) => failingChecks.has(id)),
    );
    expect(xml).toMatch(
      new RegExp(
        `<testsuites name="upshift" tests="${allChecks.length}" failures="${failingChecks.size}" errors="0" time="1.234">`,
      ),
    );
    // Stricter threshold, fewer failures; "none" fails nothing but still lists the findings.
    const blockerOnly = testcases(renderReport(report, "junit", { failOn: "blocker" })).filter((c) => c.failure);
    expect(blockerOnly.length).toBeLessThan(failingChecks.size);
    expect(blockerOnly.length).toBeGreaterThan(0);
    const none = testcases(renderReport(report, "junit", { failOn: "none" }));
    expect(none.filter((c) => c.failure)).toEqual([]);
    expect(none.filter((c) => c.out).length).toBe(new Set(report.findings.map((f) => f.check)).size);
  });

  it("a check that threw is an error, not a pass", async () => {
    const broken: Check = {
      id: "TEST-99",
      severity: "high",
      title: "Always throws",
      remediation: "n/a",
      reads: [],
      evaluate() {
        throw new Error("boom <here>");
      },
    };
    const xml = renderReport(await reportOf([broken]), "junit");
    expect(testcases(xml)).toEqual([
      { name: "TEST-99 Always throws", time: expect.any(Number), failure: false, error: true, out: true },
    ]);
    expect(xml).toContain('message="boom &lt;here&gt;"');
  });
});

describe("ignored findings are counted", () => {
  it("text, markdown and JSON say how many findings rules and annotations ignored", async () => {
    const report = await reportOf(allChecks, [{ check: "HELM-01" }]);
    expect(report.suppressed).toBeGreaterThan(0);
    const n = report.suppressed;
    const note = `${n} ${n === 1 ? "finding" : "findings"} ignored by rules and annotations`;
    expect(renderReport(report, "text")).toContain(`(${note})`);
    expect(renderReport(report, "markdown")).toContain(note);
    expect(JSON.parse(renderReport(report, "json")).ignored).toBe(n);
  });
});
