// Snapshots of every chat text about a check: the root headline through its states, the thread
// (warnings, findings by severity, folds, the summary), the structure posters lay out, and the
// fleet table. A change to any of these strings shows here as a diff to review.
import { describe, expect, it } from "vitest";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import type { CheckReport } from "../../src/checks/preflight.ts";
import { countBySeverity, verdictOf } from "../../src/checks/runner.ts";
import type { Finding } from "../../src/checks/types.ts";
import {
  CHECK_CHECKING,
  checkFailureNote,
  checkRunningState,
  couldNotCheckState,
  findingMessages,
  fleetCheckingState,
  fleetChildLine,
  fleetDoneState,
  fleetRoot,
  fleetSummaryText,
  headline,
  horizonLine,
  ignoredNote,
  reportMessages,
  structuredHeadline,
  verdictState,
  withReportStructure,
} from "../../src/render/checks.ts";
import { renderFleetTable } from "../../src/render/fleetTable.ts";

const finding = (i: number, severity: Finding["severity"], evidence?: string): Finding => ({
  check: severity === "blocker" ? "API-01" : "POD-01",
  severity,
  object: { apiVersion: "apps/v1", kind: "Deployment", namespace: "apps", name: `web-${i}` },
  message: `problem ${i}`,
  ...(evidence ? { evidence } : {}),
  remediation: "fix it",
});

const report = (findings: Finding[], over: Partial<CheckReport> = {}): CheckReport => ({
  cluster: "prod",
  serverVersion: "v1.31.4",
  target: "1.32",
  verdict: verdictOf(findings),
  findings,
  counts: countBySeverity(findings),
  suppressed: 0,
  checkedAt: "2026-12-01T00:00:00Z",
  durationMs: 1234,
  readMs: 800,
  apiRequests: 10,
  knowledgeHorizon: "1.38",
  warnings: [],
  ...over,
});

const mixed = [
  finding(1, "blocker", "apiVersion extensions/v1beta1"),
  finding(2, "high"),
  finding(3, "medium", "restarts 12"),
  finding(4, "low"),
  finding(5, "info"),
];

const input = {
  cluster: "prod",
  serverVersion: "v1.31.4",
  target: "1.32",
  requester: "<@U1>",
  requestedAt: "2026-12-01T09:30:00Z",
};

const fleetRows = [
  { cluster: "staging-eu", versions: "v1.31.4 → 1.32", verdict: "warnings", counts: countBySeverity(mixed) },
  { cluster: "prod", versions: "v1.31.2 → 1.32", verdict: "ready", counts: countBySeverity([]) },
  { cluster: "edge", failure: "could not reach the API server" },
];

describe("check text", () => {
  it("headline through its states", () => {
    expect(headline(input, "checking…")).toMatchSnapshot();
    expect(structuredHeadline({ cluster: "prod", requester: "@alice" }, "checking…")).toMatchSnapshot();
    // The target came from the user: marked as user text.
    expect(structuredHeadline({ ...input, target: "1.32 *now*" }, "*blocked* (1 blocker)", "danger")).toMatchSnapshot();
  });

  it("verdict states", () => {
    expect(verdictState(report([]))).toMatchSnapshot();
    expect(verdictState(report(mixed))).toMatchSnapshot();
    expect(verdictState(report([finding(1, "medium"), finding(2, "low")]))).toMatchSnapshot();
    expect(verdictState(report([finding(1, "low")], { warnings: ["target 1.39 is past 1.38"] }))).toMatchSnapshot();
    expect(verdictState(report([], { warnings: ["target 1.39 is past 1.38"] }))).toMatchSnapshot();
  });

  it("a ready report, with and without a warning", () => {
    const ready = report([]);
    expect(withReportStructure(reportMessages(ready), ready)).toMatchSnapshot();
    const beyond = report([], { warnings: ["target 1.39 is past Upshift's knowledge (1.38)"] });
    expect(withReportStructure(reportMessages(beyond), beyond)).toMatchSnapshot();
  });

  it("a report with every severity, ignored findings and docs links", () => {
    const r = report(mixed, { suppressed: 3 });
    expect(
      withReportStructure(reportMessages(r, { docsUrl: "https://upshift.example/docs/checks.md" }), r),
    ).toMatchSnapshot();
    expect(horizonLine(r)).toMatchSnapshot();
    expect(ignoredNote(1)).toMatchSnapshot();
  });

  it("long groups fold into a file, by count and by length", () => {
    const many = Array.from({ length: 13 }, (_, i) => finding(i, "medium", "x".repeat(40)));
    expect(findingMessages(many, { inlinePerGroup: 10 })).toMatchSnapshot();
    expect(findingMessages(many, { maxChars: 600 })).toMatchSnapshot();
  });

  it("the fleet table", () => {
    expect(renderFleetTable(fleetRows)).toMatchSnapshot();
  });

  it("the root's states while the check runs, and when it cannot run", () => {
    expect([CHECK_CHECKING, checkRunningState(false), checkRunningState(true)]).toMatchSnapshot();
    expect(couldNotCheckState('unknown cluster context "nope"')).toMatchSnapshot();
    expect(checkFailureNote("the API server refused the connection")).toMatchSnapshot();
    expect(checkFailureNote("the API server refused the connection", "edge")).toMatchSnapshot();
  });

  it("a fleet check: its root through its states, each child's first reply, the summary", () => {
    const fleet = {
      clusters: ["prod", "staging-eu", "edge"],
      requester: { platform: "slack" as const, userId: "U1" },
      requestedAt: "2026-12-01T09:30:00Z",
    };
    expect(fleetRoot(fleet, fleetCheckingState(fleet.clusters), slackTraits)).toMatchSnapshot();
    expect(fleetRoot({ ...fleet, target: "1.32 *now*" }, "checking prod", slackTraits)).toMatchSnapshot();
    expect(fleetChildLine(report(mixed))).toMatchSnapshot();
    expect(fleetSummaryText(fleetRows, 3, 3)).toMatchSnapshot();
    const blocked = fleetDoneState([{ verdict: "ready" }, { verdict: "blocked" }], 1);
    expect(fleetRoot(fleet, blocked.state, slackTraits, blocked.tone)).toMatchSnapshot();
    expect(fleetDoneState([{ verdict: "ready" }, { verdict: "warnings" }], 0)).toMatchSnapshot();
    expect(fleetDoneState([{ verdict: "ready" }], 0)).toMatchSnapshot();
  });
});
