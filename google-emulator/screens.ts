import { escapeHtml as e } from "./http";
import { isSignInScope, normalizeScopes, scopeLabel } from "./scopes";
import type { Client, Grant, SentMessage, User } from "./state";

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f0f4f9;color:#1f1f1f}
main{max-width:760px;margin:48px auto;background:#fff;border-radius:28px;padding:36px 40px}
h1{font-size:28px;font-weight:400;margin:8px 0 4px}h2{font-size:18px;font-weight:500;margin:24px 0 8px}
.brand{font-weight:600;color:#0b57d0;letter-spacing:.02em}.muted{color:#444746}.small{font-size:13px}
ul.accounts{list-style:none;padding:0;margin:16px 0}ul.accounts li{border-top:1px solid #e3e3e3}
button.account{display:flex;width:100%;gap:12px;align-items:center;padding:12px 8px;border:0;background:none;text-align:left;font:inherit;cursor:pointer}
button.account:hover{background:#f0f4f9}.avatar{width:32px;height:32px;border-radius:50%;background:#0b57d0;color:#fff;display:grid;place-items:center;font-weight:600}
.scopes{list-style:none;padding:0}.scopes li{padding:8px 0;border-top:1px solid #e3e3e3;display:flex;gap:10px;align-items:flex-start}
.actions{display:flex;justify-content:flex-end;gap:12px;margin-top:28px}
.actions button{font:inherit;padding:8px 24px;border-radius:20px;cursor:pointer;border:1px solid #747775;background:#fff;color:#0b57d0}
.actions button.primary{background:#0b57d0;color:#fff;border-color:#0b57d0}
table{width:100%;border-collapse:collapse}td,th{padding:8px 6px;border-top:1px solid #e3e3e3;text-align:left;vertical-align:top}
a{color:#0b57d0}pre{white-space:pre-wrap;word-break:break-word;background:#f8f9fa;padding:12px;border-radius:8px;font-size:13px}
.error{color:#b3261e}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const brand = `<div class="brand">Google <span class="muted small">(local emulator)</span></div>`;

export function clientDisplayName(client: Client): string {
  return client.name ?? client.id;
}

export function accountChooserPage(interactionId: string, client: Client, users: User[]): string {
  const accounts = users
    .map(
      (u) => `<li><button class="account" type="submit" name="account" value="${e(u.email)}"><span class="avatar" aria-hidden="true">${e(u.name.slice(0, 1))}</span><span><strong>${e(u.name)}</strong><br><span class="muted small">${e(u.email)}</span></span></button></li>`,
    )
    .join("");
  return page(
    "Sign in - Google Accounts",
    `${brand}<h1>Choose an account</h1><p class="muted">to continue to <strong>${e(clientDisplayName(client))}</strong></p>
<form method="post" action="/o/oauth2/v2/auth/account"><input type="hidden" name="interaction" value="${e(interactionId)}"><ul class="accounts">${accounts}</ul></form>`,
  );
}

export function consentPage(interactionId: string, client: Client, user: User, requestedScopes: string[], granular: boolean): string {
  const scopes = normalizeScopes(requestedScopes);
  const signIn = scopes.filter(isSignInScope);
  const others = scopes.filter((s) => !isSignInScope(s));
  const name = e(clientDisplayName(client));
  const signInList = signIn.map((s) => `<li>${e(scopeLabel(s))}</li>`).join("");
  const otherList = granular
    ? others.map((s, i) => `<li><input type="checkbox" id="scope-${i}" name="scope" value="${e(s)}" checked><label for="scope-${i}">${e(scopeLabel(s))}</label></li>`).join("")
    : others.map((s) => `<li><input type="hidden" name="scope" value="${e(s)}">${e(scopeLabel(s))}</li>`).join("");
  return page(
    `Sign in to ${clientDisplayName(client)}`,
    `${brand}<h1>${name} wants access to your Google Account</h1><p class="muted">${e(user.name)} · ${e(user.email)}</p>
<form method="post" action="/o/oauth2/v2/auth/consent"><input type="hidden" name="interaction" value="${e(interactionId)}">
${signIn.length ? `<h2>Signing in lets ${name}</h2><ul class="scopes">${signInList}</ul>` : ""}
${others.length ? `<h2>${granular ? `Select what ${name} can access` : `This will allow ${name} to`}</h2><ul class="scopes">${otherList}</ul>` : ""}
<p class="small muted">Make sure you trust ${name}. You can remove access at any time in your Google Account.</p>
<div class="actions"><button type="submit" name="action" value="cancel">Cancel</button><button class="primary" type="submit" name="action" value="allow">Allow</button></div></form>`,
  );
}

export function errorPage(code: number, error: string, message: string, details: Record<string, string> = {}): string {
  const rows = Object.entries(details).map(([k, v]) => `${e(k)}=${e(v)}`).join("<br>");
  return page(
    `Error ${code}: ${error}`,
    `${brand}<h1>Access blocked: this request is invalid</h1><h2 class="error">Error ${code}: ${e(error)}</h2><p>${e(message)}</p>${rows ? `<p class="small muted">Request details: ${rows}</p>` : ""}`,
  );
}

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
      (m) => `<tr><td>${e(m.from)}</td><td>${e(m.envelope.to.join(", "))}</td><td><a href="/__emulator/messages/${e(m.id)}">${e(m.subject || "(no subject)")}</a></td><td class="small muted"><time datetime="${new Date(m.sentAt).toISOString()}">${e(new Date(m.sentAt).toLocaleString("en-GB"))}</time></td></tr>`,
    )
    .join("");
  const users = view.users.map((u) => `<li>${e(u.name)} &lt;${e(u.email)}&gt; <span class="small muted">sub ${e(u.sub)}</span></li>`).join("");
  const clients = view.clients.map((c) => `<li>${e(c.id)} <span class="small muted">(${e(c.publishingStatus)}; ${e(c.redirectUris.join(", "))})</span></li>`).join("");
  const grants = view.grants.map((g) => `<li>${e(userBySub(g.userSub)?.email ?? g.userSub)} → ${e(g.projectId)}: <span class="small">${e(g.scopes.join(" "))}</span></li>`).join("");
  return page(
    "Sent mail - Google emulator",
    `${brand}<h1>Sent mail</h1>
${rows ? `<table><thead><tr><th scope="col">From</th><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Sent</th></tr></thead><tbody>${rows}</tbody></table>` : `<p class="muted">Nothing sent yet.</p>`}
<h2>Users</h2><ul>${users}</ul><h2>OAuth clients</h2><ul>${clients}</ul><h2>Grants</h2>${grants ? `<ul>${grants}</ul>` : `<p class="muted">None.</p>`}`,
  );
}

export function messagePage(message: SentMessage): string {
  const headers = ["From", "To", "Cc", "Subject", "Date", "Message-ID"]
    .filter((h) => message.headers[h.toLowerCase()])
    .map((h) => `<tr><th scope="row">${h}</th><td>${e(message.headers[h.toLowerCase()] ?? "")}</td></tr>`)
    .join("");
  return page(
    message.subject || "(no subject)",
    `${brand}<p><a href="/__emulator/">← Sent mail</a></p><h1>${e(message.subject || "(no subject)")}</h1><table>${headers}<tr><th scope="row">Envelope to</th><td>${e(message.envelope.to.join(", "))}</td></tr><tr><th scope="row">Labels</th><td>${e(message.labelIds.join(", "))}</td></tr></table>
<h2>Text</h2><pre>${e(message.text)}</pre>${message.html !== null ? `<h2>HTML (source)</h2><pre>${e(message.html)}</pre>` : ""}<details><summary>Raw message</summary><pre>${e(message.raw)}</pre></details>`,
  );
}
