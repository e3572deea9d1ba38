import { createPublicKey } from "node:crypto";
import { DEV_GOOGLE_CLIENT } from "../lib/google/dev-client";
import { DEV_RISC_SERVICE_ACCOUNT } from "../lib/google/dev-service-account";
import type { ServiceAccount } from "./risc/risc-state";
import type { Client, User } from "./state";

export const DEV_USER: User = {
  sub: "109876543210987654321",
  email: "ada@evergreen.test",
  emailVerified: true,
  name: "Ada Lovelace",
  givenName: "Ada",
  familyName: "Lovelace",
  picture: "https://lh3.googleusercontent.com/a/evergreen-ada=s96-c",
};

export const SECOND_USER: User = {
  sub: "104321098765432109876",
  email: "grace@evergreen.test",
  emailVerified: true,
  name: "Grace Hopper",
  givenName: "Grace",
  familyName: "Hopper",
  picture: "https://lh3.googleusercontent.com/a/evergreen-grace=s96-c",
};

export const DEV_CLIENT: Client = {
  id: DEV_GOOGLE_CLIENT.id,
  secret: DEV_GOOGLE_CLIENT.secret,
  redirectUris: ["http://localhost:3000/api/auth/callback/google", "http://127.0.0.1:3000/api/auth/callback/google"],
  publishingStatus: "production",
  name: "Evergreen",
};

export interface SeedOptions {
  extraRedirectUris?: string[];
  publishingStatus?: Client["publishingStatus"];
}

export function seedUsers(): User[] {
  return [{ ...DEV_USER }, { ...SECOND_USER }];
}

export function seedClients(options: SeedOptions = {}): Client[] {
  return [
    {
      ...DEV_CLIENT,
      redirectUris: [...new Set([...DEV_CLIENT.redirectUris, ...(options.extraRedirectUris ?? [])])],
      publishingStatus: options.publishingStatus ?? DEV_CLIENT.publishingStatus,
    },
  ];
}

/** The development service account (lib/google/dev-service-account.ts), in the dev client's project. */
export function seedServiceAccounts(projectId: string): ServiceAccount[] {
  return [
    {
      email: DEV_RISC_SERVICE_ACCOUNT.client_email,
      keyId: DEV_RISC_SERVICE_ACCOUNT.private_key_id,
      publicKeyPem: createPublicKey(DEV_RISC_SERVICE_ACCOUNT.private_key)
        .export({ type: "spki", format: "pem" })
        .toString(),
      projectId,
    },
  ];
}
