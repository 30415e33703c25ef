// A terminal chat for the demo: the user types slash commands, Upshift answers like it would in
// Slack (ephemeral replies marked as "only visible to you"), and the worker's thread appears
// below. Thin on purpose: parsing and validation are the shared command layer's, and so is the
// answer to a command that fails. Its one command of its own is /react (consoleReaction.ts), the
// terminal's stand-in for an emoji reaction. A ChatAdapter like Slack's and Discord's.
import { createInterface, type Interface } from "node:readline";
import type { CommandRouter } from "../../commands/router.ts";
import type { ChatAdapter } from "../../src/chat/adapter.ts";
import type { ReactionEvent } from "../../src/chat/reactions.ts";
import { renderUserText } from "../../src/chat/userText.ts";
import { renderConsoleMarkup } from "./consoleMarkup.ts";
import { parseReaction, REACT_COMMAND, REACT_USAGE, reactionLine } from "./consoleReaction.ts";

export interface ConsoleChatOptions {
  router: CommandRouter;
  channel?: string;
  user?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /**
   * Enables "/react MESSAGE_ID ✅ [as USER]" (a reaction on a posted message, as Slack and
   * Discord deliver them); resolves to the outcome shown to the user.
   */
  onReaction?: (event: ReactionEvent) => Promise<string>;
}

const PRIVATE = "(only visible to you)";

export class ConsoleChat implements ChatAdapter {
  readonly name = "console";
  private readonly rl: Interface;
  private readonly opts: Required<Omit<ConsoleChatOptions, "onReaction">> & Pick<ConsoleChatOptions, "onReaction">;
  private reading?: Promise<void>;
  private closed = false;

  constructor(opts: ConsoleChatOptions) {
    this.opts = {
      ...opts,
      channel: opts.channel ?? "upgrades",
      user: opts.user ?? "you",
      input: opts.input ?? process.stdin,
      output: opts.output ?? process.stdout,
    };
    this.rl = createInterface({ input: this.opts.input, output: this.opts.output, terminal: false });
  }

  private say(text: string): void {
    this.opts.output.write(`${text}\n`);
  }

  /** Starts reading commands; finished() resolves when the input ends, /quit is typed or stop() is called. */
  async start(): Promise<void> {
    this.reading ??= this.read();
  }

  finished(): Promise<void> {
    return this.reading ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.closed = true;
    this.rl.close();
    await this.reading;
  }

  ready(): boolean {
    return this.reading !== undefined && !this.closed;
  }

  /** start() and finished() in one: reads commands until the input ends. */
  async run(): Promise<void> {
    await this.start();
    await this.finished();
  }

  private async read(): Promise<void> {
    const names = this.opts.router.specs().map((s) => `/${s.name} ${s.usage}`);
    this.say(`Console chat #${this.opts.channel}. Commands: ${names.join(" · ")} · /help · /quit`);
    for await (const line of this.rl) {
      if (this.closed) break;
      const trimmed = line.trim();
      if (!trimmed) continue;
      if (trimmed === "/quit" || trimmed === "/exit") break;
      if (trimmed === "/help") {
        this.say(names.map((n) => `  ${n}`).join("\n"));
        continue;
      }
      if (!trimmed.startsWith("/")) {
        this.say("(Upshift listens for slash commands; try /upgrade-check or /help)");
        continue;
      }
      const [command, ...rest] = trimmed.split(/\s+/);
      const name = command.slice(1);
      if (name === REACT_COMMAND && this.opts.onReaction) {
        this.say(`${PRIVATE} ${await this.react(this.opts.onReaction, rest.join(" "))}`);
        continue;
      }
      // A failed command is answered (and logged) by the router like any other reply.
      const reply = await this.opts.router.handle({
        platform: "console",
        name,
        text: rest.join(" "),
        requester: { platform: "console", userId: this.opts.user, name: this.opts.user },
        channel: this.opts.channel,
      });
      // A terminal has no markup to escape: markup is rendered by name, user text shown as typed.
      this.say(`${PRIVATE} ${renderUserText(reply.text, renderConsoleMarkup, (user) => user)}`);
    }
    this.closed = true;
  }

  private async react(onReaction: (event: ReactionEvent) => Promise<string>, args: string): Promise<string> {
    const event = parseReaction(args, { channel: this.opts.channel, user: this.opts.user });
    if (!event) return REACT_USAGE;
    try {
      return reactionLine(event, await onReaction(event));
    } catch (err) {
      return `Upshift could not take that command: ${(err as Error).message}`;
    }
  }
}
