// What every chat adapter hands to the command layer, and what it gets back. Adapters stay thin:
// they turn a platform request into a CommandInvocation, show the CommandReply to the invoker
// (ephemeral on Slack and Discord), and do nothing else.
import type { Platform, Requester } from "../src/chat/types.ts";

export interface CommandInvocation {
  platform: Platform;
  /** Command name without the slash, e.g. "upgrade-check". */
  name: string;
  /** Everything after the command name, as the user typed it (Discord options are joined in order). */
  text: string;
  requester: Requester;
  /** Channel the command was typed in; the root message and thread go here. */
  channel: string;
  /** Discord guild id (allowlist checks, role lookups). */
  guild?: string;
  /**
   * The platform's id of this one request (Slack trigger_id, Discord interaction id) and the
   * moment (epoch ms) after which it must not be queued because the user will have been told it
   * was not. Jobs it creates carry it (src/redis/requestGate.ts); absent for the console.
   */
  request?: { id: string; acceptBy: number };
  /** Discord: the invoking member's role ids (access rules and approvers may name roles). */
  roles?: string[];
}

export interface CommandReply {
  /** Shown only to the invoker: "queued", "already running: see thread", or what was wrong. */
  text: string;
  /** True when the command was refused (bad input, unknown context, access rules): nothing was queued. */
  refused: boolean;
}

export interface CommandSpec {
  name: string;
  /** One-line description for Slack's manifest and Discord's registration. */
  description: string;
  /** Usage hint, e.g. "[context] [target]". */
  usage: string;
  /** Discord options (string options in order); Slack takes the same as free text. */
  options: Array<{ name: string; description: string; required?: boolean; autocomplete?: "contexts" }>;
}
