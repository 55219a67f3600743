import { addDays, weekStart } from '../lib/dates.js'
import type { WEEK_DAYS } from '../lib/dates.js'

// The pay policy splits an employee's worked time into REG, OT and DT, the same way every time:
// entries in order of date, start time and id; daily thresholds first, then the seventh-day rule,
// then the weekly threshold on what is still regular. All amounts are whole minutes.

export type PayPolicy = {
  /** Regular minutes a work week may hold before the rest is overtime (40 h). */
  weeklyOvertimeAfter: number
  /** Daily overtime after this many minutes in a day (8 h), or null when off. */
  dailyOvertimeAfter: number | null
  /** Daily double time after this many minutes in a day (12 h), or null when off. */
  dailyDoubleTimeAfter: number | null
  /**
   * Seventh consecutive day of the work week: its first 8 h are overtime and the rest double time
   * (as California counts it), when the employee worked all seven days.
   */
  seventhDayRule: boolean
  workWeekStart: (typeof WEEK_DAYS)[number]
}

export const DEFAULT_PAY_POLICY: PayPolicy = {
  weeklyOvertimeAfter: 40 * 60,
  dailyOvertimeAfter: null,
  dailyDoubleTimeAfter: null,
  seventhDayRule: false,
  workWeekStart: 'monday',
}

/** One worked entry to classify: what counts is its day, its order within the day, and its minutes. */
export type WorkedEntry = { id: number; date: string; start?: string | null; minutes: number }

export type Split = { REG: number; OT: number; DT: number }

/** The first day (YYYY-MM-DD) of the work week holding `date`. */
export function workWeekOf(date: string, start: PayPolicy['workWeekStart']): string {
  return weekStart(date, start)
}

/** Orders entries as the policy reads them: by day, then start time (entries without one last), then id. */
export function byWorkOrder(a: WorkedEntry, b: WorkedEntry): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1
  const sa = a.start ?? '99:99'
  const sb = b.start ?? '99:99'
  if (sa !== sb) return sa < sb ? -1 : 1
  return a.id - b.id
}

/** Splits one employee's worked entries into REG / OT / DT minutes, entry by entry. */
export function classify(entries: WorkedEntry[], policy: PayPolicy): Map<number, Split> {
  const result = new Map<number, Split>()
  const weeks = new Map<string, WorkedEntry[]>()
  const weekOf = new Map<string, string>()
  for (const e of [...entries].sort(byWorkOrder)) {
    let week = weekOf.get(e.date)
    if (!week) weekOf.set(e.date, (week = workWeekOf(e.date, policy.workWeekStart)))
    const list = weeks.get(week) ?? []
    list.push(e)
    weeks.set(week, list)
  }
  for (const [week, list] of weeks) classifyWeek(week, list, policy, result)
  return result
}

function classifyWeek(week: string, entries: WorkedEntry[], policy: PayPolicy, out: Map<number, Split>): void {
  const workedDays = new Set(entries.filter((e) => e.minutes > 0).map((e) => e.date))
  const seventhDay = policy.seventhDayRule && workedDays.size === 7 ? addDays(week, 6) : null
  const dayTotals = new Map<string, number>()
  let weeklyRegular = 0
  for (const e of entries) {
    const split: Split = { REG: 0, OT: 0, DT: 0 }
    const before = dayTotals.get(e.date) ?? 0
    dayTotals.set(e.date, before + e.minutes)
    // Each minute of the entry falls in a band of its day: regular, daily overtime, daily double time.
    const dailyBands: [keyof Split, number][] =
      e.date === seventhDay
        ? [
            ['OT', 8 * 60],
            ['DT', Infinity],
          ]
        : [
            ['REG', policy.dailyOvertimeAfter ?? policy.dailyDoubleTimeAfter ?? Infinity],
            ['OT', policy.dailyDoubleTimeAfter ?? Infinity],
            ['DT', Infinity],
          ]
    let at = before
    let left = e.minutes
    for (const [kind, upTo] of dailyBands) {
      if (left === 0) break
      const take = Math.max(0, Math.min(left, upTo - at))
      split[kind] += take
      at += take
      left -= take
    }
    // Regular minutes beyond the weekly threshold are overtime, the latest ones first to go.
    const regularRoom = Math.max(0, policy.weeklyOvertimeAfter - weeklyRegular)
    const overWeek = Math.max(0, split.REG - regularRoom)
    split.REG -= overWeek
    split.OT += overWeek
    weeklyRegular += split.REG
    out.set(e.id, split)
  }
}

/** Adds splits, for an employee's or a period's totals. */
export function addSplits(a: Split, b: Split): Split {
  return { REG: a.REG + b.REG, OT: a.OT + b.OT, DT: a.DT + b.DT }
}
