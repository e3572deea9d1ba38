import { expect, it } from "vitest";
import { readYaml } from "./yaml-subset";

it("reads mappings, sequences and scalars as compose.yaml writes them", () => {
  const yaml = [
    "# a comment",
    "name: evergreen",
    "services:",
    "  web:",
    '    command: ["npm", "run", "worker"]',
    "    ports:",
    '      - "8080:80" # after a value',
    "      - data:/app/data",
    "    restart: 'no'",
    "    empty:",
    "volumes:",
    "  data:",
  ].join("\n");
  expect(readYaml(yaml)).toEqual({
    name: "evergreen",
    services: {
      web: { command: ["npm", "run", "worker"], ports: ["8080:80", "data:/app/data"], restart: "no", empty: null },
    },
    volumes: { data: null },
  });
});

it("joins a flow sequence spread over lines, as Prettier writes a long one", () => {
  const yaml = ["test:", "  [", '    "CMD",', "    \"fetch('x').then(() => 1)\",", "  ]", "interval: 10s"].join("\n");
  expect(readYaml(yaml)).toEqual({ test: ["CMD", "fetch('x').then(() => 1)"], interval: "10s" });
});

it("resolves anchors and aliases, and a merge key gives way to the mapping's own keys", () => {
  const yaml = [
    "x-base: &base",
    "  image: app",
    "  restart: always",
    "x-server: &server",
    "  <<: *base",
    "  restart: unless-stopped",
    "services:",
    "  one: *server",
    "  two:",
    "    <<: *base",
    "    command: worker",
  ].join("\n");
  const services = (readYaml(yaml) as { services: unknown }).services;
  expect(services).toEqual({
    one: { image: "app", restart: "unless-stopped" },
    two: { image: "app", restart: "always", command: "worker" },
  });
});

it("refuses what it does not read, naming the line", () => {
  expect(() => readYaml("a: {b: 1}")).toThrow(/line 1: unsupported value/);
  expect(() => readYaml("a:\n  - b: 1")).toThrow(/line 2: mappings inside sequences/);
  expect(() => readYaml("a: *missing")).toThrow(/line 1: unknown alias/);
  expect(() => readYaml("a: 1\na: 2")).toThrow(/line 2: duplicate key a/);
  expect(() => readYaml("a: 1\n    b: 2")).toThrow(/line 2: unexpected indentation/);
});
