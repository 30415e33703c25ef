// Snapshots of /upgrade-verify: the root through its states, the thread under it, the one-message
// summary after a watch or a cycle (short, and folded into a file), and `upshift verify` output.
import { describe, expect, it } from "vitest";
import {
  couldNotVerifyState,
  NO_BASELINE_STATE,
  noBaselineMessage,
  noBaselineText,
  renderVerify,
  verifyFailureNote,
  verifyHeadline,
  verifyingState,
  verifyMessages,
  verifyState,
  verifySummary,
} from "../../src/render/verify.ts";
import type { VerifyResult } from "../../src/verify/diff.ts";

const degraded: VerifyResult = {
  cluster: "prod",
  verdict: "degraded",
  baseline: { takenAt: "2026-11-30T10:00:00.000Z", serverVersion: "v1.32.4", target: "1.33" },
  now: { takenAt: "2026-12-01T10:00:00.000Z", serverVersion: "v1.33.1" },
  notes: ["the workload list was cut at 2,000 objects"],
  changed: ["kube-apiserver v1.32.4 → v1.33.1", "CoreDNS 1.11.3 → 1.12.0"],
  worse: [
    { severity: "high", text: "Node worker-3 is NotReady (Ready at the baseline)" },
    { severity: "medium", text: "Deployment web/web: 2/3 ready (was 3/3)" },
  ],
  left: [{ text: "1 node still on kubelet v1.32 (server v1.33.1): worker-9", command: "kubectl drain worker-9" }],
  better: ["Deployment web/api: 3/3 ready (was 1/3)"],
};

const clean: VerifyResult = {
  ...degraded,
  verdict: "healthy",
  now: { takenAt: "2026-11-30T10:00:20.000Z", serverVersion: "v1.32.4" },
  notes: [],
  changed: [],
  worse: [],
  left: [],
  better: [],
};

describe("verify text", () => {
  it("the root through its states", () => {
    expect(verifyHeadline({ cluster: "prod" }, "verifying…")).toMatchSnapshot();
    expect(
      verifyHeadline(
        { cluster: "prod", serverVersions: { before: "v1.32.4", now: "v1.33.1" }, requester: "<@U1>" },
        verifyState(degraded),
      ),
    ).toMatchSnapshot();
    expect(
      verifyHeadline({ cluster: "prod", serverVersions: { now: "v1.32.4" } }, verifyState(clean)),
    ).toMatchSnapshot();
    expect(noBaselineText("prod")).toMatchSnapshot();
    expect(noBaselineText("prod", "the baseline is from an older Upshift")).toMatchSnapshot();
  });

  it("the root's states and notes when there is nothing to compare", () => {
    expect([verifyingState(false), verifyingState(true), NO_BASELINE_STATE]).toMatchSnapshot();
    expect(couldNotVerifyState("the API server refused the connection")).toMatchSnapshot();
    expect(verifyFailureNote("prod", "the API server refused the connection")).toMatchSnapshot();
    expect(noBaselineMessage("prod", undefined, false)).toMatchSnapshot();
    expect(noBaselineMessage("prod", "unreadable baseline", true)).toMatchSnapshot();
  });

  it("the thread under the root", () => {
    expect(verifyMessages(degraded)).toMatchSnapshot();
    expect(verifyMessages(clean)).toMatchSnapshot();
    const long = { ...degraded, changed: Array.from({ length: 60 }, (_, i) => `component-${i} v1 → v2`) };
    expect(verifyMessages(long, { maxChars: 700 })).toMatchSnapshot();
  });

  it("the summary in a watch's or cycle's thread", () => {
    expect(verifySummary(degraded)).toMatchSnapshot();
    expect(verifySummary(degraded, { maxChars: 200 })).toMatchSnapshot();
  });

  it("upshift verify output", () => {
    for (const format of ["text", "markdown", "json"] as const) {
      expect(renderVerify(degraded, format)).toMatchSnapshot(format);
      expect(renderVerify(clean, format)).toMatchSnapshot(`${format}, nothing to say`);
    }
  });
});
