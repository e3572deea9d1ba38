"use client";

import { dateInputValue, localDateTime, scheduleProblem, type ScheduleWindow } from "@/lib/mail/schedule";
import { useNow } from "./use-now";

type Props = {
  date: string;
  time: string;
  window: ScheduleWindow;
  onChange: (next: { date: string; time: string }) => void;
  errors?: string[];
};

/** When to send, in the user's own time zone; the browser turns it into an instant when sending. */
export function ScheduleFields({ date, time, window, onChange, errors }: Props) {
  const now = useNow(60_000);
  const instant = localDateTime(date, time);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const hasError = (errors?.length ?? 0) > 0;
  // Said as soon as the time is out of range (a past time, say), not only once Schedule is pressed.
  const outOfRange = instant && now && !hasError ? scheduleProblem(instant, new Date(now), window) : null;
  const describedBy = `schedule-when${outOfRange ? " schedule-range" : ""}${hasError ? " sendAt-error" : ""}`;
  const input =
    "rounded-md border bg-white px-3 py-1.5 text-sm focus:border-brand-600 focus:ring-1 focus:ring-brand-600 focus:outline-none";
  const border = hasError ? "border-red-500" : "border-slate-300";

  return (
    <fieldset className="space-y-2 rounded-md border border-slate-200 bg-slate-50 p-3">
      <legend className="px-1 text-sm font-medium text-slate-700">Schedule</legend>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor="schedule-date" className="text-sm text-slate-700">
            Date
          </label>
          <input
            id="schedule-date"
            type="date"
            value={date}
            min={now ? dateInputValue(new Date(now)) : undefined}
            max={now ? dateInputValue(new Date(now + window.maxMs)) : undefined}
            onChange={(event) => onChange({ date: event.currentTarget.value, time })}
            aria-invalid={hasError || undefined}
            aria-describedby={describedBy}
            className={`${input} ${border}`}
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="schedule-time" className="text-sm text-slate-700">
            Time
          </label>
          <input
            id="schedule-time"
            type="time"
            value={time}
            onChange={(event) => onChange({ date, time: event.currentTarget.value })}
            aria-invalid={hasError || undefined}
            aria-describedby={describedBy}
            className={`${input} ${border}`}
          />
        </div>
      </div>
      <p id="schedule-when" className="text-sm text-slate-600">
        {instant
          ? `Sends ${new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" }).format(instant)}`
          : "Pick a date and a time"}{" "}
        ({zone} time), from 1 minute to 30 days ahead.
      </p>
      {outOfRange ? (
        <p id="schedule-range" className="text-sm font-medium text-amber-800">
          {outOfRange}
        </p>
      ) : null}
      <div id="sendAt-error" aria-live="polite" className="text-sm text-red-700">
        {errors?.map((error) => (
          <p key={error}>{error}</p>
        ))}
      </div>
    </fieldset>
  );
}
