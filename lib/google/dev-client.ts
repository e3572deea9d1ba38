/** The OAuth client the local Google registers and the app defaults to without one; public, as it opens only the emulator. */
export const DEV_GOOGLE_CLIENT = {
  id: "evergreen-dev.apps.googleusercontent.com",
  secret: "evergreen-dev-secret",
} as const;
