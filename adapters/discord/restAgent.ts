// The HTTP agent of every Discord REST client Upshift makes, so that which module loads first never
// decides whether an attachment can be sent.
//
// On Node, @discordjs/rest 2.6 sends with undici 6's request() (its default strategy) and, without
// an `agent`, that takes undici's global dispatcher: globalThis[Symbol.for("undici.globalDispatcher.1")],
// one slot shared by every undici copy in the process. undici 8 (under @slack/bolt's socket mode and
// @kubernetes/client-node) claims it when it loads after undici 6: its lib/global.js, finding its own
// ".2" slot empty, sets ".2" and overwrites ".1" with a Dispatcher1Wrapper around its Agent. undici
// 8's Request refuses any FormData it did not create ("body must be a FormData created by this
// undici package instance", lib/core/request.js), and a file upload is a FormData that
// @discordjs/rest builds from globalThis.FormData, Node's own. cli/services.ts loads adapters/discord
// before Slack and Kubernetes, so every attachment (the add-on cycle's backups) failed on Node 22,
// whose bundled undici 6.21 claims only ".1", and under vitest, which evaluates imports one by one.
// Node 24 escapes by luck: its bundled undici 7.29 claims both slots first, at the moment an ES
// module imports node:http (the import builds the facade, which reads http.WebSocket, which loads
// Node's undici), and that Agent takes Node's FormData.
//
// An Agent of undici 6 itself (package.json pins the version @discordjs/rest resolves, so it is the
// same copy) makes the dispatcher ours whatever loads when. Any undici before 8 would do: they all
// send a FormData-like body through their own multipart encoder.
import { Agent } from "undici";

export const discordRestAgent = new Agent();
