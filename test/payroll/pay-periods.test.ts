import { describe, expect, it } from 'vitest'
import { datesOf, periodOf, shiftPeriod } from '../../src/payroll/pay-periods.js'
import { isCalendarDate } from '../../src/lib/dates.js'

describe('pay periods', () => {
  it('weekly and biweekly count from the anchor, before and after it', () => {
    const weekly = { frequency: 'weekly' as const, anchor: '2024-01-01' }
    expect(periodOf(weekly, '2024-06-05')).toEqual({ start: '2024-06-03', end: '2024-06-09' })
    expect(periodOf(weekly, '2023-12-31')).toEqual({ start: '2023-12-25', end: '2023-12-31' })
    const biweekly = { frequency: 'biweekly' as const, anchor: '2024-01-01' }
    expect(periodOf(biweekly, '2024-01-14')).toEqual({ start: '2024-01-01', end: '2024-01-14' })
    expect(periodOf(biweekly, '2024-01-15')).toEqual({ start: '2024-01-15', end: '2024-01-28' })
    expect(shiftPeriod(biweekly, periodOf(biweekly, '2024-01-15'), -1)).toEqual({ start: '2024-01-01', end: '2024-01-14' })
  })

  it('semi-monthly splits each month at the 15th, February included', () => {
    const semi = { frequency: 'semi-monthly' as const, anchor: '2024-01-01' }
    expect(periodOf(semi, '2024-02-15')).toEqual({ start: '2024-02-01', end: '2024-02-15' })
    expect(periodOf(semi, '2024-02-20')).toEqual({ start: '2024-02-16', end: '2024-02-29' })
    expect(periodOf(semi, '2023-02-20')).toEqual({ start: '2023-02-16', end: '2023-02-28' })
    expect(shiftPeriod(semi, { start: '2024-12-16', end: '2024-12-31' }, 1)).toEqual({ start: '2025-01-01', end: '2025-01-15' })
    expect(datesOf({ start: '2024-02-27', end: '2024-03-01' })).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01'])
  })

  it('knows a real date', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true)
    expect(isCalendarDate('2023-02-29')).toBe(false)
    expect(isCalendarDate('2024-2-1')).toBe(false)
  })
})
