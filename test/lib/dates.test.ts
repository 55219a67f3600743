import { describe, expect, it } from 'vitest'
import { addDays, isCalendarDate, isoWeekday, weekEnd, weekStart, weekdayIndex } from '../../src/lib/dates.js'

describe('calendar days', () => {
  it('adds days across month, year, leap day and the clock changes', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29')
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01')
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01')
    expect(addDays('2024-03-10', 1)).toBe('2024-03-11') // US clocks go forward that night
    expect(addDays('2024-01-01', -1)).toBe('2023-12-31')
  })

  it('names weekdays, and finds the week a day falls in from any first day', () => {
    expect([weekdayIndex('2024-06-02'), weekdayIndex('2024-06-03'), weekdayIndex('2024-06-08')]).toEqual([0, 1, 6])
    expect([isoWeekday('2024-06-03'), isoWeekday('2024-06-09')]).toEqual([1, 7])
    expect(weekStart('2024-06-05', 'monday')).toBe('2024-06-03')
    expect(weekStart('2024-06-03', 'monday')).toBe('2024-06-03')
    expect(weekStart('2024-06-05', 'sunday')).toBe('2024-06-02')
    expect(weekStart('2024-06-05', 'saturday')).toBe('2024-06-01')
    expect(weekEnd('2024-06-05', 'saturday')).toBe('2024-06-08')
    expect(weekEnd('2024-06-08', 'saturday')).toBe('2024-06-08')
    expect(weekEnd('2024-06-05', 'sunday')).toBe('2024-06-09')
  })

  it('knows a real day from a look-alike', () => {
    expect(['2024-02-29', '2000-02-29', '1999-12-31'].map(isCalendarDate)).toEqual([true, true, true])
    expect(['2023-02-29', '1900-02-29', '2020-13-01', '2020-04-31', '2024-2-1', '2024-06-1x', '', '2024-06-03T00:00'].map(isCalendarDate)).toEqual(
      Array(8).fill(false),
    )
  })
})
