import { parseDocument } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";
import { describe, expect, it } from "vitest";
import { sanitizeEmailHtml } from "@/google-emulator/control/email-html";
import { EVIL_HOST, xssCorpus } from "./xss-corpus";

// Issue 12, item 7: the mailbox shows a message's HTML only after this sanitizer, and nothing in the
// corpus comes out of it able to run script, load a resource, navigate or submit.

// Elements that can neither run script nor fetch anything by themselves (img is checked for its src).
const INERT = new Set(
  (
    "address article aside footer header h1 h2 h3 h4 h5 h6 hgroup main nav section blockquote dd div dl dt " +
    "figcaption figure hr li menu ol p pre ul a abbr b bdi bdo br cite code data dfn em i kbd mark q rb rp rt " +
    "rtc ruby s samp small span strong sub sup time u var wbr caption col colgroup table tbody td tfoot th " +
    "thead tr img font center"
  ).split(" "),
);
const URL_ATTRIBUTES = new Set(["href", "src"]);
const SAFE_LINK = /^(?:https?:|mailto:)/i;
const INLINE_RASTER_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,/i;

function elements(nodes: ChildNode[]): Element[] {
  return nodes.flatMap((node) => ("attribs" in node ? [node, ...elements(node.children)] : []));
}

/** Why this sanitized markup could still do something, or nothing. */
function capabilities(html: string): string[] {
  const found: string[] = [];
  for (const element of elements(parseDocument(html).children)) {
    if (!INERT.has(element.name)) found.push(`element <${element.name}>`);
    for (const [name, value] of Object.entries(element.attribs)) {
      // What a browser ignores inside a URL before reading its scheme.
      const url = value.replace(/[\u0000-\u0020]/g, "");
      if (/^on/i.test(name)) found.push(`handler ${name}`);
      else if (URL_ATTRIBUTES.has(name)) {
        const safe = element.name === "img" ? INLINE_RASTER_IMAGE.test(url) : SAFE_LINK.test(url);
        if (!safe || (url.includes(EVIL_HOST) && element.name !== "a")) found.push(`${name}=${value}`);
      } else if (name === "style" && /url\(|expression|javascript|behavior|binding|@import|\\/i.test(value))
        found.push(`style ${value}`);
      else if (
        !/^(?:style|title|dir|lang|align|name|rel|alt|width|height|color|face|size|border|cellpadding|cellspacing|colspan|rowspan|valign|scope|start|type)$/.test(
          name,
        )
      )
        found.push(`attribute ${name}`);
    }
  }
  return found;
}

describe("every payload of the XSS corpus, sanitized", () => {
  const corpus = xssCorpus();

  it("is a corpus of at least 100 payloads over every classic family", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    expect(new Set(corpus.map((payload) => payload.family)).size).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus.map((payload) => [payload.id, payload.family, payload.html] as const))(
    "#%i (%s) leaves nothing that runs, loads, navigates or submits: %s",
    (_, __, html) => {
      const clean = sanitizeEmailHtml(html);
      expect(capabilities(clean)).toEqual([]);
      // Parsing the output again changes nothing, so no second reading can grow new markup (mutation XSS).
      expect(sanitizeEmailHtml(clean)).toBe(clean);
    },
  );
});

describe("what an ordinary HTML email keeps", () => {
  it("text formatting, tables, colours, safe links and inline images", () => {
    const pixel = "data:image/png;base64,iVBORw0KGgo=";
    const clean = sanitizeEmailHtml(
      `<table width="100%" cellpadding="4"><tr><td style="color: #065f46; font-weight: bold">Hello <b>Ada</b></td></tr></table>` +
        `<p style="text-align: center">Read <a href="https://evergreen.example/news" target="_blank">the news</a> or <a href="mailto:ada@example.com">write</a>.</p>` +
        `<img src="${pixel}" alt="logo" width="16"><font color="red">Red</font>`,
    );
    expect(clean).toContain('<td style="color:#065f46;font-weight:bold">Hello <b>Ada</b></td>');
    expect(clean).toContain('<p style="text-align:center">');
    expect(clean).toContain('<a href="https://evergreen.example/news" rel="noopener noreferrer">the news</a>');
    expect(clean).toContain('<a href="mailto:ada@example.com" rel="noopener noreferrer">write</a>');
    expect(clean).toContain(`<img src="${pixel}" alt="logo" width="16" />`);
    expect(clean).toContain('<font color="red">Red</font>');
    expect(capabilities(clean)).toEqual([]);
  });

  it("drops remote images (they would tell the sender the mail was read) and SVG ones (they can carry script)", () => {
    expect(sanitizeEmailHtml(`<img src="https://tracker.example/open.gif">a`)).toBe("a");
    expect(sanitizeEmailHtml(`<img src="data:image/svg+xml;base64,PHN2Zy8+">b`)).toBe("b");
  });
});
