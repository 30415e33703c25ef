// withTimeout: the one timeout for promises that take no AbortSignal.
import { describe, expect, it } from "vitest";
import { withTimeout } from "../../src/async/withTimeout.ts";
import { TimeoutError } from "../../src/errors/timeoutError.ts";

describe("withTimeout", () => {
  it("passes a value or an error through when the promise settles in time", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, "never")).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error("own failure")), 1000, "never")).rejects.toThrow("own failure");
  });

  it("rejects with a retryable TimeoutError carrying the message once the time is up", async () => {
    const started = Date.now();
    const err = await withTimeout(new Promise<never>(() => {}), 50, "lookup took longer than 50 ms").catch((e) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ message: "lookup took longer than 50 ms", timeoutMs: 50, retryable: true });
    expect(err.name).toBe("TimeoutError");
  });

  it("leaves no timer behind once the promise settled", async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    await withTimeout(Promise.resolve("done"), 60_000, "never");
    expect(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length).toBe(before);
  });
});
