// The console "platform": the demo's chat. Messages go to a stream as a channel with threads,
// edits are shown as edits, files are printed inline (a terminal has nowhere to attach them).

import type { ChatMessage, ChatPoster, PostedMessage, PostOptions } from "../../src/chat/types.ts";
import { renderUserText } from "../../src/chat/userText.ts";
import { renderConsoleMarkup } from "./consoleMarkup.ts";
import { consoleTraits } from "./consoleTraits.ts";

const FILE_PREVIEW_LINES = 20;

export interface ConsoleEntry {
  kind: "root" | "reply" | "edit" | "reaction";
  channel: string;
  id: string;
  thread?: string;
  text: string;
}

export class ConsolePoster implements ChatPoster {
  readonly platform = "console" as const;
  readonly traits = consoleTraits;
  private nextId = 1;
  private readonly out: NodeJS.WritableStream;
  /** Everything posted, in order: what the demo's tests read. */
  readonly log: ConsoleEntry[] = [];
  /**
   * Keyed posts by channel, thread ("" for roots) and key. The demo process cannot die and resume
   * a job, so nothing needs this in practice; it keeps the ChatPoster contract whole.
   */
  private readonly keyed = new Map<string, PostedMessage>();

  constructor(out: NodeJS.WritableStream = process.stdout) {
    this.out = out;
  }

  private write(text: string): void {
    this.out.write(`${text}\n`);
  }

  private render(message: ChatMessage): string {
    // Slack/Discord markup as a terminal shows it: no bold markers, mentions and channels by name.
    // User text is shown as typed: the conversion never sees it.
    const text = renderUserText(message.text, renderConsoleMarkup, (user) => user);
    if (!message.file) return text;
    // A terminal has nowhere to attach a file: show a short one, name a long one.
    const lines = message.file.content.split("\n");
    if (lines.length <= FILE_PREVIEW_LINES)
      return `${text}\n--- ${message.file.name} ---\n${message.file.content}\n--- end of ${message.file.name} ---`;
    return `${text}\n📎 ${message.file.name} (${lines.length} lines; in Slack and Discord it is attached to this message)`;
  }

  async postRoot(channel: string, message: ChatMessage, opts: PostOptions = {}): Promise<PostedMessage> {
    const id = String(this.nextId++);
    const text = this.render(message);
    this.log.push({ kind: "root", channel, id, text });
    this.write(`\n#${channel} [${id}] upshift: ${text}`);
    if (opts.key) this.keyed.set(keyOf(channel, undefined, opts.key), { id, thread: id });
    return { id, thread: id };
  }

  async postInThread(
    address: { channel: string; thread: string },
    message: ChatMessage,
    opts: PostOptions = {},
  ): Promise<string> {
    const id = String(this.nextId++);
    if (opts.key) this.keyed.set(keyOf(address.channel, address.thread, opts.key), { id, thread: address.thread });
    const text = this.render(message);
    this.log.push({ kind: "reply", channel: address.channel, id, thread: address.thread, text });
    const indented = text
      .split("\n")
      .map((l) => `   │ ${l}`)
      .join("\n");
    this.write(`   ↳ [${id}] in thread [${address.thread}]\n${indented}`);
    return id;
  }

  async findPosted(channel: string, thread: string | undefined, key: string): Promise<PostedMessage | undefined> {
    return this.keyed.get(keyOf(channel, thread, key));
  }

  async update(channel: string, messageId: string, message: ChatMessage): Promise<void> {
    const text = this.render(message);
    this.log.push({ kind: "edit", channel, id: messageId, text });
    this.write(`#${channel} [${messageId}] (edited) upshift: ${text}`);
  }

  async react(channel: string, messageId: string, emoji: string): Promise<void> {
    this.log.push({ kind: "reaction", channel, id: messageId, text: emoji });
    this.write(`#${channel} [${messageId}] upshift reacted ${emoji}`);
  }
}

function keyOf(channel: string, thread: string | undefined, key: string): string {
  return JSON.stringify([channel, thread ?? "", key]);
}
