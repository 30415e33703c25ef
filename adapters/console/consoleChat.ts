// A terminal chat for the demo: the user types slash commands, Upshift answers like it would in
// Slack (ephemeral replies marked as "only visible to you"), and the worker's thread appears
// below. Thin on purpose: parsing and validation are the shared command layer's.
import { createInterface, type Interface } from "node:readline";
import type { CommandRouter } from "../../commands/router.ts";
import { renderUserText } from "../../src/chat/userText.ts";
import { renderConsoleMarkup } from "./consoleMarkup.ts";

export interface ConsoleChatOptions {
  router: CommandRouter;
  channel?: string;
  user?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Extra console-only commands (e.g. "/react 3 ✅" to simulate a reaction in the demo). */
  extra?: Record<string, (args: string) => Promise<string>>;
}

export class ConsoleChat {
  private readonly rl: Interface;
  private readonly opts: Required<Omit<ConsoleChatOptions, "extra">> & Pick<ConsoleChatOptions, "extra">;
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

  /** Reads commands until the input ends or close() is called. */
  async run(): Promise<void> {
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
      const extra = this.opts.extra?.[name];
      if (extra) {
        this.say(
          await extra(rest.join(" ")).catch(
            (err: Error) => `(only visible to you) Upshift could not take that command: ${err.message}`,
          ),
        );
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
      this.say(`(only visible to you) ${renderUserText(reply.text, renderConsoleMarkup, (user) => user)}`);
    }
  }

  close(): void {
    this.closed = true;
    this.rl.close();
  }
}
