import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { allChecks } from "../../src/checks/catalog/index.ts";
import { contextFromObjects } from "../../src/checks/context.ts";
import { SEVERITIES } from "../../src/checks/types.ts";
import { RESOURCES } from "../../src/kube/resources.ts";

describe("the catalogue: one contract for every check", () => {
  it("lists every check once, in id order, each from the file named after it, with complete declarations", () => {
    const ids = allChecks.map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of allChecks) {
      expect(SEVERITIES).toContain(c.severity);
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.remediation.length).toBeGreaterThan(20);
      expect(Array.isArray(c.reads)).toBe(true);
      for (const key of c.reads) expect(Object.keys(RESOURCES)).toContain(key);
    }
  });

  it("has one file per check exporting the camel-cased file name, and one test file per check", async () => {
    const catalog = new URL("../../src/checks/catalog/", import.meta.url);
    const files = readdirSync(catalog).filter((f) => f !== "index.ts");
    expect(files.length).toBe(allChecks.length);
    for (const file of files) {
      const base = file.replace(/\.ts$/, "");
      const [prefix, number, ...words] = base.split("-");
      const exportName = prefix + number + words.map((w) => w[0].toUpperCase() + w.slice(1)).join("");
      const mod = await import(new URL(file, catalog).href);
      expect(Object.keys(mod), file).toContain(exportName);
      const check = mod[exportName];
      expect(check.id, file).toBe(`${prefix}-${number}`.toUpperCase());
      expect(allChecks, file).toContain(check);
      expect(existsSync(new URL(`../../test/checks/${prefix}-${number}.test.ts`, import.meta.url)), check.id).toBe(
        true,
      );
    }
  });

  it("never throws on odd objects of every kind they read", async () => {
    const odd = Object.values(RESOURCES).flatMap((def) => [
      { apiVersion: def.apiVersion, kind: def.kind },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: { name: "x", labels: { owner: "helm", name: "r", status: "deployed", version: "1" } },
        spec: 5,
        status: "?",
        data: { release: 12 },
      },
      {
        apiVersion: def.apiVersion,
        kind: def.kind,
        metadata: {
          name: "y",
          namespace: "kube-system",
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "[" },
        },
        spec: { template: null, versions: [{}] },
        status: { storedVersions: "v1", nodeInfo: 3 },
      },
    ]);
    const ctx = contextFromObjects(odd, {
      serverVersion: "v1.30.0",
      target: "1.31",
      apiServerMetrics: "apiserver_requested_deprecated_apis{ 1\n",
    });
    for (const c of allChecks) {
      const findings = await c.evaluate(ctx);
      for (const f of findings) {
        expect(f.object.name, c.id).toBeTruthy();
        expect(f.message, c.id).toBeTruthy();
      }
    }
  });
});
