// The step journal and the cluster lock on a real Redis: a step has one owner at a time, a live
// owner's lease is respected, a lapsed one is taken over, and a writer who lost the step is refused.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, expect, inject, it } from "vitest";
import { ClusterLock } from "../../src/cycles/clusterLock.ts";
import { LostOwnershipError, StepJournalStore } from "../../src/cycles/stepJournal.ts";
import type { StepJournal } from "../../src/cycles/types.ts";

const redis = new Redis(inject("redisUrl"));
afterAll(() => redis.disconnect());

const body = (): StepJournal => ({ state: "running", phasesDone: ["backup"], attempts: { backup: 1 }, outputs: [] });

it("claims a pending step once; a second worker waits while the lease is live and takes over after", async () => {
  const j = new StepJournalStore(redis, `t-journal-${randomUUID()}`);
  expect((await j.claim(0, "A", 200)).kind).toBe("claimed");
  expect(await j.claim(0, "B", 200)).toEqual({ kind: "busy", previousOwner: "A" });
  expect((await j.claim(0, "A", 200)).kind).toBe("mine");
  await j.write(0, "A", body());
  await new Promise((r) => setTimeout(r, 250));
  expect(await j.claim(0, "B", 200)).toEqual({ kind: "takeover", previousOwner: "A" });
  // A's late write (it was only paused, not dead) is refused: it must stop.
  await expect(j.write(0, "A", { ...body(), phasesDone: ["backup", "disable"] })).rejects.toBeInstanceOf(
    LostOwnershipError,
  );
  expect(await j.renew(0, "A", 1000)).toBe(false);
  const seen = await j.get(0);
  expect(seen).toMatchObject({ state: "running", owner: "B", phasesDone: ["backup"] });
  await j.write(0, "B", { ...seen, phasesDone: ["backup", "disable", "enable", "verify"] }, "done");
  expect((await j.claim(0, "C", 200)).kind).toBe("done");
  expect((await j.get(1)).state).toBe("pending");
});

it("the cluster lock admits one cycle, lets the same cycle resume, and frees itself when not renewed", async () => {
  const key = `t-lock-${randomUUID()}`;
  const a = new ClusterLock(redis, key, 200);
  expect(await a.acquire("cycle-1")).toEqual({ acquired: true });
  expect(await a.acquire("cycle-2")).toEqual({ acquired: false, holder: "cycle-1" });
  expect(await a.acquire("cycle-1")).toEqual({ acquired: true });
  expect(await a.renew("cycle-2")).toBe(false);
  await new Promise((r) => setTimeout(r, 250));
  expect(await a.acquire("cycle-2")).toEqual({ acquired: true });
  await a.release("cycle-1");
  expect(await a.holder()).toBe("cycle-2");
  await a.release("cycle-2");
  expect(await a.holder()).toBeNull();
});
