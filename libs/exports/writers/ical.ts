import ical, { ICalCalendarMethod } from 'ical-generator';

/** One due date in a feed. */
export interface FeedEvent {
  /** Stable across refreshes (the task id), so calendar apps update the event instead of adding one. */
  readonly uid: string;
  /** YYYY-MM-DD: an all-day event on that date. */
  readonly dueDate: string;
  readonly summary: string;
  readonly description: string;
  /** The task in the console. */
  readonly url: string;
  /** When the task last changed (DTSTAMP/LAST-MODIFIED). */
  readonly updatedAt: Date;
}

/**
 * An iCalendar document (RFC 5545) with one all-day event per due date. ical-generator does the
 * escaping (`,` `;` `\` and line breaks in TEXT values) and folds lines at 75 octets. Due dates are
 * dates, not instants: DTSTART;VALUE=DATE needs no time zone and shows on the same day everywhere;
 * the calendar's zone (X-WR-TIMEZONE) is the tenant's, for clients that show one.
 */
export function icalDocument(input: { name: string; timezone: string; host: string; events: readonly FeedEvent[] }): string {
  const calendar = ical({
    name: input.name,
    prodId: { company: 'Dutybook', product: 'Dutybook due dates', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    timezone: input.timezone,
    ttl: 60 * 15,
  });
  for (const e of input.events) {
    const [y, m, d] = e.dueDate.split('-').map(Number) as [number, number, number];
    calendar.createEvent({
      id: `${e.uid}@${input.host}`,
      // A floating all-day date: ical-generator writes VALUE=DATE from the UTC fields.
      start: new Date(Date.UTC(y, m - 1, d)),
      end: new Date(Date.UTC(y, m - 1, d + 1)),
      allDay: true,
      summary: e.summary,
      description: e.description,
      url: e.url,
      stamp: e.updatedAt,
      lastModified: e.updatedAt,
    });
  }
  return calendar.toString();
}
