// Every platform's traits by name, for what runs before (or without) any poster: an abort's
// mentions and who approves, on the bot side. Each platform's traits live in its own folder; a
// new platform adds its traits here.
import { PlatformTraitsTable } from "../src/chat/platformTraits.ts";
import { consoleTraits } from "./console/consoleTraits.ts";
import { discordTraits } from "./discord/discordTraits.ts";
import { slackTraits } from "./slack/slackTraits.ts";

export const platformTraits = new PlatformTraitsTable([slackTraits, discordTraits, consoleTraits]);
