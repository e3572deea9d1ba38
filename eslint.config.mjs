import next from "eslint-config-next";

const config = [
  ...next,
  // *.d.mts: Next's parser reads .mts as JavaScript; tsc checks these declaration files.
  {
    ignores: [
      "lib/generated/**",
      ".next/**",
      "test-results/**",
      "playwright-report/**",
      "next-env.d.ts",
      "**/*.d.mts",
      ".e2e/**",
    ],
  },
  {
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/generated/**", "**/generated"],
              message:
                "Import Prisma's client and enum types from @/lib/db: lib/platform/db.ts is the only importer of lib/generated.",
            },
          ],
        },
      ],
    },
  },
  { files: ["lib/platform/db.ts"], rules: { "no-restricted-imports": "off" } },
];

export default config;
