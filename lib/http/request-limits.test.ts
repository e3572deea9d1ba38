import { describe, expect, it } from "vitest";
import { limitedAttempt } from "./request-limits";
import { carriesSignInChecks } from "../connection/sign-in-checks";

describe("which requests count against an abuse limit", () => {
  it("counts a send by the action's name, however it was posted", () => {
    expect(limitedAttempt({ method: "POST", pathname: "/compose", actionName: "sendMessageAction" })).toBe("send");
  });

  it.each([
    "signInWithGoogleAction",
    "reconnectGmailAction",
    "reconnectGmailFromComposeAction",
    "turnOnReplyDetectionAction",
  ])("counts %s as a sign-in start", (actionName) => {
    expect(limitedAttempt({ method: "POST", pathname: "/sign-in", actionName })).toBe("sign-in");
  });

  it("counts Auth.js's own sign-in POST, not its GET (which leads to the sign-in page)", () => {
    expect(limitedAttempt({ method: "POST", pathname: "/api/auth/signin/google" })).toBe("sign-in");
    expect(limitedAttempt({ method: "GET", pathname: "/api/auth/signin/google" })).toBeUndefined();
  });

  it("counts a return from Google only as part of a sign-in this browser started", () => {
    const callback = { method: "GET", pathname: "/api/auth/callback/google" };
    expect(limitedAttempt({ ...callback, signInInProgress: true })).toBe("sign-in");
    // Another site's <img> of the address sends no SameSite=Lax cookie: it must not lock the visitor out.
    expect(limitedAttempt({ ...callback, signInInProgress: false })).toBeUndefined();
  });

  it("leaves every other request alone", () => {
    expect(limitedAttempt({ method: "POST", pathname: "/contacts/new", actionName: "createContactAction" })).toBe(
      undefined,
    );
    expect(limitedAttempt({ method: "GET", pathname: "/dashboard" })).toBeUndefined();
  });
});

describe("a sign-in in progress is known by Auth.js's state and PKCE cookies", () => {
  it.each([["authjs.state"], ["authjs.pkce.code_verifier"], ["__Secure-authjs.state"]])("%s says so", (name) => {
    expect(carriesSignInChecks(["authjs.session-token", name])).toBe(true);
  });

  it("no other cookie does", () => {
    expect(carriesSignInChecks([])).toBe(false);
    expect(carriesSignInChecks(["authjs.session-token", "authjs.csrf-token", "x-authjs.state", "authjs.nonce"])).toBe(
      false,
    );
  });
});
