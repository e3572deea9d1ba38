import { BRAND, htmlPage } from "../html-page";
import { escapeHtml as e } from "../http";
import { isSignInScope, normalizeScopes, scopeLabel } from "../oauth2/scopes";
import type { Client, User } from "../state";

function clientDisplayName(client: Client): string {
  return client.name ?? client.id;
}

export function accountChooserPage(interactionId: string, client: Client, users: User[]): string {
  const accounts = users
    .map(
      (u) =>
        `<li><button class="account" type="submit" name="account" value="${e(u.email)}"><span class="avatar" aria-hidden="true">${e(u.name.slice(0, 1))}</span><span><strong>${e(u.name)}</strong><br><span class="muted small">${e(u.email)}</span></span></button></li>`,
    )
    .join("");
  return htmlPage(
    "Sign in - Google Accounts",
    `${BRAND}<h1>Choose an account</h1><p class="muted">to continue to <strong>${e(clientDisplayName(client))}</strong></p>
<form method="post" action="/o/oauth2/v2/auth/account"><input type="hidden" name="interaction" value="${e(interactionId)}"><ul class="accounts">${accounts}</ul></form>`,
  );
}

export function consentPage(
  interactionId: string,
  client: Client,
  user: User,
  requestedScopes: string[],
  granular: boolean,
): string {
  const scopes = normalizeScopes(requestedScopes);
  const signIn = scopes.filter(isSignInScope);
  const others = scopes.filter((s) => !isSignInScope(s));
  const name = e(clientDisplayName(client));
  const signInList = signIn.map((s) => `<li>${e(scopeLabel(s))}</li>`).join("");
  const otherList = granular
    ? others
        .map(
          (s, i) =>
            `<li><input type="checkbox" id="scope-${i}" name="scope" value="${e(s)}" checked><label for="scope-${i}">${e(scopeLabel(s))}</label></li>`,
        )
        .join("")
    : others.map((s) => `<li><input type="hidden" name="scope" value="${e(s)}">${e(scopeLabel(s))}</li>`).join("");
  return htmlPage(
    `Sign in to ${clientDisplayName(client)}`,
    `${BRAND}<h1>${name} wants access to your Google Account</h1><p class="muted">${e(user.name)} · ${e(user.email)}</p>
<form method="post" action="/o/oauth2/v2/auth/consent"><input type="hidden" name="interaction" value="${e(interactionId)}">
${signIn.length ? `<h2>Signing in lets ${name}</h2><ul class="scopes">${signInList}</ul>` : ""}
${others.length ? `<h2>${granular ? `Select what ${name} can access` : `This will allow ${name} to`}</h2><ul class="scopes">${otherList}</ul>` : ""}
<p class="small muted">Make sure you trust ${name}. You can remove access at any time in your Google Account.</p>
<div class="actions"><button type="submit" name="action" value="cancel">Cancel</button><button class="primary" type="submit" name="action" value="allow">Allow</button></div></form>`,
  );
}

export function errorPage(code: number, error: string, message: string, details: Record<string, string> = {}): string {
  const rows = Object.entries(details)
    .map(([k, v]) => `${e(k)}=${e(v)}`)
    .join("<br>");
  return htmlPage(
    `Error ${code}: ${error}`,
    `${BRAND}<h1>Access blocked: this request is invalid</h1><h2 class="error">Error ${code}: ${e(error)}</h2><p>${e(message)}</p>${rows ? `<p class="small muted">Request details: ${rows}</p>` : ""}`,
  );
}
