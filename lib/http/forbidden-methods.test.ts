import { createRequire } from "node:module";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextConfig } from "next";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refuseForbiddenMethods } from "./forbidden-methods";
import { SECURITY_HEADERS } from "./security-headers";

const nextConfig = createRequire(import.meta.url)("../../next.config.js") as NextConfig;

// Stands in for Next.js, which answers TRACE with a 500 because it cannot make a web Request of it.
let server: Server;
let port: number;
const reached: string[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    reached.push(`${request.method} ${request.url}`);
    response.statusCode = request.method === "TRACE" ? 500 : 200;
    response.end();
  });
  refuseForbiddenMethods(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// Node's fetch refuses to send TRACE at all, so the request is written with node:http.
function send(method: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, method, path }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on("error", reject);
    request.end();
  });
}

describe("TRACE, which Next.js cannot hand to proxy.ts", () => {
  it("is answered 405 Method Not Allowed with Allow and the usual security headers, before Next.js sees it", async () => {
    reached.length = 0;
    for (const path of ["/", "/_next/static/chunks/app.css"]) {
      const answer = await send("TRACE", path);
      expect(answer.status, path).toBe(405);
      expect(answer.body).toBe("Method Not Allowed");
      expect(answer.headers.allow).toBe(path === "/" ? "GET, HEAD, POST" : "GET, HEAD");
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(answer.headers[name.toLowerCase()]).toBe(value);
      expect(answer.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    }
    expect(reached).toEqual([]);
  });

  it("leaves every other method to Next.js", async () => {
    reached.length = 0;
    for (const method of ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PROPFIND"])
      expect((await send(method, "/sign-in")).status, method).toBe(200);
    expect(reached).toHaveLength(7);
  });

  it("is installed once however often start-up runs (dev reloads)", async () => {
    refuseForbiddenMethods(server);
    refuseForbiddenMethods(server);
    expect((await send("TRACE", "/")).status).toBe(405);
  });
});

describe("the security headers sent before Next.js", () => {
  it("are the ones next.config.js gives every other response", async () => {
    const rules = await nextConfig.headers!();
    const everyPath = rules.find((rule) => rule.source === "/:path*");
    expect(Object.fromEntries(everyPath!.headers.map(({ key, value }) => [key, value]))).toEqual(SECURITY_HEADERS);
  });
});
