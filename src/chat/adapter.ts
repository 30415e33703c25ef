// The one contract of a chat front door (Slack, Discord, the console), after bolt-js's Receiver
// (init/start/stop): cli/ starts and stops every adapter the same way, and /readyz asks each one
// whether it can take requests now. What an adapter does with a request is its own; what a
// command answers, and how a failed one is answered, is the CommandRouter's (commands/router.ts).
export interface ChatAdapter {
  /** Names the adapter in logs and in /readyz's detail ("slack", "discord", "console"). */
  readonly name: string;
  /**
   * Connects (auth.test, the gateway, the socket) and resolves once requests can arrive; rejects
   * with a message naming what to fix (and leaves nothing running) when it cannot.
   */
  start(): Promise<void>;
  /** Stops taking requests and closes what start() opened. */
  stop(): Promise<void>;
  /**
   * True while requests can arrive: started, and its link to the platform up (a gateway or
   * socket that is reconnecting is not ready). Cheap and synchronous: /readyz calls it each probe.
   */
  ready(): boolean;
}

/** Readiness problems of the adapters that are not ready, one per adapter ("discord: not connected"). */
export function adapterProblems(adapters: readonly ChatAdapter[]): string[] {
  return adapters.filter((a) => !a.ready()).map((a) => `${a.name}: not connected`);
}
