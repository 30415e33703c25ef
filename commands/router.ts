// Routes a CommandInvocation to its handler. Every adapter (Slack, Discord, console) shares this
// one router, so a command behaves the same everywhere and is tested once. It is also the one
// place access rules are applied: a handler parses the invocation and names the clusters it
// would act on (prepare), the router asks the AccessPolicy, and only an allowed command runs, so
// a refused one has queued nothing. And it owns the failure policy: a command that fails is
// logged and answered here, the same way for every adapter.
import { AccessPolicy } from "../src/access/policy.ts";
import type { AccessSubject, AccessTarget } from "../src/access/rules.ts";
import { userText } from "../src/chat/userText.ts";
import { createLogger, type Logger } from "../src/log.ts";
import { listContexts, splitWords } from "./grammar.ts";
import type { CommandInvocation, CommandReply, CommandSpec } from "./types.ts";

/** The configured contexts, as handlers and the router see them. */
export interface ClusterNames {
  names(): string[];
  defaultName(): string | undefined;
}

/**
 * What a command may show and assume in the invoker's channel. Without access rules: every
 * context, and the kubeconfig's default. With them, replies list only the contexts the invoker may
 * name here (a refused channel learns no cluster names from a typo), and a command that names no
 * cluster acts on the channel's only allowed one.
 */
export interface CommandScope {
  listContexts(): string;
  defaultCluster(): string | undefined;
}

/** The scope without access rules. */
export function openScope(clusters: ClusterNames): CommandScope {
  return { listContexts: () => listContexts(clusters.names()), defaultCluster: () => clusters.defaultName() };
}

/**
 * `[context]`, as /upgrade-status and /upgrade-verify take it: the one context named, or the
 * scope's default; else the refusal that says why (`usage` follows a wrong number of words).
 */
export function oneContext(
  text: string,
  contexts: readonly string[],
  scope: CommandScope,
  usage?: string,
): { cluster: string } | CommandReply {
  const words = splitWords(text);
  if (words.length > 1)
    return {
      refused: true,
      text: `expected at most one context, got ${words.length} words. ${scope.listContexts()}${usage ? ` Usage: ${usage}` : ""}`,
    };
  if (words[0] && !contexts.includes(words[0]))
    return { refused: true, text: `unknown cluster context "${userText(words[0])}". ${scope.listContexts()}` };
  const cluster = words[0] ?? scope.defaultCluster();
  if (!cluster)
    return { refused: true, text: `Name the cluster: there is more than one context. ${scope.listContexts()}` };
  return { cluster };
}

/** A parsed, valid command that has not acted yet. */
export interface PreparedCommand {
  /** The clusters it acts on: named ones, or `all` (the configured contexts this channel allows). */
  target: AccessTarget;
  /** The configured contexts, which `all` is taken from. */
  contexts: readonly string[];
  /** Acts (queues, stops, aborts) on the clusters the access check allowed. */
  run(clusters: string[]): Promise<CommandReply>;
}

export interface CommandHandler {
  spec: CommandSpec;
  /** Parses and validates, and says which clusters the command would act on; changes nothing. */
  prepare?(inv: CommandInvocation, scope?: CommandScope): Promise<CommandReply | PreparedCommand>;
  /**
   * Runs without an access check. Real commands derive it from prepare (for tests and callers
   * that have no rules); a handler with only handle names no cluster and is refused whenever
   * access rules are configured.
   */
  handle(inv: CommandInvocation): Promise<CommandReply>;
}

export function isPrepared(x: CommandReply | PreparedCommand): x is PreparedCommand {
  return "run" in x;
}

/** A handler from its prepare step; its handle() runs unchecked, `all` meaning every context. */
export function clusterCommand(
  spec: CommandSpec,
  prepare: (inv: CommandInvocation, scope?: CommandScope) => Promise<CommandReply | PreparedCommand>,
): CommandHandler {
  return {
    spec,
    prepare,
    async handle(inv) {
      const p = await prepare(inv);
      if (!isPrepared(p)) return p;
      return p.run("all" in p.target ? [...p.contexts] : [...p.target.clusters]);
    },
  };
}

export function subjectOf(inv: CommandInvocation): AccessSubject {
  return {
    platform: inv.platform,
    channel: inv.channel,
    userId: inv.requester.userId,
    ...(inv.roles ? { roles: inv.roles } : {}),
  };
}

export interface CommandRouterOptions {
  /** Access rules; default: nothing restricted. */
  access?: AccessPolicy;
  /** The configured contexts: with access rules, replies list only those allowed to the invoker. */
  clusters?: ClusterNames;
  /** Where a failed command is logged (with its error and stack); default: a logger of its own. */
  logger?: Logger;
}

/**
 * The one answer to a command that failed (its handler threw: Redis down, the request gate
 * refusing a late accept), on every platform. It names no error: the log line has it, the chat
 * shows nothing internal. "Nothing was queued" holds because a chat request is queued only once
 * its request key says so (src/redis/requestGate.ts). Slack also gives it when its ack deadline
 * passes first (adapters/slack/slackApp.ts).
 */
export const QUEUE_UNAVAILABLE_TEXT =
  "Upshift could not queue this right now (queue unavailable); nothing was queued, try again in a minute.";

export class CommandRouter {
  private readonly handlers = new Map<string, CommandHandler>();
  readonly access: AccessPolicy;
  private readonly clusters?: ClusterNames;
  private readonly log: Logger;

  constructor(handlers: CommandHandler[] = [], opts: CommandRouterOptions = {}) {
    this.access = opts.access ?? AccessPolicy.open();
    this.clusters = opts.clusters;
    this.log = opts.logger ?? createLogger();
    for (const h of handlers) this.register(h);
  }

  register(handler: CommandHandler): void {
    if (this.handlers.has(handler.spec.name)) throw new Error(`command ${handler.spec.name} registered twice`);
    this.handlers.set(handler.spec.name, handler);
  }

  specs(): CommandSpec[] {
    return [...this.handlers.values()].map((h) => h.spec);
  }

  has(name: string): boolean {
    return this.handlers.has(name.replace(/^\//, ""));
  }

  /** The contexts this invoker may name here with `command`: what autocomplete offers. */
  async contextsFor(subject: AccessSubject, command: string, contexts: readonly string[]): Promise<string[]> {
    return this.access.clustersFor(subject, contexts, command);
  }

  private async scopeFor(inv: CommandInvocation, command: string): Promise<CommandScope | undefined> {
    if (!this.access.restricted || !this.clusters) return undefined;
    const clusters = this.clusters;
    const visible = await this.access.clustersFor(subjectOf(inv), clusters.names(), command);
    return {
      listContexts: () =>
        // The contexts valid in this channel: a refused channel learns no other names.
        visible.length ? listContexts(visible) : `No cluster may be named here with /${command} (access rules).`,
      defaultCluster: () => {
        const fallback = clusters.defaultName();
        if (fallback && visible.includes(fallback)) return fallback;
        // A fallback outside the rules still goes on to the access check, whose refusal explains.
        return visible.length === 1 ? visible[0] : fallback;
      },
    };
  }

  /**
   * The reply to one command. Never rejects: a handler that throws is logged here once, with its
   * error, and answered with QUEUE_UNAVAILABLE_TEXT, so no adapter needs a failure policy of its own.
   */
  async handle(inv: CommandInvocation): Promise<CommandReply> {
    try {
      return await this.route(inv);
    } catch (err) {
      this.log.error(
        {
          err,
          command: inv.name.replace(/^\//, ""),
          platform: inv.platform,
          user: inv.requester.userId,
          channel: inv.channel,
          ...(inv.guild ? { guild: inv.guild } : {}),
        },
        "command failed; answered that nothing was queued",
      );
      return { refused: true, text: QUEUE_UNAVAILABLE_TEXT };
    }
  }

  private async route(inv: CommandInvocation): Promise<CommandReply> {
    const name = inv.name.replace(/^\//, "");
    const handler = this.handlers.get(name);
    if (!handler) {
      const known = [...this.handlers.keys()].map((n) => `/${n}`).join(", ");
      return { refused: true, text: `Unknown command /${userText(name)}. Upshift knows: ${known}.` };
    }
    const named = { ...inv, name };
    if (!handler.prepare) {
      if (this.access.restricted)
        return {
          refused: true,
          text: `/${name} cannot be checked against the access rules, so it is refused. Nothing was queued.`,
        };
      return handler.handle(named);
    }
    const prepared = await handler.prepare(named, await this.scopeFor(inv, name));
    if (!isPrepared(prepared)) return prepared;
    const check = await this.access.check(subjectOf(inv), name, prepared.target, prepared.contexts);
    if (!check.allowed) return { refused: true, text: check.text };
    return prepared.run(check.clusters);
  }
}
