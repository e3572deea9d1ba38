import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "htmlparser2";
import type { ChildNode, Element } from "domhandler";
import { describe, expect, it } from "vitest";
import { textToHtml } from "@/lib/mail/mime";
import { xssCorpus } from "./xss-corpus";

// Issue 12, item 7, for the app itself: it shows user text (contact fields, subjects, bodies) only as
// React text, which React escapes, and it writes HTML in one place, the HTML part of the mail it sends.

const SOURCES = ["app", "components", "lib", "proxy.ts"];
// Every way to turn a string into markup or code in a page, React's and the DOM's.
const RAW_HTML_SINKS =
  /dangerouslySetInnerHTML|\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|srcDoc|\beval\(|new Function\(/;
/** Where a sink is allowed, and why: none today. A new entry needs a sanitizer and a test of it. */
const ALLOWED_SINKS: Record<string, string> = {};

function sourceFiles(entry: string): string[] {
  if (entry.endsWith(".ts") || entry.endsWith(".tsx")) return [entry];
  return readdirSync(entry, { withFileTypes: true, recursive: true })
    .filter((file) => file.isFile() && /\.tsx?$/.test(file.name) && !/\.test\.tsx?$/.test(file.name))
    .map((file) => path.join(file.parentPath, file.name))
    .filter((file) => !file.includes(`${path.sep}generated${path.sep}`));
}

function elements(nodes: ChildNode[]): Element[] {
  return nodes.flatMap((node) => ("attribs" in node ? [node, ...elements(node.children)] : []));
}

describe("the app's pages", () => {
  it("never turn a string into markup: no dangerouslySetInnerHTML, innerHTML, srcDoc or eval outside the allowed list", () => {
    const files = SOURCES.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    const uses = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, index) => (RAW_HTML_SINKS.test(line) ? [`${file}:${index + 1}`] : [])),
    );
    expect(uses).toEqual(Object.keys(ALLOWED_SINKS));
  });
});

describe("the HTML part of the mail Evergreen sends, built from the user's text", () => {
  it.each(xssCorpus().map((payload) => [payload.id, payload.family, payload.html] as const))(
    "#%i (%s) comes out as text, with only line breaks and http(s) links as markup: %s",
    (_, __, text) => {
      const html = textToHtml(text);
      for (const element of elements(parseDocument(html).children)) {
        expect(["div", "br", "a"]).toContain(element.name);
        const attributes = Object.keys(element.attribs);
        if (element.name === "a") {
          expect(attributes).toEqual(["href"]);
          expect(element.attribs.href).toMatch(/^https?:\/\/[^\s<>"']+$/);
        } else {
          expect(attributes).toEqual(element.name === "div" ? ["style"] : []);
        }
      }
    },
  );
});
