// A ChatMessage's structure (src/chat/richMessage.ts) as Discord embeds coloured by its tone
// (green ready/done, yellow warnings, red blocked/failed), and its buttons as a component row.
// The items are packed into embed descriptions in order; what would pass Discord's limits is
// counted in a closing line instead of being sent for Discord to refuse (a long report's full
// list is the attached file, as before).

import { type ChatAction, clip, plainTitle, type RichMessage, type Tone } from "../../src/chat/richMessage.ts";
import type { ChatMessage } from "../../src/chat/types.ts";
import { toDiscordMarkdown } from "./format.ts";

/**
 * Discord's limits. Sources: discord.com/developers/docs/resources/message ("Embed Limits": title
 * 256, description 4,096, 25 fields, footer 2,048, at most 6,000 characters across every embed of
 * a message; Create Message: up to 10 embeds) and …/components/reference (a button's custom_id
 * 1–100 characters, label 80; at most 5 buttons in an action row).
 */
export const DISCORD_LIMITS = {
  embedsPerMessage: 10,
  embedTitle: 256,
  embedDescription: 4_096,
  embedTotal: 6_000,
  customId: 100,
  buttonLabel: 80,
  buttonsPerRow: 5,
} as const;

export const TONE_COLOUR: Record<Tone, number> = {
  good: 0x2eb67d,
  warning: 0xecb22e,
  danger: 0xe01e5a,
  info: 0x5865f2,
  progress: 0x99aab5,
};

const TONE_ICON: Record<Tone, string> = { good: "✅", warning: "⚠️", danger: "⛔", info: "ℹ️", progress: "⏳" };

/** custom_id of an approval button: "upshift:approve:<value>" (the value is the plan and its hash). */
export const CUSTOM_ID_PREFIX = "upshift:";

export function customIdFor(action: ChatAction): string {
  return `${CUSTOM_ID_PREFIX}${action.kind}:${action.value}`.slice(0, DISCORD_LIMITS.customId);
}

/** The decision and value of one of our buttons' custom_id; undefined for anything else. */
export function parseCustomId(id: string): { kind: ChatAction["kind"]; value: string } | undefined {
  const m = /^upshift:(approve|cancel):(.+)$/.exec(id);
  return m ? { kind: m[1] as ChatAction["kind"], value: m[2] } : undefined;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  color: number;
}

export interface DiscordButtonRow {
  type: 1;
  components: Array<{ type: 2; style: 3 | 4; label: string; custom_id: string }>;
}

/** The pieces of a message's body, in order, each kept whole in one embed when it fits. */
function pieces(rich: RichMessage): string[] {
  const out: string[] = [];
  if (rich.summary) out.push(toDiscordMarkdown(rich.summary));
  for (const s of rich.sections) {
    if (s.title) out.push(`**${s.title}**`);
    for (const item of s.items) {
      const text = toDiscordMarkdown(item.text);
      out.push(item.link ? `${text}\n[${item.link.label}](${item.link.url})` : text);
    }
    if (s.note) out.push(`*${s.note}*`);
  }
  return out;
}

/** The embeds of a message with structure (undefined without), within every limit above. */
export function toEmbeds(message: ChatMessage): DiscordEmbed[] | undefined {
  const rich = message.rich;
  if (!rich) return undefined;
  const color = TONE_COLOUR[rich.tone];
  const title = rich.title
    ? clip(
        plainTitle(/^[\p{L}\p{N}]/u.test(rich.title) ? `${TONE_ICON[rich.tone]} ${rich.title}` : rich.title),
        DISCORD_LIMITS.embedTitle,
      )
    : undefined;
  // Context goes last, in italics: mentions render in a description, not in a footer.
  const contextLine = rich.context.length
    ? `*${clip(rich.context.map(toDiscordMarkdown).join(" · "), 1_000)}*`
    : undefined;
  // Room kept for the context line and for a closing count of what did not fit.
  const reserve = (contextLine ? contextLine.length + 2 : 0) + 120;
  let budget = DISCORD_LIMITS.embedTotal - (title?.length ?? 0) - reserve;
  const descriptions: string[] = [""];
  let dropped = 0;
  for (const raw of pieces(rich)) {
    const room = Math.min(DISCORD_LIMITS.embedDescription - reserve, budget - 2);
    // A stub of a few characters says nothing: past the budget a piece is counted, not cut to nothing.
    if (room < Math.min(raw.length, 80) || raw.length === 0) {
      dropped++;
      continue;
    }
    const piece = clip(raw, room);
    const current = descriptions[descriptions.length - 1];
    const joined = current ? `${current}\n\n${piece}` : piece;
    if (joined.length <= DISCORD_LIMITS.embedDescription - reserve) descriptions[descriptions.length - 1] = joined;
    else if (descriptions.length < DISCORD_LIMITS.embedsPerMessage) descriptions.push(piece);
    else {
      dropped++;
      continue;
    }
    budget -= piece.length + 2;
  }
  const last = descriptions.length - 1;
  if (dropped > 0)
    descriptions[last] =
      `${descriptions[last]}\n\n*…and ${dropped} more not shown here${message.file ? ": see the attached file" : ""}.*`.trim();
  if (contextLine) descriptions[last] = `${descriptions[last]}\n\n${contextLine}`.trim();
  return descriptions.map((description, i) => ({
    ...(i === 0 && title ? { title } : {}),
    ...(description ? { description } : {}),
    color,
  }));
}

/** The buttons of a message as one action row (undefined without buttons). */
export function toComponents(message: ChatMessage): DiscordButtonRow[] | undefined {
  if (!message.actions?.length) return undefined;
  return [
    {
      type: 1,
      components: message.actions.slice(0, DISCORD_LIMITS.buttonsPerRow).map((a) => ({
        type: 2,
        // Success (green) to approve, Danger (red) to cancel.
        style: a.kind === "approve" ? 3 : 4,
        label: clip(a.label, DISCORD_LIMITS.buttonLabel),
        custom_id: customIdFor(a),
      })),
    },
  ];
}
