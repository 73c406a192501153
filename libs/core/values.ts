/** A UUID in its canonical text form (any case). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

/** An instant as the API shows it: ISO-8601 UTC. */
export const iso = (d: Date | string): string => (typeof d === 'string' ? new Date(d) : d).toISOString();

export const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : iso(d));
