// What Slack refuses in a message's blocks, written from Slack's reference pages independently of
// the adapter that builds them, so a test (and the fake Web API, which answers invalid_blocks as
// Slack does) catches a message over a limit. Sources: docs.slack.dev/reference/block-kit/blocks
// (up to 50 blocks per message), …/section-block (text 1–3,000), …/header-block (plain_text,
// 150), …/context-block (1–10 elements), …/actions-block (1–25 elements),
// …/block-elements/button-element (text 75, value 2,000, action_id 255).

export function blockViolations(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  const out: string[] = [];
  if (blocks.length > 50) out.push(`${blocks.length} blocks (at most 50)`);
  const len = (t: unknown) => (typeof t === "string" ? t.length : -1);
  for (const [i, raw] of blocks.entries()) {
    // biome-ignore lint/suspicious/noExplicitAny: blocks arrive as JSON and are read field by field
    const b = raw as any;
    if (b?.type === "header") {
      if (b.text?.type !== "plain_text") out.push(`block ${i}: header text is not plain_text`);
      const n = len(b.text?.text);
      if (n < 1 || n > 150) out.push(`block ${i}: header text has ${n} characters (1 to 150)`);
    } else if (b?.type === "section") {
      const n = len(b.text?.text);
      if (n < 1 || n > 3000) out.push(`block ${i}: section text has ${n} characters (1 to 3000)`);
    } else if (b?.type === "context") {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      if (elements.length < 1 || elements.length > 10)
        out.push(`block ${i}: context has ${elements.length} elements (1 to 10)`);
      for (const e of elements) {
        const n = len(e?.text);
        if (n < 1 || n > 3000) out.push(`block ${i}: context element has ${n} characters (1 to 3000)`);
      }
    } else if (b?.type === "actions") {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      if (elements.length < 1 || elements.length > 25)
        out.push(`block ${i}: actions has ${elements.length} elements (1 to 25)`);
      for (const e of elements) {
        if (e?.type !== "button") out.push(`block ${i}: element ${String(e?.type)} is not a button`);
        if (len(e?.text?.text) < 1 || len(e?.text?.text) > 75) out.push(`block ${i}: button text out of 1 to 75`);
        if (len(e?.value) > 2000) out.push(`block ${i}: button value over 2000`);
        if (len(e?.action_id) < 1 || len(e?.action_id) > 255) out.push(`block ${i}: action_id out of 1 to 255`);
      }
    } else out.push(`block ${i}: unexpected type ${String(b?.type)}`);
  }
  return out;
}
