import next from "eslint-config-next";

export default [
  ...next,
  { ignores: ["lib/generated/**", ".next/**", "test-results/**", "playwright-report/**", "next-env.d.ts"] },
];
