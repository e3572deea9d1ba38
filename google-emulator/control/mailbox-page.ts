import { BRAND, htmlPage, pagePolicy } from "../html-page";
import { escapeHtml as e } from "../http";
import type { Stream } from "../risc/risc-state";
import type { Client, Grant, SentMessage, User } from "../state";
import { sanitizeEmailHtml } from "./email-html";

export interface MailboxView {
  messages: SentMessage[];
  users: User[];
  clients: Client[];
  grants: Grant[];
  streams: Stream[];
  /** Subs of disabled accounts. */
  disabledUsers: Set<string>;
}

export function mailboxPage(view: MailboxView, userBySub: (sub: string) => User | undefined): string {
  const rows = byThread(view.messages)
    .map(
      (m) =>
        `<tr><td>${e(m.from)}</td><td>${e(m.envelope.to.join(", "))}</td><td>${m.incoming ? `↳ <span class="small muted">${e(m.incoming)}</span> ` : ""}<a href="/__emulator/messages/${e(m.id)}">${e(m.subject || "(no subject)")}</a></td><td class="small muted"><time datetime="${new Date(m.sentAt).toISOString()}">${e(new Date(m.sentAt).toLocaleString("en-GB"))}</time></td></tr>`,
    )
    .join("");
  const users = view.users
    .map(
      (u) =>
        `<li>${e(u.name)} &lt;${e(u.email)}&gt; <span class="small muted">sub ${e(u.sub)}</span>${view.disabledUsers.has(u.sub) ? ` <strong class="error">disabled</strong>` : ""}</li>`,
    )
    .join("");
  const clients = view.clients
    .map(
      (c) =>
        `<li>${e(c.id)} <span class="small muted">(${e(c.publishingStatus)}; ${e(c.redirectUris.join(", "))})</span></li>`,
    )
    .join("");
  const grants = view.grants
    .map(
      (g) =>
        `<li>${e(userBySub(g.userSub)?.email ?? g.userSub)} → ${e(g.projectId)}: <span class="small">${e(g.scopes.join(" "))}</span> ${removeAccessForm(g)}</li>`,
    )
    .join("");
  const streams = view.streams
    .map(
      (s) =>
        `<li>${e(s.projectId)} → ${e(s.delivery.url)} <span class="small muted">(${e(s.status)}; ${s.events_requested.length} event types)</span></li>`,
    )
    .join("");
  return htmlPage(
    "Sent mail - Google emulator",
    `${BRAND}<h1>Sent mail</h1>
${rows ? `<table><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Sent</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="muted">Nothing sent yet.</p>`}
<h2>Users</h2><ul>${users}</ul><h2>OAuth clients</h2><ul>${clients}</ul><h2>Grants</h2>${grants ? `<ul>${grants}</ul>` : `<p class="muted">None.</p>`}
<h2>Security event streams</h2>${streams ? `<ul>${streams}</ul>` : `<p class="muted">None.</p>`}`,
  );
}

/** Threads newest first (by their latest message); inside one, oldest first, so replies sit under what they answer. */
function byThread(messages: SentMessage[]): SentMessage[] {
  const threads = new Map<string, SentMessage[]>();
  for (const m of messages)
    threads.set(`${m.userSub} ${m.threadId}`, [...(threads.get(`${m.userSub} ${m.threadId}`) ?? []), m]);
  const latest = (thread: SentMessage[]) => Math.max(...thread.map((m) => m.sentAt));
  return [...threads.values()]
    .sort((a, b) => latest(b) - latest(a))
    .flatMap((thread) => [...thread].sort((a, b) => a.sentAt - b.sentAt));
}

/** As if the user removed the app at myaccount.google.com: the grant ends and tokens-revoked goes out. */
function removeAccessForm(grant: Grant): string {
  return `<form class="inline" method="post" action="/__emulator/grants/remove"><input type="hidden" name="userSub" value="${e(grant.userSub)}"><input type="hidden" name="projectId" value="${e(grant.projectId)}"><button type="submit">Remove access</button></form>`;
}

export function messagePage(message: SentMessage): string {
  const headers = ["From", "To", "Cc", "Subject", "Date", "Message-ID"]
    .filter((h) => message.headers[h.toLowerCase()])
    .map((h) => `<tr><th scope="row">${h}</th><td>${e(message.headers[h.toLowerCase()] ?? "")}</td></tr>`)
    .join("");
  return htmlPage(
    message.subject || "(no subject)",
    `${BRAND}<p><a href="/__emulator/">← Sent mail</a></p><h1>${e(message.subject || "(no subject)")}</h1><table>${headers}<tr><th scope="row">Envelope to</th><td>${e(message.envelope.to.join(", "))}</td></tr><tr><th scope="row">Labels</th><td>${e(message.labelIds.join(", "))}</td></tr></table>
<h2>Text</h2><pre>${e(message.text)}</pre>${message.html !== null ? `<h2>HTML</h2><iframe class="email" sandbox="" src="/__emulator/messages/${e(message.id)}/html" title="The message's HTML part"></iframe><details><summary>HTML source</summary><pre>${e(message.html)}</pre></details>` : ""}<details><summary>Raw message</summary><pre>${e(message.raw)}</pre></details>`,
  );
}

/** The message page may frame its own emulator's sandboxed HTML part, and nothing else. */
export const MESSAGE_PAGE_POLICY = pagePolicy({ frames: ["'self'"] });

/**
 * The policy of a message's HTML part, as well as the sandbox attribute of its frame: the document is
 * sandboxed even when opened on its own, runs nothing, loads nothing but inline images, submits nothing.
 */
export const EMAIL_HTML_POLICY =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

/** A message's HTML part, sanitized, as a document of its own for the message page's sandboxed frame. */
export function emailHtmlDocument(message: SentMessage): string {
  return `<!doctype html><html><head><meta charset="utf-8"></head><body>${sanitizeEmailHtml(message.html ?? "")}</body></html>`;
}
