// Every alert rule a watch runs, one per file beside this one.
import type { WatchRule } from "../types.ts";
import { crdControllerSkewRule } from "./crdControllerSkew.ts";
import { crdUpdateRejectedRule } from "./crdUpdateRejected.ts";
import { helmFailedRule } from "./helmFailed.ts";
import { helmPendingRule } from "./helmPending.ts";
import { livenessProbeFailedRule } from "./livenessProbeFailed.ts";
import { nodeNotReadyRule } from "./nodeNotReady.ts";
import { podCrashLoopRule } from "./podCrashLoop.ts";
import { progressDeadlineRule } from "./progressDeadline.ts";

export const WATCH_RULES: readonly WatchRule[] = [
  podCrashLoopRule,
  livenessProbeFailedRule,
  nodeNotReadyRule,
  helmPendingRule,
  helmFailedRule,
  crdUpdateRejectedRule,
  crdControllerSkewRule,
  progressDeadlineRule,
];
