import next from "eslint-config-next";

const config = [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "test-results/**", "playwright-report/**", "next-env.d.ts", ".e2e/**"] },
];

export default config;
