// Snapshots of the chat text of add-on cycles: the thread's root in every state, for a cycle, a
// dry run and a rollback, and the plan as text and as structure.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { consoleTraits } from "../../adapters/console/consoleTraits.ts";
import { slackTraits } from "../../adapters/slack/slackTraits.ts";
import type { Requester } from "../../src/chat/types.ts";
import type { CycleEvent } from "../../src/cycles/cycleEngine.ts";
import type { CyclePlan, CycleRootState, PlanStep } from "../../src/cycles/types.ts";
import {
  clusterBusyNote,
  clusterBusyState,
  couldNotPlanNote,
  cycleAbortedNote,
  cycleFailedAlert,
  cycleFinishedNote,
  cycleRootMessage,
  describeCycleState,
  nothingToDoNote,
  planRich,
  ROLLBACK_OFFERED_NOTE,
  renderPlan,
  SUPERSEDED_NOTE,
  stepEventMessage,
} from "../../src/render/cycles.ts";

const alice: Requester = { platform: "slack", userId: "U1", name: "alice" };

const STATES: CycleRootState[] = [
  { state: "planning" },
  { state: "planned", steps: 2, required: 1 },
  { state: "planned", steps: 1, required: 2 },
  { state: "dry-run", steps: 3 },
  { state: "nothing-to-do", why: "it is already at the expected version (dns 1.12.0)" },
  { state: "could-not-plan", why: "unknown add-on foo" },
  { state: "re-planned" },
  { state: "approved", by: ["U2", "U3"] },
  { state: "running", step: 1, of: 2, addon: "dns" },
  { state: "done", steps: 1 },
  { state: "failed", step: 2, of: 2, addon: "ingress" },
  { state: "cancelled", by: "U2" },
  { state: "cancelled" },
  { state: "expired" },
  { state: "abort-requested", by: "U2" },
  { state: "aborted", after: 1, of: 3 },
];

const step = (over: Partial<PlanStep>): PlanStep => ({
  addon: "dns",
  driver: "microk8s",
  category: "dns",
  namespace: "kube-system",
  currentVersion: "1.11.3",
  expectedVersion: "1.12.0",
  disrupts: "cluster DNS: name resolution inside the cluster fails until CoreDNS is back",
  holdsData: true,
  backup:
    "status entry and objects in kube-system; PersistentVolumeClaim, PersistentVolume, Secret are kept on disable",
  keepKinds: ["PersistentVolumeClaim", "PersistentVolume", "Secret"],
  timeoutMs: 5 * 60_000,
  ...over,
});

const plan: CyclePlan = {
  id: "0f1e2d3c-4b5a-6978-8899-aabbccddeeff",
  kind: "cycle",
  cluster: "edge",
  createdAt: "2026-12-01T09:00:00.000Z",
  requester: alice,
  steps: [
    step({}),
    step({
      addon: "ingress",
      category: "ingress",
      namespace: "ingress",
      currentVersion: undefined,
      expectedVersion: undefined,
      holdsData: false,
      disrupts: "ingress traffic: external HTTP(S) requests through the ingress are refused",
      backup: "status entry and objects in ingress; Secret are kept on disable",
      timeoutMs: 45_000,
    }),
  ],
  dryRun: false,
  upToDate: [{ addon: "metrics-server", version: "v0.7.2" }],
};

const rollback: CyclePlan = {
  ...plan,
  id: "11111111-2222-3333-4444-555555555555",
  kind: "rollback",
  rollbackOf: plan.id,
  steps: [step({ restoreFrom: "upshift:cycle-backup:edge:dns" })],
  upToDate: undefined,
};

describe("cycle text", () => {
  beforeAll(() => {
    vi.useFakeTimers({ now: new Date("2026-12-01T12:00:00Z"), toFake: ["Date"] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it("the root's state in words, every state", () => {
    expect(STATES.map((s) => describeCycleState(s, slackTraits))).toMatchSnapshot();
  });

  it("the root message of a cycle in every state", () => {
    for (const s of STATES)
      expect(cycleRootMessage({ cluster: "edge", requester: alice }, s, slackTraits)).toMatchSnapshot(s.state);
  });

  it("the root of a dry run, a rollback and a console request", () => {
    expect(
      cycleRootMessage(
        { cluster: "edge", requester: alice, dryRun: true },
        { state: "dry-run", steps: 2 },
        slackTraits,
      ),
    ).toMatchSnapshot();
    expect(
      cycleRootMessage({ cluster: "edge", requester: alice, rollbackOf: plan.id }, { state: "planning" }, slackTraits),
    ).toMatchSnapshot();
    expect(
      cycleRootMessage(
        { cluster: "edge", requester: { platform: "console", userId: "c1", name: "bob" } },
        {
          state: "done",
          steps: 2,
        },
        consoleTraits,
      ),
    ).toMatchSnapshot();
  });

  it("the plan as text and as structure", () => {
    expect(renderPlan(plan)).toMatchSnapshot();
    expect(planRich(plan, ["React ✅ to approve."])).toMatchSnapshot();
    expect(renderPlan(rollback)).toMatchSnapshot();
    expect(planRich(rollback, [])).toMatchSnapshot();
    expect(renderPlan({ ...plan, steps: [] })).toMatchSnapshot();
    expect(renderPlan({ ...plan, steps: [], upToDate: undefined })).toMatchSnapshot();
  });

  it("the plan job's notes", () => {
    expect(couldNotPlanNote('unknown add-on "foo" on edge; known: dns, ingress')).toMatchSnapshot();
    expect(nothingToDoNote({ ...plan, steps: [] })).toMatchSnapshot();
    expect(nothingToDoNote({ ...plan, steps: [], upToDate: undefined })).toMatchSnapshot();
  });

  it("each step's replies: started, resumed, taken over, done with its backup, failed", () => {
    const journal = {
      state: "done" as const,
      phasesDone: [],
      attempts: {},
      outputs: [
        { action: "backup dns", output: "12 objects saved to /var/lib/upshift/backup.json" },
        { action: "microk8s disable dns", output: "Disabling DNS\n".repeat(60) },
      ],
    };
    const events: CycleEvent[] = [
      { type: "step-started", index: 0, step: plan.steps[0], resumed: false },
      { type: "step-started", index: 0, step: rollback.steps[0], resumed: true },
      { type: "takeover", index: 1, step: plan.steps[1], decision: "the phase had finished; going on with enable" },
      { type: "step-done", index: 0, step: plan.steps[0], journal, backupJson: '{"objects":[]}' },
      { type: "step-done", index: 1, step: plan.steps[1], journal: { ...journal, outputs: [] } },
      { type: "step-failed", index: 1, step: plan.steps[1], journal, error: "verify: 0/1 pods ready after 45 s" },
    ];
    for (const e of events) expect(stepEventMessage(e, 2, "edge")).toMatchSnapshot(e.type);
    expect(stepEventMessage(events[5], 2, "edge").text.length).toBeLessThanOrEqual(1_600);
  });

  it("the run job's notes: superseded, busy, finished, aborted, failed, rollback offered", () => {
    expect(SUPERSEDED_NOTE).toMatchSnapshot();
    expect(clusterBusyNote("edge", "0f1e2d3c")).toMatchSnapshot();
    expect(describeCycleState(clusterBusyState("edge", "0f1e2d3c", 2), slackTraits)).toMatchSnapshot();
    expect(cycleFinishedNote(plan, 2)).toMatchSnapshot();
    expect(cycleFinishedNote(rollback, 1)).toMatchSnapshot();
    expect(cycleAbortedNote(1, 2)).toMatchSnapshot();
    expect(cycleFailedAlert(plan, 1, "verify: 0/1 pods ready after 45 s", true)).toMatchSnapshot();
    expect(cycleFailedAlert(rollback, 0, undefined, false)).toMatchSnapshot();
    expect(ROLLBACK_OFFERED_NOTE).toMatchSnapshot();
  });
});
