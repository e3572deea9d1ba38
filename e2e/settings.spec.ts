import { expect, test } from "./signed-in";

test.use({ timezoneId: "Asia/Tokyo", locale: "en-US" });

test("settings names the Gmail address and shows every time in the viewer's own time zone", async ({
  page,
  signedInUser,
}) => {
  await page.goto("/settings");

  const details = page.getByRole("region", { name: "Gmail connection" });
  await expect(details.getByRole("definition").filter({ hasText: signedInUser.email })).toBeVisible();
  await expect(details.getByRole("term").filter({ hasText: "Gmail address" })).toBeVisible();
  await expect(details.getByText("Connected", { exact: true })).toBeVisible();
  // A fresh connection has not been renewed yet, so no "Last renewed: Never" row claims otherwise.
  await expect(details.getByText("Last renewed")).toHaveCount(0);

  const times = page.locator("time");
  await expect(times.first()).not.toContainText("UTC");
  for (const time of await times.all()) {
    const iso = await time.getAttribute("datetime");
    const tokyo = new Intl.DateTimeFormat("en-US", {
      dateStyle: "medium",
      timeStyle: "short",
      timeZone: "Asia/Tokyo",
    }).format(new Date(iso!));
    await expect(time).toHaveText(tokyo);
  }
});
