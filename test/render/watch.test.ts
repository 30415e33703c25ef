// Snapshots of a watch's alerts in chat: a plain alert, one already so at the start, with and
// without a next command and a documentation link.
import { describe, expect, it } from "vitest";
import { checkLink, renderAlert } from "../../src/watch/alertSink.ts";
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
});
