import { describe, expect, it } from 'vitest'
import { planBatches } from '../../src/payroll/publish-sender.js'

type Row = Parameters<typeof planBatches>[0][number]

let nextId = 1
const line = (action: 'add' | 'delete', employee: string, week: string): Row => ({
  id: nextId++,
  target: 'grouped',
  period_start: '2026-11-01',
  line_key: `${employee}|${week}|${nextId}`,
  revision: 1,
  action,
  employee_id: 1,
  date: week,
  pay_id: 'REG',
  minutes: 480,
  payload: JSON.stringify({ employee, week }),
  status: 'pending',
  external_ref: null,
  message: null,
  sent_at: null,
  updated_at: '2026-11-01T00:00:00.000Z',
  attempt_id: null,
  attempts: 0,
  next_check_at: null,
})
const byWeek = (payload: unknown) => `${(payload as { employee: string }).employee}/${(payload as { week: string }).week}`
const shape = (batches: Row[][]) => batches.map((b) => b.map((r) => `${r.action === 'delete' ? '-' : ''}${byWeek(JSON.parse(r.payload))}`))

describe('planning the batches of a send', () => {
  it('sends deletions first and alone, then whole groups up to the batch size; a larger group goes alone', () => {
    const rows = [
      line('add', 'A', 'w1'),
      line('add', 'B', 'w1'),
      line('delete', 'A', 'w0'),
      line('add', 'A', 'w1'),
      line('add', 'C', 'w1'),
      line('add', 'C', 'w1'),
      line('add', 'C', 'w1'),
      line('add', 'D', 'w2'),
    ]
    expect(shape(planBatches(rows, 3, byWeek))).toEqual([['-A/w0'], ['A/w1', 'A/w1', 'B/w1'], ['C/w1', 'C/w1', 'C/w1'], ['D/w2']])
    expect(shape(planBatches([line('add', 'E', 'w1'), line('add', 'E', 'w1'), line('add', 'E', 'w1'), line('add', 'E', 'w1')], 3, byWeek))).toEqual([
      ['E/w1', 'E/w1', 'E/w1', 'E/w1'],
    ])
  })

  it('without groups, cuts the lines in order at the batch size, deletions first', () => {
    const rows = [line('add', 'A', 'w1'), line('delete', 'B', 'w0'), line('add', 'C', 'w1'), line('add', 'D', 'w1'), line('delete', 'E', 'w0')]
    expect(shape(planBatches(rows, 2))).toEqual([['-B/w0', '-E/w0'], ['A/w1', 'C/w1'], ['D/w1']])
  })

  it('keeps the unconfirmed lines of a group apart from lines added to it since, so the target can recognise what it holds', () => {
    const unconfirmed = (employee: string, week: string): Row => ({ ...line('add', employee, week), status: 'unconfirmed' })
    const rows = [unconfirmed('A', 'w1'), line('add', 'A', 'w1'), unconfirmed('A', 'w1')]
    expect(planBatches(rows, 2, byWeek).map((b) => b.map((r) => r.status))).toEqual([['unconfirmed', 'unconfirmed'], ['pending']])
  })

  it('plans nothing for nothing', () => {
    expect(planBatches([], 10, byWeek)).toEqual([])
  })
})
