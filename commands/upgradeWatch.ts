// /upgrade-watch [context] [for 2h] and /upgrade-watch stop [context]: validate, then start or
// stop the cluster's watch job through WatchControl (the same API the add-on cycle engine uses).
import type { TraitsSource } from "../src/chat/platformTraits.ts";
import { userText } from "../src/chat/userText.ts";
import { DEFAULT_WATCH_MS, MAX_WATCH_MS, type WatchControl } from "../src/watch/control.ts";
import { type ParseResult, splitWords } from "./grammar.ts";
import { type CommandHandler, clusterCommand, openScope } from "./router.ts";
import type { CommandInvocation, CommandReply } from "./types.ts";
import { threadHint } from "./upgradeCheck.ts";

export interface UpgradeWatchDeps {
  clusters: { names(): string[]; defaultName(): string | undefined };
  watch: WatchControl;
  /** The platforms' traits: how a reply names the channel its thread is in. */
  platforms: TraitsSource;
}

export const UPGRADE_WATCH_SPEC = {
  name: "upgrade-watch",
  description: "Watch a cluster during an upgrade and alert in this channel (or: stop)",
  usage: "[stop] [context] [for 2h]",
  options: [
    { name: "context", description: "kubeconfig context (cluster)", autocomplete: "contexts" as const },
    { name: "duration", description: "how long, e.g. 2h or 90m (default 1h, at most 24h); or stop" },
  ],
};

export interface WatchArgs {
  stop: boolean;
  cluster?: string;
  durationMs?: number;
}

/** "90m", "2h", "1h30m", "45s" → ms. */
export function parseDuration(text: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim().toLowerCase());
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

export function parseWatchArgs(text: string, contexts: readonly string[]): ParseResult<WatchArgs> {
  const args: WatchArgs = { stop: false };
  const words = splitWords(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (contexts.includes(word)) {
      if (args.cluster) return { ok: false, error: `more than one cluster given ("${args.cluster}" and "${word}")` };
      args.cluster = word;
    } else if (word === "stop") {
      args.stop = true;
    } else if (word === "for" || /^\d/.test(word)) {
      const spec = word === "for" ? words[++i] : word;
      const ms = spec === undefined ? undefined : parseDuration(spec);
      if (ms === undefined)
        return { ok: false, error: `"${userText(spec ?? "")}" is not a duration: expected e.g. 2h, 90m or 1h30m` };
      if (ms <= 0 || ms > MAX_WATCH_MS)
        return { ok: false, error: `duration ${userText(spec ?? "")} is out of range: expected at most 24h` };
      args.durationMs = ms;
    } else {
      return { ok: false, error: `unknown cluster context "${userText(word)}"` };
    }
  }
  if (args.stop && args.durationMs !== undefined) return { ok: false, error: "stop takes no duration" };
  return { ok: true, value: args };
}

function formatDuration(ms: number): string {
  const h = Math.floor(ms / 3600_000);
  const m = Math.round((ms % 3600_000) / 60_000);
  return [h ? `${h}h` : "", m ? `${m}m` : ""].join("") || `${Math.round(ms / 1000)}s`;
}

export function upgradeWatchCommand(deps: UpgradeWatchDeps): CommandHandler {
  return clusterCommand(UPGRADE_WATCH_SPEC, async (inv: CommandInvocation, scope = openScope(deps.clusters)) => {
    const contexts = deps.clusters.names();
    const parsed = parseWatchArgs(inv.text, contexts);
    if (!parsed.ok)
      return {
        refused: true,
        text: `${parsed.error}. ${scope.listContexts()} Usage: /upgrade-watch ${UPGRADE_WATCH_SPEC.usage}`,
      };
    const cluster = parsed.value.cluster ?? scope.defaultCluster();
    if (!cluster)
      return { refused: true, text: `Name the cluster: there is more than one context. ${scope.listContexts()}` };
    const { stop } = parsed.value;
    const durationMs = parsed.value.durationMs ?? DEFAULT_WATCH_MS;
    return {
      target: { clusters: [cluster] },
      contexts,
      async run(): Promise<CommandReply> {
        if (stop) {
          const r = await deps.watch.stop(cluster);
          if (r.status === "not-running") return { refused: false, text: `No watch is running on ${cluster}.` };
          return {
            refused: false,
            text:
              r.status === "removed"
                ? `Cancelled the queued watch of ${cluster}.`
                : `Stopping the watch of ${cluster}; a summary will follow in its thread.`,
          };
        }
        const result = await deps.watch.start(
          cluster,
          { platform: inv.platform, channel: inv.channel, guild: inv.guild },
          durationMs,
          { by: "command", requester: inv.requester },
        );
        return result.status === "started"
          ? {
              refused: false,
              text: `Watching ${cluster} for ${formatDuration(durationMs)}. Alerts will appear in this channel.`,
            }
          : {
              refused: false,
              text: `Already watching ${cluster}${result.until ? ` until ${result.until.slice(0, 16).replace("T", " ")} UTC` : ""}: ${threadHint(deps.platforms, result.reply)}.`,
            };
      },
    };
  });
}
