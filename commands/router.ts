// Routes a CommandInvocation to its handler. Every adapter (Slack, Discord, console) shares this
// one router, so a command behaves the same everywhere and is tested once.
import type { CommandInvocation, CommandReply, CommandSpec } from "./types.ts";

export interface CommandHandler {
  spec: CommandSpec;
  handle(inv: CommandInvocation): Promise<CommandReply>;
}

export class CommandRouter {
  private readonly handlers = new Map<string, CommandHandler>();

  constructor(handlers: CommandHandler[] = []) {
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

  async handle(inv: CommandInvocation): Promise<CommandReply> {
    const name = inv.name.replace(/^\//, "");
    const handler = this.handlers.get(name);
    if (!handler) {
      const known = [...this.handlers.keys()].map((n) => `/${n}`).join(", ");
      return { refused: true, text: `Unknown command /${name}. Upshift knows: ${known}.` };
    }
    return handler.handle({ ...inv, name });
  }
}
