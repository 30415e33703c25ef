// A ChatMessage's structure (src/chat/richMessage.ts) as Slack Block Kit: a header, one section
// per item, the sections' notes and the context lines as context blocks, and the buttons as an
// actions block. Every limit below is Slack's documented one; a message that would pass one is
// cut here (text shortened at a line or word, items past the block budget counted in a last
// section), never sent for Slack to refuse. The message's `text` stays the fallback Slack shows
// in notifications and where blocks cannot be shown.
import type { types } from "@slack/bolt";
import { type ChatAction, clip, plainTitle, type RichItem, type RichMessage } from "../../src/chat/richMessage.ts";
import type { ChatMessage } from "../../src/chat/types.ts";
import { escapeMrkdwn, toMrkdwn } from "./mrkdwn.ts";

type KnownBlock = types.KnownBlock;
type SectionBlock = types.SectionBlock;
type HeaderBlock = types.HeaderBlock;
type ContextBlock = types.ContextBlock;
type ActionsBlock = types.ActionsBlock;
type Button = types.Button;

/**
 * Slack's Block Kit limits. Sources: docs.slack.dev/reference/block-kit/blocks ("up to 50 blocks
 * in each message"), …/blocks/section-block (text 1–3,000 characters), …/blocks/header-block
 * (plain_text, 150 characters), …/blocks/context-block (at most 10 elements), …/blocks/actions-block
 * (at most 25 elements), …/block-elements/button-element (text 75, value 2,000, action_id 255).
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  headerText: 150,
  contextElements: 10,
  /** A context element is a text object; mrkdwn text objects go to 3,000 like a section's. */
  contextElementText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
} as const;

/** The action_id of each approval button (Bolt routes clicks by it: app.action). */
export const ACTION_IDS: Record<ChatAction["kind"], string> = {
  approve: "upshift_approve",
  cancel: "upshift_cancel",
};

const TONE_ICON: Record<RichMessage["tone"], string> = {
  good: "✅",
  warning: "⚠️",
  danger: "⛔",
  info: "ℹ️",
  progress: "⏳",
};

function section(mrkdwn: string): SectionBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(mrkdwn, SLACK_LIMITS.sectionText) } };
}

function itemText(item: RichItem): string {
  const text = toMrkdwn(item.text);
  if (!item.link) return text;
  // The link is built after escaping: it is Slack markup of ours, not user text.
  const link = `<${item.link.url}|${escapeMrkdwn(item.link.label).replace(/[|>]/g, "")}>`;
  // Kept whole: the text gives way so the link is never cut.
  return `${clip(text, SLACK_LIMITS.sectionText - link.length - 1)}\n${link}`;
}

function context(all: readonly string[]): ContextBlock {
  const lines = all.filter((l) => l.trim());
  const elements = lines.slice(0, SLACK_LIMITS.contextElements);
  // More lines than elements: the last element carries the rest.
  if (lines.length > SLACK_LIMITS.contextElements)
    elements[elements.length - 1] = lines.slice(SLACK_LIMITS.contextElements - 1).join(" · ");
  return {
    type: "context",
    elements: elements.map((l) => ({ type: "mrkdwn", text: clip(toMrkdwn(l), SLACK_LIMITS.contextElementText) })),
  };
}

function actionsBlock(actions: readonly ChatAction[]): ActionsBlock {
  return {
    type: "actions",
    block_id: "upshift_approval",
    elements: actions.slice(0, SLACK_LIMITS.actionsElements).map(
      (a): Button => ({
        type: "button",
        action_id: ACTION_IDS[a.kind],
        text: { type: "plain_text", text: clip(a.label, SLACK_LIMITS.buttonText), emoji: true },
        value: a.value.slice(0, SLACK_LIMITS.buttonValue),
        style: a.kind === "approve" ? "primary" : "danger",
      }),
    ),
  };
}

/**
 * The blocks of a message, or undefined for a message with no structure (it is sent as text).
 * The result always holds within SLACK_LIMITS.
 */
export function toBlocks(message: ChatMessage): KnownBlock[] | undefined {
  const rich = message.rich;
  if (!rich && !message.actions?.length) return undefined;
  const blocks: KnownBlock[] = [];
  const title = rich?.title ? plainTitle(rich.title) : "";
  if (rich && title) {
    const header: HeaderBlock = {
      type: "header",
      text: {
        type: "plain_text",
        text: clip(/^[\p{L}\p{N}]/u.test(title) ? `${TONE_ICON[rich.tone]} ${title}` : title, SLACK_LIMITS.headerText),
        emoji: true,
      },
    };
    blocks.push(header);
  }
  if (rich?.summary) blocks.push(section(toMrkdwn(rich.summary)));
  if (!rich && message.text.trim()) blocks.push(section(toMrkdwn(message.text)));
  // Room kept at the end: the overflow count, the context, the buttons.
  const tail = (rich?.context.some((l) => l.trim()) ? 1 : 0) + (message.actions?.length ? 1 : 0);
  const budget = SLACK_LIMITS.blocksPerMessage - tail - 1;
  let dropped = 0;
  for (const s of rich?.sections ?? []) {
    const parts: KnownBlock[] = [];
    if (s.title) parts.push(section(`*${escapeMrkdwn(s.title)}*`));
    // Slack refuses an empty section; an empty item is left out.
    for (const item of s.items) if (item.text.trim() || item.link) parts.push(section(itemText(item)));
    if (s.note?.trim()) parts.push(context([s.note]));
    for (const b of parts) {
      if (blocks.length < budget) blocks.push(b);
      else if (b.type === "section") dropped++;
    }
  }
  if (dropped > 0)
    blocks.push(
      section(
        `…and ${dropped} more not shown here: the message text has them${message.file ? ", and the attached file" : ""}.`,
      ),
    );
  if (rich?.context.some((l) => l.trim())) blocks.push(context(rich.context));
  if (message.actions?.length) blocks.push(actionsBlock(message.actions));
  // Nothing to lay out: the message goes as text alone.
  return blocks.length ? blocks : undefined;
}
