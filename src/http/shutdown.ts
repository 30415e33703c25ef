// Graceful shutdown: on the first SIGTERM/SIGINT run the steps in order (stop taking jobs and
// let the running one finish, close chat gateways, close Redis), each bounded by its own
// timeout so one stuck step cannot eat the whole terminationGracePeriodSeconds, then exit.
import { withTimeout } from "../async/withTimeout.ts";
import type { Logger } from "../log.ts";

export interface ShutdownStep {
  name: string;
  run(): Promise<void>;
  timeoutMs: number;
}

export interface ShutdownOptions {
  /** Called with the exit code when all steps are done; default process.exit. Tests pass their own. */
  exit?: (code: number) => void;
}

export interface ShutdownHandle {
  /** Runs the steps now (as a signal would); later calls return the same promise. Resolves to the exit code. */
  trigger(reason: string): Promise<number>;
  /** Removes the signal listeners (tests, or a process that hands shutdown to someone else). */
  dispose(): void;
}

/** Runs steps in order with per-step timeouts; resolves to 0 when every step succeeded, else 1. */
export async function runShutdownSteps(steps: readonly ShutdownStep[], logger: Logger): Promise<number> {
  let code = 0;
  for (const step of steps) {
    const started = Date.now();
    try {
      await withTimeout(step.run(), step.timeoutMs, `timed out after ${step.timeoutMs} ms`);
      logger.info({ step: step.name, ms: Date.now() - started }, "shutdown step done");
    } catch (err) {
      code = 1;
      logger.error({ step: step.name, err }, "shutdown step failed; continuing with the next");
    }
  }
  return code;
}

export function onShutdown(
  signals: readonly NodeJS.Signals[],
  steps: readonly ShutdownStep[],
  logger: Logger,
  opts: ShutdownOptions = {},
): ShutdownHandle {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let running: Promise<number> | undefined;
  const trigger = (reason: string): Promise<number> => {
    running ??= (async () => {
      logger.info({ reason }, "shutting down");
      const code = await runShutdownSteps(steps, logger);
      exit(code);
      return code;
    })();
    return running;
  };
  // A second signal while steps run is ignored on purpose: the kubelet's SIGKILL after the grace
  // period is the hard stop, and a human's second Ctrl-C should not skip closing Redis.
  const listener = (signal: NodeJS.Signals) => void trigger(signal);
  for (const s of signals) process.on(s, listener);
  return {
    trigger,
    dispose() {
      for (const s of signals) process.off(s, listener);
    },
  };
}
