import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { onShutdown, runShutdownSteps } from "../../src/http/shutdown.ts";

const logger = pino({ level: "silent" });

describe("shutdown", () => {
  it("runs steps in order and exits 0 when all succeed", async () => {
    const order: string[] = [];
    const step = (name: string) => ({
      name,
      timeoutMs: 1000,
      run: async () => {
        order.push(name);
      },
    });
    expect(await runShutdownSteps([step("worker"), step("gateways"), step("redis")], logger)).toBe(0);
    expect(order).toEqual(["worker", "gateways", "redis"]);
  });

  it("bounds a stuck step by its timeout, carries on with the next, and exits 1", async () => {
    const order: string[] = [];
    const code = await runShutdownSteps(
      [
        { name: "stuck", timeoutMs: 20, run: () => new Promise(() => {}) },
        {
          name: "throws",
          timeoutMs: 1000,
          run: async () => {
            throw new Error("gateway gone");
          },
        },
        {
          name: "redis",
          timeoutMs: 1000,
          run: async () => {
            order.push("redis");
          },
        },
      ],
      logger,
    );
    expect(code).toBe(1);
    expect(order).toEqual(["redis"]);
  });

  it("runs once on a real SIGTERM, however many signals arrive", async () => {
    let runs = 0;
    const exits: number[] = [];
    let done!: () => void;
    const exited = new Promise<void>((r) => {
      done = r;
    });
    const handle = onShutdown(
      ["SIGTERM"],
      [
        {
          name: "count",
          timeoutMs: 1000,
          run: async () => {
            runs++;
          },
        },
      ],
      logger,
      {
        exit: (code) => {
          exits.push(code);
          done();
        },
      },
    );
    try {
      process.kill(process.pid, "SIGTERM");
      process.kill(process.pid, "SIGTERM");
      await exited;
      expect(await handle.trigger("again")).toBe(0);
      expect(runs).toBe(1);
      expect(exits).toEqual([0]);
    } finally {
      handle.dispose();
    }
  });
});
