// The baseline store on the test's real Redis: one key per context, a 30-day TTL, the size bound,
// and a stored value it cannot read reported as such.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { producerConnection } from "../../src/redis/connection.ts";
import { BASELINE_MAX_BYTES, BASELINE_VERSION, type ClusterBaseline } from "../../src/verify/baseline.ts";
import { BASELINE_TTL_SECONDS, BaselineStore } from "../../src/verify/baselineStore.ts";
import { connected } from "./harness.ts";

const connection = producerConnection(inject("redisUrl"));
const redis = connection;
beforeAll(() => connected(connection));
afterAll(() => connection.disconnect());

const baseline = (cluster: string, workloads = 0): ClusterBaseline => ({
  version: BASELINE_VERSION,
  cluster,
  takenAt: "2026-12-01T10:00:00.000Z",
  serverVersion: "v1.32.4",
  target: "1.33",
  components: [],
  nodeGroups: [],
  nodeCount: 0,
  nodeProblems: [],
  addons: [],
  workloads: Array.from({ length: workloads }, (_, i) => ({
    key: `Deployment team-${i % 50}/service-with-a-long-name-${i}`,
    desired: 3,
    ready: 3,
    restarts: 0,
    crashLooping: 0,
  })),
  releases: [],
  crds: [],
  pdbs: [],
  findings: [],
});

describe("BaselineStore", () => {
  const store = new BaselineStore(redis, `t-baseline-${randomBytes(4).toString("hex")}`);

  it("keeps one baseline per context for 30 days; contexts that only differ in punctuation stay apart", async () => {
    await store.save(baseline("arn:aws:eks:eu-west-1:1:cluster/prod"));
    await store.save(baseline("arn_aws_eks_eu-west-1_1_cluster_prod"));
    expect(await store.get("arn:aws:eks:eu-west-1:1:cluster/prod")).toMatchObject({
      ok: true,
      baseline: { cluster: "arn:aws:eks:eu-west-1:1:cluster/prod" },
    });
    expect(await store.get("arn_aws_eks_eu-west-1_1_cluster_prod")).toMatchObject({ ok: true });
    const ttl = await redis.ttl(store.key("arn:aws:eks:eu-west-1:1:cluster/prod"));
    expect(ttl).toBeGreaterThan(BASELINE_TTL_SECONDS - 60);
    expect(ttl).toBeLessThanOrEqual(BASELINE_TTL_SECONDS);
    expect(await store.get("never-checked")).toBeUndefined();
  });

  it("stores at most BASELINE_MAX_BYTES, however big the cluster", async () => {
    await store.save(baseline("big", 20_000));
    const raw = await redis.get(store.key("big"));
    expect(Buffer.byteLength(raw ?? "")).toBeLessThanOrEqual(BASELINE_MAX_BYTES);
    const got = await store.get("big");
    if (!got?.ok) throw new Error("expected a baseline");
    expect(got.baseline.workloads.length + (got.baseline.truncated?.workloads ?? 0)).toBe(20_000);
  });

  it("a stored value it cannot read is reported, not compared", async () => {
    await redis.set(store.key("broken"), "{not json");
    expect(await store.get("broken")).toEqual({ ok: false, error: "the stored baseline is not JSON" });
    await redis.set(store.key("old"), JSON.stringify({ ...baseline("old"), version: 0 }));
    expect(await store.get("old")).toMatchObject({ ok: false, error: /format version 0 is not 1/ });
  });
});
