import { createHash } from "node:crypto";
import { escapeHtml as e } from "./http";

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
.error{color:#b3261e}form.inline{display:inline;margin-left:8px}iframe.email{display:block;width:100%;min-height:320px;border:1px solid #e3e3e3;border-radius:8px}`;

/** The page shell the sign-in screens and the mailbox share, styled after Google's account pages. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const STYLE_SOURCE = `'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`;

export interface PagePolicyOptions {
  /** Origins a form on the page may end up on after a redirect (the OAuth client's redirect URI). */
  formTargets?: string[];
  /** Sources of the page's iframes (the mailbox's sandboxed message HTML). */
  frames?: string[];
}

/** The CSP of every emulator page: no script at all, only its own stylesheet, never framed. */
export function pagePolicy({ formTargets = [], frames = [] }: PagePolicyOptions = {}): string {
  return [
    "default-src 'none'",
    `style-src ${STYLE_SOURCE}`,
    `frame-src ${frames.length ? frames.join(" ") : "'none'"}`,
    `form-action 'self'${formTargets.map((target) => ` ${target}`).join("")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}

export const BRAND = `<div class="brand">Google <span class="muted small">(local emulator)</span></div>`;
