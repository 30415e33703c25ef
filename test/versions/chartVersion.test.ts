import fc from "fast-check";
import semver from "semver";
import { describe, expect, it } from "vitest";
import {
  compareChartVersions,
  imageTag,
  isPreRelease,
  isPreReleaseTag,
  parseChartVersion,
  upstreamVersion,
} from "../../src/versions/chartVersion.ts";

const num = fc.integer({ min: 0, max: 30 });
const core = fc.tuple(num, num, num).map(([a, b, c]) => `${a}.${b}.${c}`);
const pre = fc.constantFrom("", "-rc.1", "-rc.3", "-alpha", "-beta.2", "-0");
const plain = fc.tuple(core, pre).map(([c, p]) => c + p);
const chartVersion = fc
  .tuple(plain, fc.option(plain, { nil: undefined }))
  .map(([main, up]) => (up === undefined ? main : `${main}+up${up}`));

describe("compareChartVersions", () => {
  it("puts a release candidate of the upstream before the upstream release (INCIDENTS case 3)", () => {
    expect(compareChartVersions("106.0.0+up0.12.0-rc.3", "106.0.0+up0.12.0")).toBe(-1);
    expect(compareChartVersions("106.0.0+up0.12.0", "106.0.0+up0.12.0-rc.3")).toBe(1);
    // plain semver calls them equal: the bug this module exists for
    expect(semver.compare("106.0.0+up0.12.0-rc.3", "106.0.0+up0.12.0")).toBe(0);
  });

  it("compares the main version first", () => {
    expect(compareChartVersions("105.0.0+up0.13.0", "106.0.0+up0.12.0")).toBe(-1);
    expect(compareChartVersions("v1.2.3", "1.2.3")).toBe(0);
    expect(compareChartVersions("1.2", "1.2.0")).toBe(0);
  });

  it("is antisymmetric", () => {
    fc.assert(
      fc.property(
        chartVersion,
        chartVersion,
        (a, b) =>
          compareChartVersions(a, b) === -compareChartVersions(b, a) ||
          (compareChartVersions(a, b) === 0 && compareChartVersions(b, a) === 0),
      ),
    );
  });

  it("is transitive", () => {
    fc.assert(
      fc.property(chartVersion, chartVersion, chartVersion, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort(compareChartVersions);
        return compareChartVersions(x, y) <= 0 && compareChartVersions(y, z) <= 0 && compareChartVersions(x, z) <= 0;
      }),
    );
  });

  it("sorts a pre-release of +upY before +upY for any main version", () => {
    fc.assert(
      fc.property(plain, core, fc.constantFrom("-rc.1", "-alpha", "-beta.2"), (main, up, p) => {
        return compareChartVersions(`${main}+up${up}${p}`, `${main}+up${up}`) === -1;
      }),
    );
  });

  it("falls back to the upstream version when main versions are equal", () => {
    fc.assert(
      fc.property(plain, plain, plain, (main, u1, u2) => {
        return compareChartVersions(`${main}+up${u1}`, `${main}+up${u2}`) === semver.compare(u1, u2);
      }),
    );
  });

  it("behaves as semver without +up", () => {
    fc.assert(fc.property(plain, plain, (a, b) => compareChartVersions(a, b) === semver.compare(a, b)));
  });
});

describe("isPreRelease and upstreamVersion", () => {
  it("finds pre-releases in the main version or inside +up", () => {
    expect(isPreRelease("106.0.0+up0.12.0-rc.3")).toBe(true);
    expect(isPreRelease("1.5.0-rc2")).toBe(true);
    expect(isPreRelease("v2.0.0-beta.1")).toBe(true);
    expect(isPreRelease("106.0.0+up0.12.0")).toBe(false);
    expect(isPreRelease("v1.2.3")).toBe(false);
    expect(isPreRelease("1.2.3+build.5")).toBe(false);
    expect(isPreRelease("not a version")).toBe(false);
  });

  it("extracts the upstream version", () => {
    expect(upstreamVersion("106.0.0+up0.12.0-rc.3")).toBe("0.12.0-rc.3");
    expect(upstreamVersion("1.2.3")).toBeUndefined();
    expect(parseChartVersion("1.2.3+build.5")?.build).toBe("build.5");
    expect(parseChartVersion("latest")).toBeUndefined();
  });
});

describe("isPreReleaseTag", () => {
  it.each([
    "v1.2.3-rc.1",
    "1.0.0-beta",
    "2.0.0rc1",
    "1.0.0-Beta2",
    "v0.12.0-up0.12.0-rc.3",
    "1.4.0-alpha.1-amd64",
    "3.1.0-SNAPSHOT",
    "1.0-dev",
  ])("flags %s", (tag) => expect(isPreReleaseTag(tag)).toBe(true));
  it.each([
    "latest",
    "1.25.3-alpine",
    "7.2-bookworm",
    "1.2.3-debian-12-r4",
    "v1.2.3",
    "1.2.3-preview",
    "stable",
    "1.2.3-r0",
    "v2.1.0-development-build",
    "sha-abc123",
  ])("does not flag %s", (tag) => expect(isPreReleaseTag(tag)).toBe(false));
  it("reads tags from image references", () => {
    expect(imageTag("registry:5000/team/app:v1.2.3-rc.1@sha256:abcd")).toBe("v1.2.3-rc.1");
    expect(imageTag("registry:5000/team/app")).toBeUndefined();
    expect(imageTag("app@sha256:abcd")).toBeUndefined();
    expect(imageTag("nginx:1.25.3-alpine")).toBe("1.25.3-alpine");
  });
});
