import { BRAND, htmlPage } from "../html-page";
import { escapeHtml as e } from "../http";
import type { Client, Grant, SentMessage, User } from "../state";

export interface MailboxView {
  messages: SentMessage[];
  users: User[];
  clients: Client[];
  grants: Grant[];
}

export function mailboxPage(view: MailboxView, userBySub: (sub: string) => User | undefined): string {
  const rows = [...view.messages]
    .sort((a, b) => b.sentAt - a.sentAt)
    .map(
      (m) =>
        `<tr><td>${e(m.from)}</td><td>${e(m.envelope.to.join(", "))}</td><td><a href="/__emulator/messages/${e(m.id)}">${e(m.subject || "(no subject)")}</a></td><td class="small muted"><time datetime="${new Date(m.sentAt).toISOString()}">${e(new Date(m.sentAt).toLocaleString("en-GB"))}</time></td></tr>`,
    )
    .join("");
  const users = view.users
    .map((u) => `<li>${e(u.name)} &lt;${e(u.email)}&gt; <span class="small muted">sub ${e(u.sub)}</span></li>`)
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
        `<li>${e(userBySub(g.userSub)?.email ?? g.userSub)} → ${e(g.projectId)}: <span class="small">${e(g.scopes.join(" "))}</span></li>`,
    )
    .join("");
  return htmlPage(
    "Sent mail - Google emulator",
    `${BRAND}<h1>Sent mail</h1>
${rows ? `<table><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Sent</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="muted">Nothing sent yet.</p>`}
<h2>Users</h2><ul>${users}</ul><h2>OAuth clients</h2><ul>${clients}</ul><h2>Grants</h2>${grants ? `<ul>${grants}</ul>` : `<p class="muted">None.</p>`}`,
  );
}

export function messagePage(message: SentMessage): string {
  const headers = ["From", "To", "Cc", "Subject", "Date", "Message-ID"]
    .filter((h) => message.headers[h.toLowerCase()])
    .map((h) => `<tr><th scope="row">${h}</th><td>${e(message.headers[h.toLowerCase()] ?? "")}</td></tr>`)
    .join("");
  return htmlPage(
    message.subject || "(no subject)",
    `${BRAND}<p><a href="/__emulator/">← Sent mail</a></p><h1>${e(message.subject || "(no subject)")}</h1><table>${headers}<tr><th scope="row">Envelope to</th><td>${e(message.envelope.to.join(", "))}</td></tr><tr><th scope="row">Labels</th><td>${e(message.labelIds.join(", "))}</td></tr></table>
<h2>Text</h2><pre>${e(message.text)}</pre>${message.html !== null ? `<h2>HTML (source)</h2><pre>${e(message.html)}</pre>` : ""}<details><summary>Raw message</summary><pre>${e(message.raw)}</pre></details>`,
  );
}
