import sanitizeHtml from "sanitize-html";

/**
 * A sent message's HTML part as the mailbox shows it: formatting kept, anything that could run, load
 * or submit removed. The page that shows it is sandboxed and has its own CSP as well (mailbox-page.ts).
 */

// Values made of words, numbers, #colours and rgb(): never url(), expression(), escapes or quotes.
const CSS_VALUE = [/^(?:[#\w.%-]+|rgba?\([\d\s.,%]+\))(?:\s+(?:[#\w.%-]+|rgba?\([\d\s.,%]+\)))*$/i];
const STYLED = [
  "color",
  "background-color",
  "font-family",
  "font-size",
  "font-style",
  "font-weight",
  "line-height",
  "text-align",
  "text-decoration",
  "vertical-align",
  "white-space",
  "margin",
  "margin-top",
  "margin-right",
  "margin-bottom",
  "margin-left",
  "padding",
  "padding-top",
  "padding-right",
  "padding-bottom",
  "padding-left",
  "border",
  "border-collapse",
  "width",
  "max-width",
  "height",
];
const ABSOLUTE_LINK = /^\s*(?:https?:\/\/|mailto:)/i;
// Only inline raster images: an SVG could carry script, and a remote image would tell the sender it was read.
const INLINE_IMAGE = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, "img", "font", "center"],
  allowedAttributes: {
    "*": ["style", "title", "dir", "lang", "align"],
    a: ["href", "name", "rel"],
    img: ["src", "alt", "width", "height"],
    font: ["color", "face", "size"],
    table: ["width", "border", "cellpadding", "cellspacing"],
    td: ["colspan", "rowspan", "width", "valign"],
    th: ["colspan", "rowspan", "width", "valign", "scope"],
    ol: ["start", "type"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["data"] },
  allowProtocolRelative: false,
  allowedStyles: { "*": Object.fromEntries(STYLED.map((property) => [property, CSS_VALUE])) },
  nonTextTags: ["script", "style", "textarea", "option", "xmp", "noscript", "noembed", "noframes", "title", "template"],
  transformTags: {
    // Relative links would resolve against the emulator itself; an email's links are absolute.
    a: (tagName, { href, ...attribs }) => ({
      tagName,
      attribs: { ...attribs, ...(href && ABSOLUTE_LINK.test(href) ? { href } : {}), rel: "noopener noreferrer" },
    }),
  },
  exclusiveFilter: (frame) => frame.tag === "img" && !INLINE_IMAGE.test(frame.attribs.src ?? ""),
};

export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
