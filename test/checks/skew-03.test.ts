import { describe, expect, it } from "vitest";
import { skew03TargetSkipsMinor } from "../../src/checks/catalog/skew-03-target-skips-minor.ts";
import { contextFromObjects } from "../../src/checks/context.ts";

const run = (serverVersion: string, target: string, targetFull?: string) =>
  skew03TargetSkipsMinor.evaluate(contextFromObjects([], { cluster: "prod", serverVersion, target, targetFull }));

describe("SKEW-03 target skips a minor", () => {
  it("flags a skipped minor with the step-by-step path", async () => {
    const findings = await run("v1.30.4", "1.32");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      object: { kind: "Cluster", name: "prod" },
      evidence: "server=1.30.4 target=1.32",
    });
    expect(findings[0].remediation).toBe("Upgrade through 1.31 → 1.32, running the preflight before each step.");
  });

  it("flags a downgrade", async () => {
    const findings = await run("v1.31.4", "1.30");
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toContain("downgrade");
  });

  it("accepts the next minor and a patch upgrade", async () => {
    expect(await run("v1.31.4+k3s1", "1.32")).toEqual([]);
    expect(await run("v1.31.4", "1.31", "1.31.6")).toEqual([]);
    expect(await run("v1.31.4", "1.31")).toEqual([]);
  });

  it("reports an unparseable version as info", async () => {
    const findings = await run("garbage", "1.32");
    expect(findings[0].severity).toBe("info");
  });
});
