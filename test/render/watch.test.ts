// Snapshots of a watch's alerts in chat: a plain alert, one already so at the start, with and
// without a next command and a documentation link.
import { describe, expect, it } from "vitest";
import { discordTraits } from "../../adapters/discord/discordTraits.ts";
import {
  checkLink,
  floodSummary,
  renderAlert,
  watchAlertTexts,
  watchEndedState,
  watchEndedSummary,
  watchRoot,
  watchStartedState,
} from "../../src/render/watch.ts";
import type { AlertDraft } from "../../src/watch/types.ts";

const crashLoop: AlertDraft = {
  ruleId: "pod-crash-loop",
  reason: "CrashLoopBackOff",
  severity: "high",
  check: "POD-01",
  subject: { kind: "Pod", namespace: "apps", name: "web-7d9f" },
  evidence: "container web restarted 5 times in 3 min; last exit code 137 (OOMKilled)",
  likelyCause: "the container exceeds its memory limit",
  hint: "kubectl logs -n apps web-7d9f -c web --previous",
  observedAt: 0,
};

const nodeDown: AlertDraft = {
  ruleId: "node-not-ready",
  reason: "NodeNotReady",
  severity: "blocker",
  check: "NODE-01",
  subject: { kind: "Node", name: "worker-3" },
  evidence: "Ready=False since 10:02 (KubeletNotReady)",
  likelyCause: "the kubelet stopped reporting",
  baseline: true,
  observedAt: 0,
};

describe("watch text", () => {
  it("an alert with a next command, docs as a relative path", () => {
    expect(renderAlert(crashLoop, "prod")).toMatchSnapshot();
  });

  it("an alert already so at the start, docs as a link", () => {
    expect(renderAlert(nodeDown, "prod", "https://upshift.example/docs/checks.md")).toMatchSnapshot();
  });

  it("an alert of an unknown severity mark", () => {
    expect(renderAlert({ ...crashLoop, severity: "low", hint: undefined }, "edge", "docs/x.md")).toMatchSnapshot();
    expect(checkLink("POD-01")).toMatchSnapshot();
  });

  it("the texts a sink of one cluster posts are these, with its docs base", () => {
    const texts = watchAlertTexts("prod", "https://upshift.example/docs/checks.md");
    expect(texts.alert(nodeDown)).toEqual(renderAlert(nodeDown, "prod", "https://upshift.example/docs/checks.md"));
  });

  it("the flood summary", () => {
    const flood = {
      cluster: "prod",
      total: 37,
      limit: 10,
      windowSeconds: 60,
      parts: [
        { reason: "CrashLoopBackOff", check: "POD-01", n: 30 },
        { reason: "NodeNotReady", check: "NODE-01", n: 7 },
      ],
    };
    expect(floodSummary(flood)).toMatchSnapshot();
    expect(watchAlertTexts("prod", "https://upshift.example/docs/checks.md").flood(flood)).toMatchSnapshot();
  });

  it("the root through its states, and the summary when the watch ends", () => {
    const byCommand = {
      cluster: "prod",
      until: "2026-12-01T14:30:00.000Z",
      origin: { by: "command" as const, requester: { platform: "discord" as const, userId: "42" } },
    };
    expect(watchRoot(byCommand, watchStartedState(), discordTraits)).toMatchSnapshot();
    expect(
      watchRoot(
        { ...byCommand, origin: { by: "cycle", cycleId: "c1" } },
        watchStartedState(["apps", "kube-system"]),
        discordTraits,
      ),
    ).toMatchSnapshot();
    expect(watchRoot({ ...byCommand, origin: { by: "command" } }, watchEndedState(0), discordTraits)).toMatchSnapshot();
    expect(watchEndedSummary("prod", "stopped", {})).toMatchSnapshot();
    expect(watchEndedSummary("prod", "time-limit", { NodeNotReady: 1, CrashLoopBackOff: 4 })).toMatchSnapshot();
  });
});
