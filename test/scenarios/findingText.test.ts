// Findings are read by people: no "undefined", "null", "NaN" or "[object Object]" leaks into a
// message, evidence or fix, whatever field the cluster leaves out. Every check runs over every
// scenario, the planted-problems fixture, and a degraded copy of both where optional fields
// (namespaces, container names, labels' values, statuses' messages) are missing.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import type { KubeObject } from "../../src/kube/resources.ts";
import { plantedProblems } from "../fixtures/plantedProblems.ts";

const SCENARIOS = new URL("../../src/sandbox/scenarios/", import.meta.url);
const NOW = new Date("2026-03-01T11:00:00Z");
const LEAK = /\bundefined\b|\bnull\b|\bNaN\b|\[object Object\]/;

function scenario(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(new URL(file, SCENARIOS), "utf8"))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o && typeof o.kind === "string" && o.kind !== "SandboxSettings");
}

/** Drops fields people often leave out: container names, status messages, reasons. */
function degrade(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(degrade);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (["message", "reason", "lastTransitionTime", "startedAt", "apiVersion"].includes(k)) continue;
    out[k] = degrade(v);
  }
  // A container without a name (the API server would refuse it, a snapshot may still hold it).
  if ("image" in out && "name" in out) delete out.name;
  return out;
}

/** Every object without metadata.namespace, as a hand-written snapshot may have them. */
function withoutNamespaces(objects: KubeObject[]): KubeObject[] {
  return objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: undefined } }));
}

async function texts(objects: KubeObject[], serverVersion = "v1.31.4", target = "1.32") {
  const ctx = contextFromObjects(objects, { serverVersion, target, now: NOW });
  const out: Array<{ check: string; text: string }> = [];
  for (const check of allChecks) {
    for (const f of await check.evaluate(ctx)) {
      for (const text of [f.message, f.evidence ?? "", f.remediation ?? check.remediation, f.object.name])
        out.push({ check: check.id, text });
    }
  }
  return out;
}

const files = readdirSync(SCENARIOS).filter((f) => f.endsWith(".yaml") && f !== "demo-upshift.yaml");

describe("finding text never leaks undefined", () => {
  it.each(files)("%s, as served and degraded", async (file) => {
    const objects = scenario(file);
    const all = [
      ...(await texts(objects)),
      ...(await texts(degrade(objects) as KubeObject[])),
      ...(await texts(withoutNamespaces(objects))),
    ];
    if (file !== "healthy.yaml") expect(all.length).toBeGreaterThan(0);
    expect(all.filter((t) => LEAK.test(t.text))).toEqual([]);
  });

  it("planted problems, as built and degraded", async () => {
    const objects = plantedProblems();
    const all = [
      ...(await texts(objects)),
      ...(await texts(degrade(objects) as KubeObject[])),
      ...(await texts(withoutNamespaces(objects))),
    ];
    expect(all.length).toBeGreaterThan(5);
    expect(all.filter((t) => LEAK.test(t.text))).toEqual([]);
  });
});
