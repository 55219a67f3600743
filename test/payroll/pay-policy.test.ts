import { describe, expect, it } from 'vitest'
import { classify, DEFAULT_PAY_POLICY, workWeekOf, type PayPolicy, type WorkedEntry } from '../../src/payroll/pay-policy.js'

const h = (hours: number) => Math.round(hours * 60)
const split = (reg: number, ot = 0, dt = 0) => ({ REG: h(reg), OT: h(ot), DT: h(dt) })
/** Entries for consecutive days from Monday 2024-06-03, one per day, of the given hours. */
const week = (...hours: number[]): WorkedEntry[] => hours.map((hrs, i) => ({ id: i + 1, date: `2024-06-${String(3 + i).padStart(2, '0')}`, minutes: h(hrs) }))
const byId = (m: Map<number, ReturnType<typeof split>>) => [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s)

const DAILY: PayPolicy = { ...DEFAULT_PAY_POLICY, dailyOvertimeAfter: h(8), dailyDoubleTimeAfter: h(12) }

describe('pay policy', () => {
  it('weekly only: 5 x 10 h is 40 h regular, then the last 10 h overtime', () => {
    expect(byId(classify(week(10, 10, 10, 10, 10), DEFAULT_PAY_POLICY))).toEqual([split(10), split(10), split(10), split(10), split(0, 10)])
  })

  it('weekly only: the entry that crosses 40 h is split inside itself', () => {
    expect(byId(classify(week(9, 9, 9, 9, 9), DEFAULT_PAY_POLICY))).toEqual([split(9), split(9), split(9), split(9), split(4, 5)])
  })

  it('daily overtime after 8 h and double time after 12 h', () => {
    expect(byId(classify(week(13), DAILY))).toEqual([split(8, 4, 1)])
  })

  it('daily and weekly together never count an hour twice: daily overtime does not fill the 40', () => {
    // 4 x 10 h: 8 REG + 2 OT each day (32 REG); Friday 10 h: 8 more REG reaches 40, 2 daily OT.
    // Saturday 6 h: all beyond 40 regular, so overtime.
    expect(byId(classify(week(10, 10, 10, 10, 10, 6), DAILY))).toEqual([split(8, 2), split(8, 2), split(8, 2), split(8, 2), split(8, 2), split(0, 6)])
  })

  it('two entries in a day are read in start-time order, whatever order they were entered in', () => {
    const entries: WorkedEntry[] = [
      { id: 1, date: '2024-06-03', start: '13:00', minutes: h(5) },
      { id: 2, date: '2024-06-03', start: '06:00', minutes: h(6) },
    ]
    // 06:00-12:00 comes first: 6 h regular; then 13:00-18:00: 2 h regular, 3 h daily overtime.
    expect(classify(entries, DAILY)).toEqual(
      new Map([
        [2, split(6)],
        [1, split(2, 3)],
      ]),
    )
  })

  it('seventh consecutive day: first 8 h overtime, the rest double time, only when all seven days were worked', () => {
    const policy = { ...DAILY, seventhDayRule: true }
    expect(byId(classify(week(8, 8, 8, 8, 8, 4, 10), policy))).toEqual([split(8), split(8), split(8), split(8), split(8), split(0, 4), split(0, 8, 2)])
    // Six days only: Sunday is an ordinary day: 8 h regular by the day but beyond 40 in the week, 2 h daily overtime.
    expect(byId(classify(week(8, 8, 8, 8, 8, 0, 10), policy)).at(-1)).toEqual(split(0, 10))
    // 36 h regular before Sunday: 4 h fit the week, 4 h are weekly overtime, 2 h daily overtime.
    expect(byId(classify(week(8, 8, 8, 8, 0, 4, 10), policy)).at(-1)).toEqual(split(4, 6))
  })

  it("weeks are counted apart, starting on the policy's first day", () => {
    const entries: WorkedEntry[] = [...week(10, 10, 10, 10), { id: 10, date: '2024-06-10', minutes: h(10) }]
    expect(byId(classify(entries, DEFAULT_PAY_POLICY)).at(-1)).toEqual(split(10))
    // With Sunday-start weeks the Monday 06-10 still falls in a new week; Sunday 06-09 would not.
    expect(workWeekOf('2024-06-09', 'sunday')).toBe('2024-06-09')
    expect(workWeekOf('2024-06-09', 'monday')).toBe('2024-06-03')
    expect(workWeekOf('2024-06-03', 'wednesday')).toBe('2024-05-29')
  })

  it('is deterministic: the same entries in any order give the same split', () => {
    const entries = week(9, 11, 7, 13, 10, 5)
    const a = classify(entries, DAILY)
    const b = classify([...entries].reverse(), DAILY)
    expect(b).toEqual(a)
    const total = [...a.values()].reduce((s, x) => s + x.REG + x.OT + x.DT, 0)
    expect(total).toBe(entries.reduce((s, e) => s + e.minutes, 0))
  })
})
