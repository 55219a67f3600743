// Calendar days as Clockbridge keeps them: YYYY-MM-DD strings with no time zone (a work day is the
// day the company says it is). All day arithmetic goes through here. Plain arithmetic on day numbers
// (days since 1970-01-01), not a date library: payroll runs these for every entry, tens of thousands
// a period, and Temporal's polyfill costs microseconds each.

export const DAY_MS = 86_400_000

export type Weekday = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday'
const WEEKDAY_INDEX: Record<Weekday, number> = { sunday: 0, monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6 }

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** YYYY-MM-DD naming a real day (2020-02-30 and 2020-13-01 do not). No Date object: it runs per synced date field. */
export function isCalendarDate(value: string): boolean {
  if (value.length !== 10 || value[4] !== '-' || value[7] !== '-') return false
  const y = Number(value.slice(0, 4))
  const m = Number(value.slice(5, 7))
  const d = Number(value.slice(8, 10))
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1) return false
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)
  return d <= (m === 2 && !leap ? 28 : DAYS_IN_MONTH[m - 1]!)
}

/** Days since 1970-01-01. */
export const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)

/** The date of a day number. */
export const dateOfDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

export const addDays = (date: string, days: number) => dateOfDay(dayNumber(date) + days)

/** 0 for Sunday to 6 for Saturday. */
export const weekdayIndex = (date: string) => (dayNumber(date) + 4) % 7 // 1970-01-01 was a Thursday

/** ISO 8601's day of the week: 1 for Monday to 7 for Sunday. */
export const isoWeekday = (date: string) => ((weekdayIndex(date) + 6) % 7) + 1

/** The first day of the week (starting on `start`) that holds `date`. */
export function weekStart(date: string, start: Weekday): string {
  return addDays(date, -((weekdayIndex(date) - WEEKDAY_INDEX[start] + 7) % 7))
}

/** The last day of the week that holds `date`, the week ending on `end`. */
export function weekEnd(date: string, end: Weekday): string {
  return addDays(date, (WEEKDAY_INDEX[end] - weekdayIndex(date) + 7) % 7)
}

/** The days of the week, Monday first, as settings name them. */
export const WEEK_DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const
